/**
 * The definitions of `uplink goals list` and `uplink goals create` (flags and help); their runs (`../run/goals.ts`)
 * are imported when a command runs. The goal categories of `--category` come from the AddConversionGoals contract.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { wire_ConversionGoalCategory } from "@uplink/campaign-management/operations/AddConversionGoals"
import type * as Schemas from "@uplink/campaign-management/schemas"
import * as Limits from "@uplink/core/Limits"
import * as Effect from "effect/Effect"
import { connection, integerFlag, json, numberFlag } from "../options.js"

const run = () => Effect.promise(() => import("../run/goals.js"))

const listFlags = { ...connection, json }

export type ListFlags = Command.Command.ParseConfig<typeof listFlags>

const list = Command.make("list", listFlags, (flags) =>
  Effect.flatMap(run(), ({ listGoals }) => listGoals(flags))
).pipe(Command.withDescription("list the account's offline conversion goals"))

/** The ConversionGoalCategory values of the contracts. */
const goalCategories = (() => {
  const type = wire_ConversionGoalCategory
  return (type?.kind === "enum" ? type.values : ["Purchase"]) as ReadonlyArray<Schemas.ConversionGoalCategory>
})()

const createFlags = {
  name: Options.text("name").pipe(Options.withDescription("the goal name; uploads must use it as ConversionName")),
  window: integerFlag(
    "conversion-window-days",
    Limits.conversionWindowDays,
    "days after a click in which conversions count (default 30)"
  ).pipe(Options.withDefault(30)),
  countType: Options.choice("count-type", ["All", "Unique"]).pipe(Options.withDefault("All" as const)),
  value: numberFlag("value", Limits.goalValue, "fixed revenue per conversion (default: the upload's value)").pipe(
    Options.optional
  ),
  currency: Options.text("currency").pipe(Options.withDescription("currency of --value, e.g. USD"), Options.optional),
  category: Options.choice("category", goalCategories).pipe(
    Options.withDescription("goal category"),
    Options.withDefault("Purchase" as Schemas.ConversionGoalCategory)
  )
}

const allCreateFlags = { ...createFlags, ...connection, json }

export type CreateFlags = Command.Command.ParseConfig<typeof allCreateFlags>

const create = Command.make("create", allCreateFlags, (flags) =>
  Effect.flatMap(run(), ({ createGoal }) => createGoal(flags))
).pipe(Command.withDescription("create an offline conversion goal (AddConversionGoals)"))

export const goalsCommand = Command.make("goals").pipe(
  Command.withDescription("offline conversion goals"),
  Command.withSubcommands([list, create])
)
