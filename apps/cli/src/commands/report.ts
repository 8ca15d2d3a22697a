/**
 * The definition of `uplink report --from <date> --to <date> [--goals <ids|names>]` (flags and help); the run
 * (`../run/report.ts`) is imported when the command runs.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import { connection, json, ledgerFlags } from "../options.js"

const dateFlag = (name: "from" | "to") =>
  Options.text(name).pipe(Options.withDescription(`${name === "from" ? "first" : "last"} day, YYYY-MM-DD (UTC)`))

const goals = Options.text("goals").pipe(
  Options.withDescription(
    "comma-separated goal ids or names: the per-goal reconciliation (sent by Uplink, counted by Microsoft, and why " +
      "the rest did not count) instead of the daily summary"
  ),
  Options.optional
)

const flags = { from: dateFlag("from"), to: dateFlag("to"), goals, ...ledgerFlags, ...connection, json }

export type ReportFlags = Command.Command.ParseConfig<typeof flags>

export const reportCommand = Command.make("report", flags, (values) =>
  Effect.flatMap(
    Effect.promise(() => import("../run/report.js")),
    ({ runReport }) => runReport(values)
  )
).pipe(
  Command.withDescription(
    "daily success and failure counts of offline conversion uploads; with --goals, what counted per goal and day"
  )
)
