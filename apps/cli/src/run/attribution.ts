/**
 * `uplink apply --wait-for-report`: did the run's records count? Before anything is sent, the run takes a baseline of
 * Microsoft's per-goal report for today (every offline goal of the account); after the run it asks again every few
 * seconds until, for every goal the run sent accepted records to, the report has grown by at least that many records
 * (counted or unattributed) — or until the timeout passes (Microsoft documents a delay of up to several hours). The
 * growth is the run's attribution outcome: counted, and unattributed by reason, with a hint per reason. Other uploads
 * to the same goals at the same time would be counted in too; the report cannot tell them apart.
 */
import {
  CampaignManagement,
  type CampaignManagementShape,
  OfflineGoals,
  Reconciliation,
  UnattributedReasons
} from "@uplink/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/** Microsoft's counts of one goal. */
interface Totals {
  readonly success: number
  readonly unattributed: number
  readonly reasons: Readonly<Record<string, number>>
}

/** The report before the run: the account's goals (name → id) and their counts today. */
export interface Baseline {
  readonly goals: ReadonlyMap<string, bigint>
  readonly counts: ReadonlyMap<string, Totals>
  readonly fromMs: number
}

const DAY_MS = 86_400_000
const startOfDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS

const totalsOf = (reports: ReadonlyArray<Reconciliation.GoalReport>): Map<string, Totals> =>
  new Map(
    reports.map((report) => [
      report.id,
      { success: report.successCount, unattributed: report.unattributedCount, reasons: report.unattributed }
    ])
  )

/** The baseline, with `client` for the goal list and `report` (REST) for the report. */
export const takeBaseline = (client: CampaignManagementShape, report: CampaignManagementShape, nowMs: number) =>
  Effect.gen(function* () {
    const listed = yield* Effect.provideService(OfflineGoals.list, CampaignManagement, client)
    const goals = new Map<string, bigint>()
    for (const goal of listed) if (goal.Name && goal.Id !== undefined && goal.Id !== null) goals.set(goal.Name, goal.Id)
    const fromMs = startOfDay(nowMs)
    const reports = goals.size === 0 ? [] : yield* Reconciliation.fetch(report, [...goals.values()], fromMs, fromMs)
    return { goals, counts: totalsOf(reports), fromMs } satisfies Baseline
  })

/** What the report says of one goal of the run. */
export interface GoalAttribution {
  readonly id: string
  readonly name: string
  /** Records of this goal the run sent and Microsoft accepted. */
  readonly sent: number
  readonly successCount: number
  readonly unattributedCount: number
  readonly unattributed: Readonly<Record<string, number>>
}

/** How the wait ended. */
export interface AttributionResult {
  readonly status: "covered" | "timeout" | "interrupted" | "failed" | "nothing-sent"
  readonly waitedSeconds: number
  readonly goals: ReadonlyArray<GoalAttribution>
  /** Goal names the run sent to that match no goal of the account (Microsoft drops such conversions). */
  readonly unknownGoals: ReadonlyArray<string>
  readonly message: string | null
}

const growth = (before: Totals | undefined, after: Totals): Totals => {
  const reasons: Record<string, number> = {}
  for (const [reason, n] of Object.entries(after.reasons)) {
    const grown = n - (before?.reasons[reason] ?? 0)
    if (grown > 0) reasons[reason] = grown
  }
  return {
    success: after.success - (before?.success ?? 0),
    unattributed: after.unattributed - (before?.unattributed ?? 0),
    reasons
  }
}

/** Resolves once `signal` aborts. */
const aborted = (signal: AbortSignal) =>
  Effect.async<void>((resume) => {
    if (signal.aborted) return resume(Effect.void)
    const done = () => resume(Effect.void)
    signal.addEventListener("abort", done, { once: true })
    return Effect.sync(() => signal.removeEventListener("abort", done))
  })

/**
 * Waits for the report to cover `sent` (accepted records per goal name), asking every `interval` up to `timeout`;
 * `stop` (Ctrl-C) ends the wait early.
 */
