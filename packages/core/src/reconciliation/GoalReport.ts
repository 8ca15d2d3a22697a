/**
 * Did it count? Microsoft's per-goal report (GetOfflineConversionReportByGoalIds: success and unattributed counts by
 * reason, per goal and UTC upload day), fetched as the API requires — at most 20 goal ids and 7 days per request, so
 * a longer range or more goals take several requests, and a range is at most `Limits.reportDays` long — and merged
 * into one entry per goal; then joined with what Uplink's ledger says was sent (`reconcile`). The operation is
 * REST-only at Microsoft: fetch it through a REST client (`ReportClient`) whatever transport the conversions go over.
 *
 * Invariants: totals are Microsoft's (the sums of each request's overall counts); days are its daily summaries, plus
 * the days the ledger knows of that Microsoft does not report yet (their Microsoft counts 0); counts are numbers.
 */
import type * as Schemas from "@uplink/campaign-management/schemas"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import type { CampaignManagementShape } from "../CampaignManagement.js"
import * as Limits from "../config/Limits.js"
import type { CampaignManagementError } from "../errors/CampaignManagementError.js"
import type { SentDay } from "../ledger/Ledger.js"

/** Goal ids per request ("up to 20 goal IDs"). */
export const MAX_GOALS_PER_REQUEST = 20

/** Days per request ("the date range is up to 7 days"). */
export const MAX_DAYS_PER_REQUEST = 7

/** Unattributed counts by Microsoft's reason name. */
export type ReasonCounts = Readonly<Record<string, number>>

/** One goal on one UTC upload day. */
export interface DayReport {
  /** `YYYY-MM-DD`. */
  readonly date: string
  readonly successCount: number
  readonly unattributedCount: number
  readonly unattributed: ReasonCounts
  /** Records of this goal Uplink's ledger says were sent and accepted that day (`null`: no ledger). */
  readonly sent: number | null
}

/** One goal over the whole range. */
export interface GoalReport {
  readonly id: string
  readonly name: string
  readonly successCount: number
  readonly unattributedCount: number
  /** success / (success + unattributed), 0 when Microsoft reports nothing. */
  readonly successRate: number
  readonly unattributed: ReasonCounts
  /** Accepted records the ledger knows of for this goal in the range (`null`: no ledger). */
  readonly sent: number | null
  readonly days: ReadonlyArray<DayReport>
}

/** The report cannot be made as asked (with what to do). */
export class GoalReportError extends Data.TaggedError("GoalReportError")<{
  readonly reason: "UnknownGoal" | "InvalidRange" | "ServiceError"
  readonly message: string
}> {}

const DAY_MS = 86_400_000
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** The epoch ms of midnight UTC of a `YYYY-MM-DD` day, or undefined when it is not one. */
export const parseDay = (text: string): number | undefined => {
  const match = DATE.exec(text.trim())
  if (match === null) return undefined
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))
  return new Date(ms).toISOString().slice(0, 10) === text.trim() ? ms : undefined
}

const dayText = (ms: number): string => new Date(ms).toISOString().slice(0, 10)

/** How many days `fromMs`..`toMs` covers (midnights, both included). */
export const dayCount = (fromMs: number, toMs: number): number => Math.round((toMs - fromMs) / DAY_MS) + 1

/**
 * Why the days `fromMs`..`toMs` cannot be one report (the last before the first, or more days than
 * `Limits.reportDays`), or undefined when they can.
 */
export const rangeProblem = (fromMs: number, toMs: number): string | undefined => {
  if (toMs < fromMs) return "the last day is before the first day"
  const days = dayCount(fromMs, toMs)
  return Limits.contains(Limits.reportDays, days)
    ? undefined
    : `the per-goal report covers at most ${Limits.reportDays.max} days at once (Microsoft answers 7 days per ` +
        `request), and ${days} days were asked for`
}

