/**
 * The optional goal pre-check (DESIGN.md §4): records whose ConversionName matches none of the account's offline
 * conversion goals become `invalid` 5606 before sending, because the service may otherwise accept and silently drop
 * them (api-facts.md §2.1). The goal names come from one GetConversionGoalsByIds call (no ids = every goal of the
 * type), made through any `call`-like function so the caller chooses the client. The service returns no creation
 * time, so the "younger than two hours" check (error 5615 territory) covers only goals whose creation time the
 * caller knows — the ones Uplink itself created and recorded: a warning, or with `refuseNotReady` a refusal (`invalid`
 * 5615, nothing sent) naming when the goal will take conversions. Without `names`, names are not checked (only the
 * goals' ages are).
 */
import type * as Schemas from "@uplink/campaign-management/schemas"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import { ServiceCodes } from "./codes.js"
import { Warning } from "./warning.js"

/** A function that calls GetConversionGoalsByIds, e.g. `CampaignManagement.call`. */
export type GoalsCall<E, R> = (
  operation: "GetConversionGoalsByIds",
  request: Schemas.GetConversionGoalsByIdsRequest
) => Effect.Effect<Schemas.GetConversionGoalsByIdsResponse, E, R>

/** The account's offline conversion goals, and the creation times Uplink recorded for the goals it created. */
export interface GoalCheck {
  /** The goal names records may use (`undefined`: not checked). */
  readonly names: ReadonlySet<string> | undefined
  readonly createdAt?: ReadonlyMap<string, DateTime.DateTime> | undefined
  /** Refuse (invalid 5615) rather than warn about records of a goal created less than two hours ago. */
  readonly refuseNotReady?: boolean | undefined
}

/** How long after a goal's creation the service starts accepting its conversions (api-facts.md §2.1). */
export const GOAL_WARM_UP_MS = 2 * 60 * 60 * 1000

/** The request that lists every offline conversion goal of the account. */
export const listRequest: Schemas.GetConversionGoalsByIdsRequest = {
  ConversionGoalIds: null,
  ConversionGoalTypes: ["OfflineConversion"],
  ReturnAdditionalFields: null
}

/** The names of the account's offline conversion goals, fetched with one GetConversionGoalsByIds call. */
export const fetchOfflineGoalNames = <E, R>(call: GoalsCall<E, R>): Effect.Effect<ReadonlySet<string>, E, R> =>
  call("GetConversionGoalsByIds", listRequest).pipe(
    Effect.map((response) => {
      const names = new Set<string>()
      for (const goal of response.ConversionGoals ?? []) {
        if (goal === null || typeof goal.Name !== "string") continue
        const offline = goal._tag === "OfflineConversionGoal" || (goal.Type ?? []).includes("OfflineConversion")
        if (offline) names.add(goal.Name)
      }
      return names as ReadonlySet<string>
    }),
    Effect.withSpan("GoalCheck.fetchOfflineGoalNames")
  )

/**
 * A goal check from `names` (`undefined`: names are not checked), plus the creation times Uplink recorded (name →
 * instant); `refuseNotReady` refuses records of goals younger than two hours instead of warning.
 */
export const make = (
  names: Iterable<string> | undefined,
  createdAt?:
    | ReadonlyMap<string, DateTime.DateTime | Date | number>
    | Record<string, DateTime.DateTime | Date | number>,
  options: { readonly refuseNotReady?: boolean | undefined } = {}
): GoalCheck => {
  const entries = createdAt === undefined ? [] : createdAt instanceof Map ? [...createdAt] : Object.entries(createdAt)
  return {
    names: names === undefined ? undefined : new Set(names),
    createdAt: new Map(entries.map(([name, at]) => [name, DateTime.unsafeMake(at)] as const)),
    refuseNotReady: options.refuseNotReady
  }
}

/** The result of checking one record's goal name: known, unknown (5606), or not ready yet (5615, refused). */
export type GoalVerdict =
  | { readonly _tag: "Known"; readonly warning?: Warning | undefined }
  | { readonly _tag: "Unknown"; readonly code: number; readonly errorCode: string; readonly message: string }
  | {
      readonly _tag: "NotReady"
      readonly code: number
      readonly errorCode: string
      readonly message: string
      /** When the goal takes conversions (ISO 8601 UTC). */
      readonly readyAt: string
    }

/**
 * A checker for one run: names not among the goals are `Unknown` (5606); a record of a goal created less than two
 * hours before `nowMs` is `NotReady` (5615) with `refuseNotReady`, else the first one carries a `GoalTooRecent`
 * warning (once per goal).
 */
export const checker = (goals: GoalCheck) => {
  const warned = new Set<string>()
  return (name: string, nowMs: number): GoalVerdict => {
    if (goals.names !== undefined && !goals.names.has(name)) {
      return {
        _tag: "Unknown",
        code: ServiceCodes.NameInvalid.code,
        errorCode: ServiceCodes.NameInvalid.errorCode,
        message: `${ServiceCodes.NameInvalid.message} (${JSON.stringify(name)} is not among the account's ${goals.names.size} offline conversion goals.)`
      }
    }
    const createdAt = goals.createdAt?.get(name)
    if (createdAt === undefined) return { _tag: "Known" }
    const readyAtMs = DateTime.toEpochMillis(createdAt) + GOAL_WARM_UP_MS
    if (nowMs >= readyAtMs) return { _tag: "Known" }
    if (goals.refuseNotReady === true) {
      const readyAt = new Date(readyAtMs).toISOString()
      const entry = ServiceCodes.NotAcceptedForGoal
      return {
        _tag: "NotReady",
        code: entry.code,
        errorCode: entry.errorCode,
        readyAt,
        message:
          `Not sent: goal ${JSON.stringify(name)} was created at ${DateTime.formatIso(createdAt)} and Microsoft ` +
          `takes its conversions from ${readyAt} (two hours later). Send again then, or use --hold to wait.`
      }
    }
    if (warned.has(name)) return { _tag: "Known" }
    warned.add(name)
    return {
      _tag: "Known",
      warning: Warning.GoalTooRecent({
        name,
        createdAt: DateTime.formatIso(createdAt),
        readyAt: new Date(readyAtMs).toISOString()
      })
    }
  }
}
