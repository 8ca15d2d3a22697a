/**
 * Goal readiness: whether Microsoft will take (and can count) a record for its goal. Microsoft refuses conversions for
 * a goal created less than two hours ago (5615) and returns no creation time, so readiness is known from:
 *
 * - the creation times Uplink recorded for the goals it created (`GoalTimes`): a goal is ready two hours after;
 * - a 5615 answer: the goal was created less than two hours before that answer, so it is ready at the latest two
 *   hours after it (`afterNotAccepted`). A goal that still answers 5615 after that window was made again (or is
 *   refused for another reason): a new window starts, at most `MAX_NOT_ACCEPTED_WINDOWS` times.
 *
 * And the settings a record may break without an error (`GoalSettingsCheck`, from GetConversionGoalsByIds): a
 * conversion dated longer ago than the goal's conversion window, or before the goal was created (when Uplink knows
 * when), and hashed email/phone without a click id for a goal not enabled for enhanced conversions. Each is a warning
 * (the first record per goal and kind) and a count, never a refusal: Microsoft may still count the record.
 */
import type * as Schemas from "@uplink/campaign-management/schemas"
import * as Effect from "effect/Effect"
import { listRequest } from "../pipeline/goalCheck.js"
import type { Outcome } from "../pipeline/outcome.js"
import type { Prepared } from "../pipeline/validate.js"
import { Warning } from "../pipeline/warning.js"

/** How long after its creation a goal refuses conversions (5615). */
export const WARM_UP_MS = 2 * 60 * 60 * 1000

/** How many two-hour windows a goal that keeps answering 5615 is waited for before its records are refused. */
export const MAX_NOT_ACCEPTED_WINDOWS = 3

/** When a goal created at `createdAtMs` takes conversions. */
export const readyAt = (createdAtMs: number): number => createdAtMs + WARM_UP_MS

/** The goals of `times` (name → creation time) that are not ready at `nowMs`, with when they will be. */
export const notReady = (times: ReadonlyMap<string, number>, nowMs: number): ReadonlyMap<string, number> => {
  const waiting = new Map<string, number>()
  for (const [name, createdAt] of times) if (readyAt(createdAt) > nowMs) waiting.set(name, readyAt(createdAt))
  return waiting
}

/** What is known of a goal's readiness after 5615 answers: when it is expected ready, and how many windows so far. */
export interface NotAcceptedState {
  readonly readyAtMs: number
  readonly windows: number
}

/**
 * The state after a 5615 answer at `nowMs`, from the state before (`undefined`: the first). Inside the current window
 * nothing changes (the first answer fixed it); after it a new window starts. `giveUp` when the goal has answered 5615
 * through `MAX_NOT_ACCEPTED_WINDOWS` windows: it is not a young goal, and its records are refused.
 */
export const afterNotAccepted = (
  before: NotAcceptedState | undefined,
  nowMs: number
): NotAcceptedState & { readonly giveUp: boolean } => {
  if (before !== undefined && before.readyAtMs > nowMs) return { ...before, giveUp: false }
  const windows = (before?.windows ?? 0) + 1
  return { readyAtMs: nowMs + WARM_UP_MS, windows, giveUp: windows > MAX_NOT_ACCEPTED_WINDOWS }
}

/** What Uplink knows of one goal for the settings check. */
export interface GoalFacts {
  readonly name: string
  readonly id?: bigint | undefined
  /** The goal's conversion window (minutes after a click in which a conversion counts). */
  readonly conversionWindowMinutes?: number | undefined
  /** Whether the goal is enabled for enhanced conversions (hashed email/phone without a click id). */
  readonly enhancedConversions?: boolean | undefined
  /** When the goal was created (epoch ms), when Uplink knows. */
  readonly createdAtMs?: number | undefined
}

/** A function that calls GetConversionGoalsByIds, e.g. `CampaignManagement.call` without its metadata. */
export type GoalsCall<E, R> = (
  operation: "GetConversionGoalsByIds",
  request: Schemas.GetConversionGoalsByIdsRequest
) => Effect.Effect<Schemas.GetConversionGoalsByIdsResponse, E, R>

