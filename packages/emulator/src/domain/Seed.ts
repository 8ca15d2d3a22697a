/**
 * The seed file and the admin API's JSON bodies (packages/emulator/README.md, "Admin API"): clicks as `{"<clickId>": "<ISO click time>"}`, goals
 * as `[{"name", "createdAt", "conversionWindowInMinutes", "countType", "revenue": {"type", "value", "currencyCode"},
 * "scope", "isExternallyAttributed", "isEnhancedConversionsEnabled"}]` (plus optional "status" and "goalCategory").
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { GoalSpec } from "./Goals.js"

const IsoDateTime = Schema.String.pipe(
  Schema.filter((text) => !Number.isNaN(Date.parse(text)), { message: () => "an ISO 8601 date-time" })
)

/** `{"<clickId>": "<ISO click time>", …}` */
export const ClicksBody = Schema.Record({ key: Schema.String, value: IsoDateTime })

/** One goal of a seed file or of `POST /__emulator/goals`. */
export const GoalBody = Schema.Struct({
  name: Schema.String,
  createdAt: Schema.optional(IsoDateTime),
  conversionWindowInMinutes: Schema.optional(Schema.Int),
  countType: Schema.optional(Schema.Literal("All", "Unique")),
  revenue: Schema.optional(
    Schema.Struct({
      type: Schema.optional(Schema.Literal("FixedValue", "VariableValue", "NoValue")),
      value: Schema.optional(Schema.NullOr(Schema.Number)),
      currencyCode: Schema.optional(Schema.NullOr(Schema.String))
    })
  ),
  scope: Schema.optional(Schema.Literal("Account", "Customer")),
  status: Schema.optional(Schema.Literal("Active", "Paused")),
  goalCategory: Schema.optional(
    Schema.Literal(
      "Purchase",
      "AddToCart",
      "BeginCheckout",
      "Subscribe",
      "SubmitLeadForm",
      "BookAppointment",
      "Signup",
      "RequestQuote",
      "GetDirections",
      "OutboundClick",
      "Contact",
      "PageView",
      "Other"
    )
  ),
  isExternallyAttributed: Schema.optional(Schema.Boolean),
  isEnhancedConversionsEnabled: Schema.optional(Schema.Boolean)
})

/** `[goal, …]` */
export const GoalsBody = Schema.Array(GoalBody)

/** A seed file. */
export const SeedFile = Schema.Struct({
  clicks: Schema.optional(ClicksBody),
  goals: Schema.optional(GoalsBody)
})
export type SeedFile = typeof SeedFile.Type

/** A goal body as the goal store takes it. */
export const goalSpec = (goal: typeof GoalBody.Type): GoalSpec => ({
  ...goal,
  createdAt: goal.createdAt === undefined ? undefined : Date.parse(goal.createdAt)
})

/** Decodes a JSON value with a schema; Left is a readable message naming the offending path. */
export const decodeJson = <A, I>(schema: Schema.Schema<A, I>, value: unknown): Either.Either<A, string> =>
  Schema.decodeUnknownEither(schema, { onExcessProperty: "error" })(value).pipe(
    Either.mapLeft((error) => ParseResult.TreeFormatter.formatErrorSync(error))
  )
