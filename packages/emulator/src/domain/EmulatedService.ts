/**
 * The emulated Campaign Management service, without HTTP: the seven operations on decoded contract bodies (the same
 * for SOAP and REST, so both transports give the same results; GetOfflineConversionReportByGoalIds is REST only), the
 * credential check, the fault plan, the OAuth token store, and the admin operations (register clicks and goals, set
 * faults, read state, reset).
 */
import type * as Schemas from "@uplink/campaign-management/schemas"
import * as DateTime from "effect/DateTime"
import { goalSummary } from "./Attribution.js"
import { ClickRegistry } from "./Clicks.js"
import { checkAdjustment, checkConversion, type RuleContext } from "./ConversionRules.js"
import { checkCredentials, type Credentials, type PresentedCredentials } from "./Credentials.js"
import { FaultInjector } from "./FaultPlan.js"
import { GOALS_PER_REPORT, type GoalSpec, GoalStore, goalJson } from "./Goals.js"
import { Ledger } from "./Ledger.js"
import {
  answered,
  apiRefusal,
  type ItemError,
  type OperationOutcome,
  type Refusal,
  refused,
  toPartialErrors
} from "./Outcome.js"
import { type AdjustmentRecord, adjustmentRecord, conversionRecord, type Protocol } from "./Records.js"
import { type Clock, DAY_MS, startOfUtcDay } from "./Time.js"
import { type OAuthSettings, TokenStore } from "./TokenStore.js"

/** Items per ApplyOfflineConversions / ApplyOfflineConversionAdjustments request. */
export const ITEMS_PER_REQUEST = 1_000

/** The operations the emulator serves, with their request and response contract types. */
export interface EmulatedOperations {
  readonly ApplyOfflineConversions: {
    readonly request: Schemas.ApplyOfflineConversionsRequest
    readonly response: Schemas.ApplyOfflineConversionsResponse
  }
  readonly ApplyOfflineConversionAdjustments: {
    readonly request: Schemas.ApplyOfflineConversionAdjustmentsRequest
    readonly response: Schemas.ApplyOfflineConversionAdjustmentsResponse
  }
  readonly AddConversionGoals: {
    readonly request: Schemas.AddConversionGoalsRequest
    readonly response: Schemas.AddConversionGoalsResponse
  }
  readonly GetConversionGoalsByIds: {
    readonly request: Schemas.GetConversionGoalsByIdsRequest
    readonly response: Schemas.GetConversionGoalsByIdsResponse
  }
  readonly UpdateConversionGoals: {
    readonly request: Schemas.UpdateConversionGoalsRequest
    readonly response: Schemas.UpdateConversionGoalsResponse
  }
  readonly GetOfflineConversionReports: {
    readonly request: Schemas.GetOfflineConversionReportsRequest
    readonly response: Schemas.GetOfflineConversionReportsResponse
  }
  readonly GetOfflineConversionReportByGoalIds: {
    readonly request: Schemas.GetOfflineConversionReportByGoalIdsRequest
    readonly response: Schemas.GetOfflineConversionReportByGoalIdsResponse
  }
}
export type EmulatedOperationName = keyof EmulatedOperations

export const emulatedOperationNames: ReadonlyArray<EmulatedOperationName> = [
  "ApplyOfflineConversions",
  "ApplyOfflineConversionAdjustments",
  "AddConversionGoals",
  "GetConversionGoalsByIds",
  "UpdateConversionGoals",
  "GetOfflineConversionReports",
  "GetOfflineConversionReportByGoalIds"
]

/** The longest date range of GetOfflineConversionReportByGoalIds ("The date range is up to 7 days"). */
export const REPORT_RANGE_MS = 7 * DAY_MS

/** The channel of everything the API receives, in `UploadChannelFilter`. */
const API_CHANNEL = "CampaignManagementAPI"

export const isEmulatedOperation = (name: string): name is EmulatedOperationName =>
  (emulatedOperationNames as ReadonlyArray<string>).includes(name)

/** Everything an emulated service is made of. */
export interface EmulatedServiceSettings {
  readonly clock: Clock
  readonly credentials: Credentials
  readonly demo: boolean
  readonly oauth: Omit<OAuthSettings, "accessToken" | "refreshToken">
}

/** How a call arrived. */
export interface CallContext {
  readonly transport: Protocol
}

export class EmulatedService {
  readonly clicks: ClickRegistry
  readonly goals = new GoalStore()
  readonly faults: FaultInjector
  readonly tokens: TokenStore
  #ledger = new Ledger()
  #requests = 0
  #requestsByOp = new Map<string, number>()

  constructor(readonly settings: EmulatedServiceSettings) {
    this.clicks = new ClickRegistry(settings.demo)
    this.faults = new FaultInjector(settings.clock)
    this.tokens = new TokenStore(
      {
        ...settings.oauth,
        accessToken: settings.credentials.accessToken,
        refreshToken: settings.credentials.refreshToken
      },
      settings.clock
    )
  }