/** The account's offline conversion goals with their window and enhanced-conversions setting (one call). */
export const fetchGoalFacts = <E, R>(
  call: GoalsCall<E, R>,
  createdAt: ReadonlyMap<string, number> = new Map()
): Effect.Effect<ReadonlyMap<string, GoalFacts>, E, R> =>
  call("GetConversionGoalsByIds", { ...listRequest, ReturnAdditionalFields: ["IsEnhancedConversionsEnabled"] }).pipe(
    Effect.map((response) => {
      const facts = new Map<string, GoalFacts>()
      for (const goal of response.ConversionGoals ?? []) {
        if (goal === null || typeof goal.Name !== "string") continue
        const offline = goal._tag === "OfflineConversionGoal" || (goal.Type ?? []).includes("OfflineConversion")
        if (!offline) continue
        facts.set(goal.Name, {
          name: goal.Name,
          id: goal.Id ?? undefined,
          conversionWindowMinutes: goal.ConversionWindowInMinutes ?? undefined,
          enhancedConversions: goal.IsEnhancedConversionsEnabled ?? undefined,
          createdAtMs: createdAt.get(goal.Name)
        })
      }
      return facts as ReadonlyMap<string, GoalFacts>
    }),
    Effect.withSpan("GoalReadiness.fetchGoalFacts")
  )

/** Per goal: records the settings check flagged. */
export interface GoalSettingsReport {
  readonly olderThanWindow: number
  readonly beforeCreated: number
  readonly notEnhanced: number
}

type Kind = keyof GoalSettingsReport

/**
 * Checks prepared conversions against their goal's settings (`facts`, by name). Records of goals it does not know are
 * not judged. Warns once per goal and kind; counts every record.
 */
export class GoalSettingsCheck {
  readonly #counts = new Map<string, { olderThanWindow: number; beforeCreated: number; notEnhanced: number }>()
  readonly #warned = new Set<string>()

  constructor(readonly facts: ReadonlyMap<string, GoalFacts>) {}

  /** Checks one record (`result`: what validation made of it); `nowMs` is the time it is checked at. */
  inspect(result: Prepared | Outcome, nowMs: number, warnings?: Array<Warning>): void {
    if (result._tag !== "Conversion") return
    const goal = this.facts.get(result.conversionName)
    if (goal === undefined) return
    const time = result.conversionTimeMs
    const window = goal.conversionWindowMinutes
    if (window !== undefined && nowMs - time > window * 60_000) {
      this.#flag(goal.name, "olderThanWindow", warnings, () =>
        Warning.OlderThanGoalWindow({ name: goal.name, line: result.line, windowMinutes: window })
      )
    }
    if (goal.createdAtMs !== undefined && time < goal.createdAtMs) {
      const createdAt = new Date(goal.createdAtMs).toISOString()
      this.#flag(goal.name, "beforeCreated", warnings, () =>
        Warning.BeforeGoalCreated({ name: goal.name, line: result.line, createdAt })
      )
    }
    const hashedOnly =
      result.microsoftClickId === undefined && (result.hashedEmail !== undefined || result.hashedPhone !== undefined)
    if (hashedOnly && goal.enhancedConversions !== true) {
      this.#flag(goal.name, "notEnhanced", warnings, () =>
        Warning.NotEnhancedGoal({ name: goal.name, line: result.line })
      )
    }
  }

  #flag(name: string, kind: Kind, warnings: Array<Warning> | undefined, warning: () => Warning): void {
    let counts = this.#counts.get(name)
    if (counts === undefined) {
      counts = { olderThanWindow: 0, beforeCreated: 0, notEnhanced: 0 }
      this.#counts.set(name, counts)
    }
    counts[kind]++
    const key = `${kind}\u0000${name}`
    if (this.#warned.has(key)) return
    this.#warned.add(key)
    warnings?.push(warning())
  }

  /** The goals with flagged records, by name. */
  report(): Readonly<Record<string, GoalSettingsReport>> {
    return Object.fromEntries(this.#counts)
  }
}
