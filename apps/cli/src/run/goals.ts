/**
 * The runs of `uplink goals list` and `uplink goals create` (imported when the command runs; the definitions are in
 * `../commands/goals.ts`): the account's offline conversion goals (GetConversionGoalsByIds with
 * the OfflineConversion type; AddConversionGoals with an OfflineConversionGoal).
 */
import type * as Schemas from "@uplink/campaign-management/schemas"
import { GoalTimes, OfflineGoals } from "@uplink/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { CreateFlags, ListFlags } from "../commands/goals.js"
import { clientLayer } from "./client.js"

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

/** `uplink goals list`. */
export const listGoals = (flags: ListFlags) =>
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

/** `uplink goals create`. */
export const createGoal = (flags: CreateFlags) =>
  Effect.gen(function* () {
    const id = yield* OfflineGoals.create({
      name: flags.name,
      conversionWindowDays: flags.window,
      countType: flags.countType,
      value: Option.getOrUndefined(flags.value),
      currencyCode: Option.getOrUndefined(flags.currency),
      category: flags.category
    })
    yield* GoalTimes.record(flags.name, new Date())
    if (flags.json) yield* Console.log(JSON.stringify({ id: id?.toString() ?? null, name: flags.name }))
    else {
      yield* Console.log(`Created offline conversion goal ${JSON.stringify(flags.name)} (id ${id?.toString() ?? "?"}).`)
      yield* Console.log("Microsoft accepts conversions for a new goal after two hours (5615 until then).")
    }
  }).pipe(Effect.provide(clientLayer(flags)))