/** The requests' date ranges for the days `from`..`to` (inclusive): 7 days each at most, `[first, last]` days. */
export const windows = (fromMs: number, toMs: number): ReadonlyArray<readonly [number, number]> => {
  const ranges: Array<readonly [number, number]> = []
  for (let start = fromMs; start <= toMs; start += MAX_DAYS_PER_REQUEST * DAY_MS) {
    ranges.push([start, Math.min(toMs, start + (MAX_DAYS_PER_REQUEST - 1) * DAY_MS)])
  }
  return ranges
}

const chunks = <A>(items: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

class GoalAccumulator {
  name = ""
  success = 0
  unattributed = 0
  readonly reasons = new Map<string, number>()
  readonly days = new Map<string, { success: number; unattributed: number; reasons: Map<string, number> }>()
}

const addAlerts = (into: Map<string, number>, alerts: Schemas.ArrayOfOfflineConversionAlert | null | undefined) => {
  for (const alert of alerts ?? []) {
    if (alert === null || alert.UnattributedReason === undefined) continue
    into.set(alert.UnattributedReason, (into.get(alert.UnattributedReason) ?? 0) + Number(alert.Count ?? 0n))
  }
}

const ordered = (reasons: ReadonlyMap<string, number>): ReasonCounts =>
  Object.fromEntries([...reasons].filter(([, n]) => n > 0).sort(([a, m], [b, n]) => n - m || a.localeCompare(b)))

/** success / all, four decimals; 0 when there is nothing. */
export const successRate = (success: number, unattributed: number): number =>
  success + unattributed === 0 ? 0 : Math.round((success / (success + unattributed)) * 10_000) / 10_000

/**
 * Microsoft's report for `goalIds` over the UTC days `fromMs`..`toMs` (midnights, inclusive), one entry per goal in
 * the order given, through `client` (a REST client: the operation is REST-only). `sent` is `null` on every entry;
 * `reconcile` fills it in.
 */
export const fetch = (
  client: CampaignManagementShape,
  goalIds: ReadonlyArray<bigint>,
  fromMs: number,
  toMs: number
): Effect.Effect<ReadonlyArray<GoalReport>, CampaignManagementError | GoalReportError> =>
  Effect.gen(function* () {
    const refused = rangeProblem(fromMs, toMs)
    if (refused !== undefined) return yield* new GoalReportError({ reason: "InvalidRange", message: refused })
    const unique = [...new Set(goalIds)]
    const goals = new Map<bigint, GoalAccumulator>(unique.map((id) => [id, new GoalAccumulator()]))
    for (const ids of chunks(unique, MAX_GOALS_PER_REQUEST)) {
      for (const [first, last] of windows(fromMs, toMs)) {
        const { response } = yield* client.call("GetOfflineConversionReportByGoalIds", {
          StartDateUtc: DateTime.unsafeMake(first) as DateTime.Utc,
          EndDateUtc: DateTime.unsafeMake(last) as DateTime.Utc,
          GoalIds: ids
        })
        const errors = (response.PartialErrors ?? []).filter((error) => error !== null)
        if (errors.length > 0) {
          const error = errors[0]!
          const id = error.Index === undefined || error.Index === null ? undefined : ids[error.Index]
          return yield* new GoalReportError({
            reason: error.Code === 5314 ? "UnknownGoal" : "ServiceError",
            message:
              error.Code === 5314 && id !== undefined
                ? `no conversion goal has the id ${id} in this account (uplink goals list shows them)`
                : `Microsoft refused the report request: ${error.Code ?? ""} ${error.ErrorCode ?? ""} ${error.Message ?? ""}`.trim()
          })
        }
        for (const summary of response.OfflineGoalConversionSummaries ?? []) {
          if (summary === null || summary.GoalId === undefined) continue
          const goal = goals.get(summary.GoalId)
          if (goal === undefined) continue
          if (summary.ConversionName) goal.name = summary.ConversionName
          goal.success += Number(summary.OverallSuccessCount ?? 0n)
          goal.unattributed += Number(summary.OverallUnattributedCount ?? 0n)
          addAlerts(goal.reasons, summary.OverallAlerts)
          for (const daily of summary.DailySummaries ?? []) {
            if (daily === null || daily.UploadDate === undefined) continue
            const date = dayText(daily.UploadDate.epochMillis)
            let day = goal.days.get(date)
            if (day === undefined) {
              day = { success: 0, unattributed: 0, reasons: new Map() }
              goal.days.set(date, day)
            }
            day.success += daily.SuccessCount ?? 0
            day.unattributed += daily.UnattributedCount ?? 0
            addAlerts(day.reasons, daily.Alerts)
          }
        }
      }
    }
    return unique.map((id): GoalReport => {
      const goal = goals.get(id)!
      return {
        id: id.toString(),
        name: goal.name,
        successCount: goal.success,
        unattributedCount: goal.unattributed,
        successRate: successRate(goal.success, goal.unattributed),
        unattributed: ordered(goal.reasons),
        sent: null,
        days: [...goal.days]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([date, day]) => ({
            date,
            successCount: day.success,
            unattributedCount: day.unattributed,
            unattributed: ordered(day.reasons),
            sent: null
          }))
      }
    })
  }).pipe(Effect.withSpan("Reconciliation.fetch", { attributes: { goals: goalIds.length } }))