export const awaitReport = (
  report: CampaignManagementShape,
  baseline: Baseline,
  sent: ReadonlyMap<string, number>,
  timeout: Duration.Duration,
  interval: Duration.Duration,
  stop: AbortSignal
): Effect.Effect<AttributionResult> =>
  Effect.gen(function* () {
    const started = Date.now()
    const waited = () => Math.round((Date.now() - started) / 1000)
    const unknownGoals = [...sent.keys()].filter((name) => !baseline.goals.has(name))
    const watched = [...sent].filter(([name, n]) => n > 0 && baseline.goals.has(name))
    if (watched.length === 0) {
      return {
        status: "nothing-sent",
        waitedSeconds: 0,
        goals: [],
        unknownGoals,
        message: "no record of the run was accepted for a goal of the account: nothing to wait for"
      } satisfies AttributionResult
    }
    const ids = watched.map(([name]) => baseline.goals.get(name)!)
    let last: ReadonlyArray<GoalAttribution> = []
    for (;;) {
      const now = Date.now()
      const fetched = yield* Effect.either(Reconciliation.fetch(report, ids, baseline.fromMs, startOfDay(now)))
      if (fetched._tag === "Left") {
        return {
          status: "failed",
          waitedSeconds: waited(),
          goals: last,
          unknownGoals,
          message: `the report could not be fetched: ${fetched.left.message}`
        } satisfies AttributionResult
      }
      const totals = totalsOf(fetched.right)
      last = watched.map(([name, count], index): GoalAttribution => {
        const id = ids[index]!.toString()
        const grown = growth(baseline.counts.get(id), totals.get(id) ?? { success: 0, unattributed: 0, reasons: {} })
        return {
          id,
          name,
          sent: count,
          successCount: grown.success,
          unattributedCount: grown.unattributed,
          unattributed: grown.reasons
        }
      })
      if (last.every((goal) => goal.successCount + goal.unattributedCount >= goal.sent)) {
        return { status: "covered", waitedSeconds: waited(), goals: last, unknownGoals, message: null }
      }
      const left = Duration.toMillis(timeout) - (Date.now() - started)
      if (left <= 0) {
        return {
          status: "timeout",
          waitedSeconds: waited(),
          goals: last,
          unknownGoals,
          message:
            `Microsoft's report did not cover the run within ${Duration.format(timeout)} (it can take several hours). ` +
            `Look later: uplink report --goals ${JSON.stringify(watched.map(([name]) => name).join(","))} --from ` +
            `${new Date(baseline.fromMs).toISOString().slice(0, 10)} --to ${new Date(now).toISOString().slice(0, 10)}`
        } satisfies AttributionResult
      }
      const stopped = yield* Effect.raceFirst(
        Effect.as(Effect.sleep(Duration.millis(Math.min(left, Duration.toMillis(interval)))), false),
        Effect.as(aborted(stop), true)
      )
      if (stopped) {
        return {
          status: "interrupted",
          waitedSeconds: waited(),
          goals: last,
          unknownGoals,
          message: "stopped waiting for the report (Ctrl-C)"
        } satisfies AttributionResult
      }
    }
  })

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

/** The attribution outcome as lines for the summary. */
export const renderAttribution = (result: AttributionResult): ReadonlyArray<string> => {
  const lines = [
    "",
    `Attribution (Microsoft's per-goal report, ${result.status === "covered" ? "after" : "waited"} ${result.waitedSeconds} s):`
  ]
  for (const goal of result.goals) {
    lines.push(
      `  ${JSON.stringify(goal.name)} (id ${goal.id}): sent ${goal.sent}, counted ${goal.successCount}, ` +
        `not counted ${goal.unattributedCount}`
    )
    for (const [reason, n] of Object.entries(goal.unattributed)) {
      lines.push(`    ${reason} ×${n}`, `      → ${UnattributedReasons.hintFor(reason)}`)
    }
  }
  for (const name of result.unknownGoals) {
    lines.push(
      `  ${JSON.stringify(name)}: no goal of the account has this name; Microsoft drops such conversions without an ` +
        "error (create the goal, or fix the name: uplink goals list)"
    )
  }
  if (result.message !== null) lines.push(`  ${result.message}`)
  if (result.status === "covered" && result.goals.every((goal) => goal.unattributedCount === 0)) {
    lines.push(
      `  Every one of the ${plural(
        result.goals.reduce((sum, goal) => sum + goal.sent, 0),
        "record"
      )} counted.`
    )
  }
  return lines
}
