/**
 * The account's offline conversion goals, as the CLI and the Promise client both need them: `list` (one
 * GetConversionGoalsByIds call for every goal of the OfflineConversion type) and `create` (one AddConversionGoals call
 * with an `OfflineConversionGoal` made from a few plain settings, with Microsoft's defaults where a setting is left
 * out). A goal the service refuses is a `GoalNotCreated` failure carrying the service's code and message, never a
 * silent success.
 */
import type * as Schemas from "@uplink/campaign-management/schemas"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { CampaignManagement } from "./CampaignManagement.js"
import type { CampaignManagementError } from "./errors/CampaignManagementError.js"
import { listRequest } from "./pipeline/goalCheck.js"

/** What `create` needs; everything but the name has a default. */
export interface OfflineGoalSpec {
  /** The goal's name: uploads must use it as their ConversionName (at most 100 characters, unique per customer). */
  readonly name: string
  /** Days after a click in which conversions count, 1–90 (default 30, Microsoft's default). */
  readonly conversionWindowDays?: number | undefined
  /** `All` counts every conversion of a click, `Unique` only the first (default `All`). */
  readonly countType?: "All" | "Unique" | undefined
  /** A fixed revenue per conversion; without it, each upload's own value is used (`VariableValue`). */
  readonly value?: number | undefined
  readonly currencyCode?: string | undefined
  /** The goal category the service requires on create (default `Purchase`). */
  readonly category?: Schemas.ConversionGoalCategory | undefined
}

/** The service refused to create the goal (its first partial error). */
export class GoalNotCreated extends Data.TaggedError("GoalNotCreated")<{
  readonly name: string
  readonly code: number | null
  readonly errorCode: string | null
  readonly message: string
  readonly trackingId: string | undefined
}> {}

const MINUTES_PER_DAY = 24 * 60

/** The `OfflineConversionGoal` that `create` sends for `spec`. */
const goalFor = (spec: OfflineGoalSpec): Schemas.OfflineConversionGoal => ({
  _tag: "OfflineConversionGoal",
  ConversionWindowInMinutes: (spec.conversionWindowDays ?? 30) * MINUTES_PER_DAY,
  CountType: spec.countType ?? "All",
  GoalCategory: spec.category ?? "Purchase",
  Name: spec.name,
  Revenue:
    spec.value === undefined
      ? { Type: "VariableValue", Value: null, CurrencyCode: spec.currencyCode ?? null }
      : { Type: "FixedValue", Value: spec.value, CurrencyCode: spec.currencyCode ?? null },
  Scope: "Account",
  Status: "Active",
  Type: ["OfflineConversion"]
})

/** Every offline conversion goal of the account. */
export const list: Effect.Effect<
  ReadonlyArray<Schemas.ConversionGoalUnion>,
  CampaignManagementError,
  CampaignManagement
> = Effect.gen(function* () {
  const client = yield* CampaignManagement
  const { response } = yield* client.call("GetConversionGoalsByIds", listRequest)
  return (response.ConversionGoals ?? []).filter((goal): goal is Schemas.ConversionGoalUnion => goal !== null)
}).pipe(Effect.withSpan("OfflineGoals.list"))

/** Creates the goal `spec` describes; answers its id. */
export const create = (
  spec: OfflineGoalSpec
): Effect.Effect<bigint | undefined, CampaignManagementError | GoalNotCreated, CampaignManagement> =>
  Effect.gen(function* () {
    const client = yield* CampaignManagement
    const { response, trackingId } = yield* client.call("AddConversionGoals", { ConversionGoals: [goalFor(spec)] })
    const error = (response.PartialErrors ?? []).find((e) => e !== null)
    if (error) {
      return yield* new GoalNotCreated({
        name: spec.name,
        code: error.Code ?? null,
        errorCode: error.ErrorCode ?? null,
        message: `the goal was not created: ${error.Code ?? ""} ${error.ErrorCode ?? ""} ${error.Message ?? ""}`.trim(),
        trackingId
      })
    }
    return response.ConversionGoalIds?.[0] ?? undefined
  }).pipe(Effect.withSpan("OfflineGoals.create", { attributes: { name: spec.name } }))
