/**
 * The run of `uplink report --from <date> --to <date> [--goals <ids|names>]` (imported when the command runs; the
 * definition is in `../commands/report.ts`).
 *
 * Without `--goals`: GetOfflineConversionReports as a table of daily success and failure counts (or `--json`).
 * With `--goals`: the reconciliation — per goal and UTC day, what Uplink's ledger says was sent (accepted records)
 * next to what Microsoft counted and did not count, by reason, with a hint per reason (GetOfflineConversionReportByGoalIds,
 * 7-day windows and 20 goals per request as the API requires; a range longer than `Limits.reportDays` is refused
 * before any request). Goals are named by id or name (resolved through the account's goal list). The per-goal report is REST-only at Microsoft: it is fetched over REST whatever
 * `--transport` says (same credentials), and the run says so when the conversions go over SOAP.
 */
import * as NodeFs from "node:fs"
import { CampaignManagement, MsadsConfig, OfflineGoals } from "@uplink/core"
import * as Limits from "@uplink/core/Limits"
import { type Ledger, Reconciliation, ReportClient, UnattributedReasons } from "@uplink/core/reconciliation"
import * as Console from "effect/Console"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { ReportFlags } from "../commands/report.js"
import { ledgerPath, openLedger } from "../ledger.js"
import { configLayer } from "../options.js"
import { UserError } from "../userError.js"
import { clientLayer } from "./client.js"

/** A `--from` / `--to` day: a real calendar day (`2026-02-30` is refused, not read as March 2), midnight UTC. */
const parseDay = (flag: string, text: string): Effect.Effect<DateTime.Utc, UserError> => {
  const ms = Reconciliation.parseDay(text)
  return ms === undefined
    ? Effect.fail(
        new UserError({
          message: `--${flag} must be a date like 2026-11-01 (a UTC calendar day), got ${JSON.stringify(text)}`
        })
      )
    : Effect.succeed(DateTime.unsafeMake(ms))
}

/** `uplink report`. */
export const runReport = (flags: ReportFlags) =>
  Effect.gen(function* () {
    const start = yield* parseDay("from", flags.from)
    const last = yield* parseDay("to", flags.to)
    if (DateTime.lessThan(last, start)) {
      return yield* new UserError({
        message: `--to must not be before --from (got --from ${flags.from.trim()} --to ${flags.to.trim()})`
      })
    }
    if (Option.isSome(flags.goals)) {
      // Before any request: a per-goal report is fetched 7 days per request, so its range is bounded (core's rule).
      const [fromMs, lastMs] = [DateTime.toEpochMillis(start), DateTime.toEpochMillis(last)]
      if (Reconciliation.rangeProblem(fromMs, lastMs) !== undefined) {
        const days = Reconciliation.dayCount(fromMs, lastMs)
        return yield* new UserError({
          message:
            `--from ${flags.from.trim()} --to ${flags.to.trim()} covers ${days} days; with --goals the report covers ` +
            `at most ${Limits.reportDays.max} days at once (Microsoft answers 7 days per request): narrow --from/--to, ` +
            `or run one report per ${Limits.reportDays.max} days`
        })
      }
      return yield* reconciliation(flags, flags.goals.value, start, last)
    }
    return yield* dailySummary(flags, start, DateTime.add(last, { days: 1 }))
  })

