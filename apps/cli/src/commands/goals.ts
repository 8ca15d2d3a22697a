/**
 * `uplink goals list` and `uplink goals create`: the account's offline conversion goals (GetConversionGoalsByIds with
 * the OfflineConversion type; AddConversionGoals with an OfflineConversionGoal).
 */
import { Command, Options } from "@effect/cli"
import { wire_ConversionGoalCategory } from "@uplink/campaign-management/operations/AddConversionGoals"
import type * as Schemas from "@uplink/campaign-management/schemas"
import { Limits, OfflineGoals } from "@uplink/core"
import { Console, Effect, Option } from "effect"
import { recordGoalCreated } from "../goalTimes.js"
import { clientLayer, connection, integerFlag, json, numberFlag } from "../options.js"

const table = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd()
    )
    .join("\n")
}

const revenueText = (revenue: Schemas.ConversionGoalRevenue | null | undefined): string => {
  if (revenue == null || revenue.Type == null) return "-"
  if (revenue.Type === "NoValue") return "none"
  return `${revenue.Type}${revenue.Value == null ? "" : ` ${revenue.Value}`}${revenue.CurrencyCode ? ` ${revenue.CurrencyCode}` : ""}`
}

const list = Command.make("list", { ...connection, json }, (flags) =>
  Effect.gen(function* () {
    const goals = yield* OfflineGoals.list
    if (flags.json) {
      yield* Console.log(
        JSON.stringify(
          goals.map((goal) => ({
            id: goal.Id?.toString() ?? null,
            name: goal.Name ?? null,
            status: goal.Status ?? null,
            countType: goal.CountType ?? null,
            conversionWindowInMinutes: goal.ConversionWindowInMinutes ?? null,
            scope: goal.Scope ?? null
          }))
        )
      )
      return
    }
    if (goals.length === 0) {
      yield* Console.log(
        "No offline conversion goals in this account. Create one with `uplink goals create --name <name>`."
      )
      return
    }
    const rows = [
      ["ID", "NAME", "STATUS", "COUNT", "WINDOW (MIN)", "REVENUE", "SCOPE"],
      ...goals.map((goal) => [
        goal.Id?.toString() ?? "-",
        goal.Name ?? "-",
        goal.Status ?? "-",
        goal.CountType ?? "-",
        goal.ConversionWindowInMinutes?.toString() ?? "-",
        revenueText(goal.Revenue),
        goal.Scope ?? "-"
      ])
    ]
    yield* Console.log(table(rows))
  }).pipe(Effect.provide(clientLayer(flags)))
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

const create = Command.make("create", { ...createFlags, ...connection, json }, (flags) =>
  Effect.gen(function* () {
    const id = yield* OfflineGoals.create({
      name: flags.name,
      conversionWindowDays: flags.window,
      countType: flags.countType,
      value: Option.getOrUndefined(flags.value),
      currencyCode: Option.getOrUndefined(flags.currency),
      category: flags.category
    })
    yield* recordGoalCreated(flags.name, new Date())
    if (flags.json) yield* Console.log(JSON.stringify({ id: id?.toString() ?? null, name: flags.name }))
    else {
      yield* Console.log(`Created offline conversion goal ${JSON.stringify(flags.name)} (id ${id?.toString() ?? "?"}).`)
      yield* Console.log("Microsoft accepts conversions for a new goal after two hours (5615 until then).")
    }
  }).pipe(Effect.provide(clientLayer(flags)))
).pipe(Command.withDescription("create an offline conversion goal (AddConversionGoals)"))

export const goalsCommand = Command.make("goals").pipe(
  Command.withDescription("offline conversion goals"),
  Command.withSubcommands([list, create])
)
