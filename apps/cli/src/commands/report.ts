/**
 * The definition of `uplink report --from <date> --to <date>` (flags and help); the run (`../run/report.ts`) is
 * imported when the command runs.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import { connection, json } from "../options.js"

const dateFlag = (name: "from" | "to") =>
  Options.text(name).pipe(Options.withDescription(`${name === "from" ? "first" : "last"} day, YYYY-MM-DD (UTC)`))

const flags = { from: dateFlag("from"), to: dateFlag("to"), ...connection, json }

export type ReportFlags = Command.Command.ParseConfig<typeof flags>

export const reportCommand = Command.make("report", flags, (values) =>
  Effect.flatMap(
    Effect.promise(() => import("../run/report.js")),
    ({ runReport }) => runReport(values)
  )
).pipe(Command.withDescription("daily success and failure counts of offline conversion uploads"))