/** The daily summary of every goal (GetOfflineConversionReports). */
const dailySummary = (flags: ReportFlags, start: DateTime.Utc, end: DateTime.Utc) =>
  Effect.gen(function* () {
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

/** What was sent per goal and day, from the ledger; `null` when the ledger is off or was never written here. */
const sentFromLedger = (flags: ReportFlags, query: Ledger.SentQuery) =>
  Effect.gen(function* () {
    const path = yield* ledgerPath(flags)
    if (Option.isNone(path)) return { rows: null, note: "the ledger is off: sent counts are not shown" }
    const read = yield* Effect.scoped(
      Effect.flatMap(openLedger(path.value, { create: false }), (ledger) => ledger.sent(query))
    ).pipe(Effect.either)
    if (read._tag === "Right") return { rows: read.right, note: null, path: path.value }
    return {
      rows: null,
      note: NodeFs.existsSync(path.value)
        ? `${read.left.message}: sent counts are not shown`
        : `no ledger at ${path.value} (nothing was sent from here with a ledger): sent counts are not shown`
    }
  })

/** The reconciliation of the goals `specs` names over `start`..`last` (inclusive days). */
const reconciliation = (flags: ReportFlags, specs: string, start: DateTime.Utc, last: DateTime.Utc) =>
  Effect.gen(function* () {
    const config = yield* MsadsConfig
    if (config.transport === "soap" && !flags.json) {
      yield* Console.error(
        "uplink: the per-goal report is REST-only at Microsoft: it is fetched over REST (conversions still go over SOAP)"
      )
    }
    const listed = yield* OfflineGoals.list
    const whole = specs.trim()
    const goals = yield* Reconciliation.resolveGoals(
      listed.some((goal) => goal.Name === whole) ? [whole] : whole.split(","),
      listed
    ).pipe(Effect.mapError((error) => new UserError({ message: error.message })))
    if (goals.length === 0) return yield* new UserError({ message: "--goals names no goal" })
    const fromMs = DateTime.toEpochMillis(start)
    const toMs = DateTime.toEpochMillis(last)
    const reports = yield* Reconciliation.fetch(
      yield* ReportClient,
      goals.map((goal) => goal.id),
      fromMs,
      toMs
    )
    const named = reports.map((report, i) => (report.name === "" ? { ...report, name: goals[i]!.name } : report))
    const ledger = yield* sentFromLedger(flags, {
      from: flags.from.trim(),
      to: flags.to.trim(),
      goals: named.map((report) => report.name)
    })
    const joined = ledger.rows === null ? named : Reconciliation.reconcile(named, ledger.rows)
    if (flags.json) {
      const reasons = new Set(joined.flatMap((goal) => Object.keys(goal.unattributed)))
      yield* Console.log(
        JSON.stringify({
          from: flags.from.trim(),
          to: flags.to.trim(),
          ledger: "path" in ledger ? ledger.path : null,
          goals: joined,
          hints: Object.fromEntries([...reasons].map((reason) => [reason, UnattributedReasons.hintFor(reason)]))
        })
      )
      return
    }
    yield* Console.log(renderReconciliation(joined, ledger.note))
  }).pipe(
    Effect.provide(Layer.merge(ReportClient.layerConfig, MsadsConfig.layer).pipe(Layer.provide(configLayer(flags))))
  )

const cell = (value: number | null, width: number) => (value === null ? "-" : String(value)).padStart(width)

/** The reconciliation as text: per goal a header, a row per day, then the reasons with their hints. */
export const renderReconciliation = (goals: ReadonlyArray<Reconciliation.GoalReport>, note: string | null): string => {
  const lines: Array<string> = []
  for (const goal of goals) {
    if (lines.length > 0) lines.push("")
    const rate = goal.successCount + goal.unattributedCount === 0 ? "" : ` (${(goal.successRate * 100).toFixed(1)} %)`
    lines.push(
      `Goal ${JSON.stringify(goal.name)} (id ${goal.id}): sent ${goal.sent === null ? "-" : goal.sent}, counted ` +
        `${goal.successCount}${rate}, not counted ${goal.unattributedCount}`
    )
    if (goal.days.length === 0) {
      lines.push("  Nothing reported for these days.")
      continue
    }
    lines.push("  DATE          SENT   COUNTED   NOT COUNTED")
    for (const day of goal.days) {
      const reasons = Object.entries(day.unattributed)
        .map(([reason, n]) => `${reason} ${n}`)
        .join(", ")
      lines.push(
        `  ${day.date}  ${cell(day.sent, 6)}  ${cell(day.successCount, 8)}  ${cell(day.unattributedCount, 12)}` +
          (reasons === "" ? "" : `   ${reasons}`)
      )
    }
    const missing = goal.days.filter((day) => day.sent !== null && day.sent > day.successCount + day.unattributedCount)
    if (missing.length > 0) {
      lines.push(
        `  Microsoft does not report everything sent on ${missing.map((day) => day.date).join(", ")} yet ` +
          "(the report can take several hours)."
      )
    }
    const entries = Object.entries(goal.unattributed)
    if (entries.length > 0) {
      lines.push("  Not counted, and why:")
      for (const [reason, n] of entries) {
        lines.push(`    ${reason} ×${n}`, `      → ${UnattributedReasons.hintFor(reason)}`)
      }
    }
  }
  if (note !== null) lines.push("", `(${note})`)
  return lines.join("\n")
}