  now(): number {
    return this.settings.clock()
  }

  // ===== Calls =====

  /** Counts an API request (before anything can refuse it); the operation when it is known. */
  countRequest(operation: string | undefined): void {
    this.#requests++
    if (operation !== undefined) this.#requestsByOp.set(operation, (this.#requestsByOp.get(operation) ?? 0) + 1)
  }

  /** The credential check of an API call: undefined when accepted. */
  authenticate(presented: PresentedCredentials): Refusal | undefined {
    return checkCredentials(presented, this.settings.credentials, {
      status: (token) => this.tokens.accessTokenStatus(token),
      expiredByPlan: (token) => this.faults.tokenExpired(token)
    })
  }

  /** Runs one operation on a decoded request body. */
  handle<Op extends EmulatedOperationName>(
    operation: Op,
    body: EmulatedOperations[Op]["request"],
    call: CallContext
  ): OperationOutcome<EmulatedOperations[Op]["response"]> {
    const run = this.#operations[operation] as (
      body: EmulatedOperations[Op]["request"],
      call: CallContext
    ) => OperationOutcome<EmulatedOperations[Op]["response"]>
    return run(body, call)
  }

  #ruleContext(): RuleContext {
    return {
      now: this.now(),
      goalByName: (name) => this.goals.byName(name),
      clickTime: (clickId, conversionTime) => this.clicks.clickTime(clickId, conversionTime)
    }
  }

  /** Counts the items of one Apply call for the daily report (all judged at the same "now"). */
  #countJudged(now: number, items: number, failures: number): void {
    if (items > failures) this.#ledger.count(now, "success", items - failures)
    if (failures > 0) this.#ledger.count(now, "failure", failures)
  }

  readonly #operations: {
    readonly [Op in EmulatedOperationName]: (
      body: EmulatedOperations[Op]["request"],
      call: CallContext
    ) => OperationOutcome<EmulatedOperations[Op]["response"]>
  } = {
    ApplyOfflineConversions: (body, call) => {
      const items = body.OfflineConversions
      if (items === null || items === undefined || items.length === 0) return refused(apiRefusal(5600))
      if (items.length > ITEMS_PER_REQUEST) return refused(apiRefusal(5601))
      const context = this.#ruleContext()
      const received = { transport: call.transport, now: context.now }
      const errors: Array<ItemError> = []
      for (let index = 0; index < items.length; index++) {
        const item = items[index]!
        const record = item === null ? null : conversionRecord(item)
        const verdict = checkConversion(record, context)
        if (verdict._tag === "Rejected") errors.push({ index, code: verdict.code, fieldPath: verdict.fieldPath })
        else this.#ledger.acceptConversion(record!, verdict.goal, received)
      }
      this.#countJudged(context.now, items.length, errors.length)
      return answered({ PartialErrors: toPartialErrors(errors) })
    },
    ApplyOfflineConversionAdjustments: (body, call) => {
      const items = body.OfflineConversionAdjustments
      if (items === null || items === undefined || items.length === 0) return refused(apiRefusal(5600))
      if (items.length > ITEMS_PER_REQUEST) return refused(apiRefusal(5601))
      const context = this.#ruleContext()
      const received = { transport: call.transport, now: context.now }
      const alreadyRetracted = (record: AdjustmentRecord) => this.#ledger.refusesAsRetracted(record)
      const errors: Array<ItemError> = []
      for (let index = 0; index < items.length; index++) {
        const item = items[index]!
        const record = item === null ? null : adjustmentRecord(item)
        const verdict = checkAdjustment(record, context, alreadyRetracted)
        if (verdict._tag === "Rejected") errors.push({ index, code: verdict.code, fieldPath: verdict.fieldPath })
        else this.#ledger.acceptAdjustment(record!, verdict.goal, received)
      }
      this.#countJudged(context.now, items.length, errors.length)
      return answered({ PartialErrors: toPartialErrors(errors) })
    },
    AddConversionGoals: (body) => {
      const outcome = this.goals.add(body.ConversionGoals, this.now())
      if (outcome._tag === "Refused") return outcome
      return answered({
        ConversionGoalIds: outcome.body.ids,
        PartialErrors: toPartialErrors(outcome.body.errors)
      })
    },
    GetConversionGoalsByIds: (body) => {
      const outcome = this.goals.get(body.ConversionGoalIds, body.ConversionGoalTypes, body.ReturnAdditionalFields)
      if (outcome._tag === "Refused") return outcome
      return answered({
        ConversionGoals: outcome.body.goals,
        PartialErrors: toPartialErrors(outcome.body.errors)
      })
    },
    UpdateConversionGoals: (body) => {
      const outcome = this.goals.update(body.ConversionGoals)
      if (outcome._tag === "Refused") return outcome
      return answered({ PartialErrors: toPartialErrors(outcome.body) })
    },
    GetOfflineConversionReports: (body) => {
      const { StartDateUtc, EndDateUtc } = body
      if (StartDateUtc === undefined || EndDateUtc === undefined) {
        return refused(apiRefusal(113, "StartDateUtc and EndDateUtc are required."))
      }
      const from = DateTime.toEpochMillis(StartDateUtc)
      const to = DateTime.toEpochMillis(EndDateUtc)
      if (from > to) return refused(apiRefusal(113, "StartDateUtc is later than EndDateUtc."))
      return answered({
        DailySummaries: this.#ledger.daily(from, to).map((day) => ({
          FailureCount: day.failure,
          FileUrl: null,
          SuccessCount: day.success,
          UploadDate: DateTime.unsafeMake(day.day)
        }))
      })
    },
    GetOfflineConversionReportByGoalIds: (body) => {
      const { StartDateUtc, EndDateUtc, GoalIds, UploadChannelFilter } = body
      if (StartDateUtc === undefined || EndDateUtc === undefined) {
        return refused(apiRefusal(113, "StartDateUtc and EndDateUtc are required."))
      }
      const from = DateTime.toEpochMillis(StartDateUtc)
      const to = DateTime.toEpochMillis(EndDateUtc)
      if (from > to) return refused(apiRefusal(113, "StartDateUtc is later than EndDateUtc."))
      if (to - from > REPORT_RANGE_MS) return refused(apiRefusal(113, "The date range is up to 7 days."))
      if (GoalIds === null || GoalIds === undefined || GoalIds.length === 0) return refused(apiRefusal(514))
      if (GoalIds.length > GOALS_PER_REPORT) return refused(apiRefusal(5318, `Up to ${GOALS_PER_REPORT} goal ids.`))
      // Everything the emulator receives came through the API; a filter without that channel matches nothing.
      const channels = UploadChannelFilter ?? null
      const fromApi = channels === null || channels.length === 0 || channels.includes(API_CHANNEL)
      const context = {
        goalById: (id: bigint) => this.goals.byId(id),
        clickTime: (clickId: string, conversionTime: number) => this.clicks.clickTime(clickId, conversionTime)
      }
      const errors: Array<ItemError> = []
      const summaries: Array<Schemas.OfflineGoalConversionSummary> = []
      const seen = new Set<bigint>()
      GoalIds.forEach((id, index) => {
        const goal = this.goals.byId(id)
        if (seen.has(id)) errors.push({ index, code: 5315, fieldPath: "GoalIds" })
        else if (goal === undefined) errors.push({ index, code: 5314, fieldPath: "GoalIds" })
        else {
          const days = fromApi ? this.#ledger.goalDays(id, startOfUtcDay(from), to, context) : new Map()
          summaries.push(goalSummary(goal, days))
        }
        seen.add(id)
      })
      return answered({ OfflineGoalConversionSummaries: summaries, PartialErrors: toPartialErrors(errors) })
    }
  }

  // ===== Admin =====

  /** Registers clicks given as `{clickId: ISO time}`; throws a RangeError naming an unparsable time. */
  registerClicks(clicks: Readonly<Record<string, string>>): number {
    const parsed = Object.entries(clicks).map(([clickId, time]): [string, number] => {
      const at = Date.parse(time)
      if (clickId === "" || Number.isNaN(at)) {
        throw new RangeError(`click ${JSON.stringify(clickId)}: ${JSON.stringify(time)} is not an ISO date-time`)
      }
      return [clickId, at]
    })
    return this.clicks.register(parsed)
  }

  /** Registers goals (seed file / admin API); answers them with their ids. */
  registerGoals(specs: ReadonlyArray<GoalSpec>) {
    return this.goals.register(specs, this.now()).map(goalJson)
  }

  /** Clears what was received and the faults; registered clicks and goals stay (API-made goal changes go). */
  reset(): void {
    this.#ledger = new Ledger()
    this.#requests = 0
    this.#requestsByOp.clear()
    this.faults.reset()
    this.tokens.clearRequests()
    this.goals.reset()
  }

  /** The body of `GET /__emulator/state`. */
  state() {
    return {
      requests: this.#requests,
      requestsByOp: Object.fromEntries(this.#requestsByOp),
      accepted: this.#ledger.accepted(),
      receivedCounts: this.#ledger.receivedCounts(),
      adjustments: this.#ledger.adjustments(),
      tokenRequests: this.tokens.requests(),
      faultsInjected: this.faults.injected(),
      faults: this.faults.config(),
      maxInFlight: this.faults.maxInFlight(),
      goals: this.goals.list().map(goalJson),
      clicks: this.clicks.size,
      demo: this.settings.demo
    }
  }
}

/** The JSON shape of `GET /__emulator/state`. */
export type EmulatorState = ReturnType<EmulatedService["state"]>