const zeroDay = (date: string): DayReport => ({
  date,
  successCount: 0,
  unattributedCount: 0,
  unattributed: {},
  sent: 0
})

/**
 * The reports with what the ledger says was sent (`sent`: accepted records, by goal name and day). Days the ledger
 * knows of and Microsoft does not report (yet) are added with Microsoft's counts at 0.
 */
export const reconcile = (
  reports: ReadonlyArray<GoalReport>,
  sent: ReadonlyArray<SentDay>
): ReadonlyArray<GoalReport> =>
  reports.map((report) => {
    const byDay = new Map<string, number>()
    for (const row of sent) if (row.goal === report.name) byDay.set(row.day, (byDay.get(row.day) ?? 0) + row.accepted)
    const days = new Map(report.days.map((day) => [day.date, { ...day, sent: byDay.get(day.date) ?? 0 }]))
    for (const [date, accepted] of byDay) if (!days.has(date)) days.set(date, { ...zeroDay(date), sent: accepted })
    return {
      ...report,
      sent: [...byDay.values()].reduce((sum, n) => sum + n, 0),
      days: [...days.values()].sort((a, b) => a.date.localeCompare(b.date))
    }
  })

/** A goal named on the command line, found. */
export interface ResolvedGoal {
  readonly id: bigint
  readonly name: string
}

/**
 * The goals `specs` name — each an id or a name of the account's goals (`goals`, from `OfflineGoals.list`) — in the
 * order given, each once; fails naming every spec that matches no goal.
 */
export const resolveGoals = (
  specs: ReadonlyArray<string>,
  goals: ReadonlyArray<Schemas.ConversionGoalUnion>
): Effect.Effect<ReadonlyArray<ResolvedGoal>, GoalReportError> => {
  const resolved: Array<ResolvedGoal> = []
  const unknown: Array<string> = []
  for (const raw of specs) {
    const spec = raw.trim()
    if (spec === "") continue
    const goal =
      goals.find((candidate) => candidate.Name === spec) ??
      (/^[0-9]+$/.test(spec) ? goals.find((candidate) => candidate.Id?.toString() === spec) : undefined)
    if (goal === undefined || goal.Id === undefined || goal.Id === null) unknown.push(spec)
    else if (!resolved.some((found) => found.id === goal.Id)) resolved.push({ id: goal.Id, name: goal.Name ?? spec })
  }
  if (unknown.length > 0) {
    const known = goals
      .map((goal) => `${JSON.stringify(goal.Name ?? "")} (${goal.Id?.toString() ?? "?"})`)
      .slice(0, 10)
      .join(", ")
    return Effect.fail(
      new GoalReportError({
        reason: "UnknownGoal",
        message:
          `--goals: no offline conversion goal is named or numbered ${unknown.map((spec) => JSON.stringify(spec)).join(", ")}` +
          (known === "" ? "; the account has none (uplink goals create)" : `; the account has ${known}`)
      })
    )
  }
  return Effect.succeed(resolved)
}
