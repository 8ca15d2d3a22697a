/**
 * The run of `uplink report --from <date> --to <date>` (imported when the command runs; the definition is in
 * `../commands/report.ts`): GetOfflineConversionReports as a table of daily success and failure
 * counts (or `--json`).
 */
import { CampaignManagement } from "@uplink/core"
import * as Console from "effect/Console"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import type { ReportFlags } from "../commands/report.js"
import { UserError } from "../userError.js"
import { clientLayer } from "./client.js"

const parseDay = (flag: string, text: string): Effect.Effect<DateTime.Utc, UserError> => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim())
  const date = match === null ? undefined : DateTime.make(`${text.trim()}T00:00:00Z`)
  return date === undefined || date._tag === "None"
    ? Effect.fail(new UserError({ message: `--${flag} must be a date like 2026-11-01, got ${JSON.stringify(text)}` }))
    : Effect.succeed(DateTime.toUtc(date.value))
}

/** `uplink report`. */
export const runReport = (flags: ReportFlags) =>
  Effect.gen(function* () {
    const start = yield* parseDay("from", flags.from)
    const end = DateTime.add(yield* parseDay("to", flags.to), { days: 1 })
    if (DateTime.lessThanOrEqualTo(end, start)) {
      return yield* new UserError({ message: "--to must not be before --from" })
    }
    const client = yield* CampaignManagement
    const { response } = yield* client.call("GetOfflineConversionReports", { StartDateUtc: start, EndDateUtc: end })
    const days = (response.DailySummaries ?? []).filter((d) => d !== null)
    const rows = days.map((day) => ({
      date: day.UploadDate === undefined ? null : DateTime.formatIso(day.UploadDate).slice(0, 10),
      success: day.SuccessCount ?? 0,
      failure: day.FailureCount ?? 0
    }))
    if (flags.json) {
      yield* Console.log(JSON.stringify({ from: flags.from, to: flags.to, days: rows }))
      return
    }
    if (rows.length === 0) {
      yield* Console.log(`No offline conversion uploads between ${flags.from} and ${flags.to}.`)
      return
    }
    yield* Console.log(
      [
        "DATE        SUCCESS   FAILURE",
        ...rows.map(
          (r) => `${(r.date ?? "?").padEnd(10)}  ${String(r.success).padStart(7)}   ${String(r.failure).padStart(7)}`
        )
      ].join("\n")
    )
    const total = rows.reduce((sum, r) => ({ success: sum.success + r.success, failure: sum.failure + r.failure }), {
      success: 0,
      failure: 0
    })
    yield* Console.log(`total       ${String(total.success).padStart(7)}   ${String(total.failure).padStart(7)}`)
  }).pipe(Effect.provide(clientLayer(flags)))
