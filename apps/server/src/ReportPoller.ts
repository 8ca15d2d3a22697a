/**
 * The background poller of Microsoft's per-goal attribution report: at start and then every
 * `UPLINK_REPORT_POLL_INTERVAL` (default hourly) it lists the account's offline conversion goals, fetches
 * GetOfflineConversionReportByGoalIds for them over the last 7 UTC days (one request per 20 goals; REST, whatever
 * `MSADS_TRANSPORT` says: the operation is REST-only), joins it with what this server delivered (the ledger in the
 * outbox database), keeps the result for `GET /v1/goals/{id}/health` and sets the per-goal gauges of `/metrics`.
 *
 * The report comes from a `ReportSource` (production: `CoreDeliverer.layerWithReportsFromEnv`, over the delivery
 * credentials; tests: their own). Without one — delivery not configured — the poller does not run and health answers
 * that no report is available. A failed fetch keeps the last good report (its `checkedAt` says how old it is) and is
 * logged once until a fetch succeeds again. Sleeps are on the Effect `Clock`, so tests drive it with `TestClock`.
 */
import { Ledger, Reconciliation } from "@uplink/core"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { describeOutboxError, Outbox } from "./Outbox.js"
import { ServerConfig } from "./ServerConfig.js"
import * as ServerMetrics from "./ServerMetrics.js"

/** An offline conversion goal of the account. */
export interface SourceGoal {
  readonly id: bigint
  readonly name: string
}

/** Where the report comes from: the account's goals and Microsoft's per-goal report for the UTC days given. */
export interface ReportSourceShape {
  readonly goals: Effect.Effect<ReadonlyArray<SourceGoal>, { readonly message: string }>
  readonly report: (
    ids: ReadonlyArray<bigint>,
    fromMs: number,
    toMs: number
  ) => Effect.Effect<ReadonlyArray<Reconciliation.GoalReport>, { readonly message: string }>
}

export class ReportSource extends Context.Tag("@uplink/server/ReportSource")<ReportSource, ReportSourceShape>() {}

/** The last report the poller fetched. */
export interface PolledReport {
  readonly checkedAt: number
  readonly from: string
  readonly to: string
  readonly goals: ReadonlyMap<string, Reconciliation.GoalReport>
}

/** Why there is no report to show. */
export type NoReport = { readonly reason: string }

export interface ReportPollerShape {
  /** The last report, or why there is none. */
  readonly latest: Effect.Effect<Option.Option<PolledReport>>
  /** Why there is no report (not configured, not fetched yet, the last error). */
  readonly unavailable: Effect.Effect<string>
}

export class ReportPoller extends Context.Tag("@uplink/server/ReportPoller")<ReportPoller, ReportPollerShape>() {}

/** Days of the polled report: the last 7 UTC days, today included. */
export const REPORT_DAYS = 7

const DAY_MS = 86_400_000

/** Fetches the report once (goals, report, ledger) at the Clock's now. */
const pollOnce = (source: ReportSourceShape) =>
  Effect.gen(function* () {
    const outbox = yield* Outbox
    const now = yield* Clock.currentTimeMillis
    const toMs = Math.floor(now / DAY_MS) * DAY_MS
    const fromMs = toMs - (REPORT_DAYS - 1) * DAY_MS
    const goals = yield* source.goals
    const reports =
      goals.length === 0
        ? []
        : yield* source.report(
            goals.map((goal) => goal.id),
            fromMs,
            toMs
          )
    const from = Ledger.dayOf(fromMs)
    const to = Ledger.dayOf(toMs)
    const named = reports.map((report, i) => (report.name === "" ? { ...report, name: goals[i]?.name ?? "" } : report))
    const sent = yield* outbox
      .sent({ from, to, goals: named.map((report) => report.name) })
      .pipe(Effect.mapError((error) => ({ message: `the ledger could not be read: ${describeOutboxError(error)}` })))
    const joined = Reconciliation.reconcile(named, sent)
    return {
      checkedAt: now,
      from,
      to,
      goals: new Map(joined.map((report) => [report.id, report]))
    } satisfies PolledReport
  })

/** The poller: forked with the layer's scope when a `ReportSource` is provided. */
export const layer: Layer.Layer<ReportPoller, never, ServerConfig | Outbox> = Layer.scoped(
  ReportPoller,
  Effect.gen(function* () {
    const config = yield* ServerConfig
    const outbox = yield* Outbox
    const source = yield* Effect.serviceOption(ReportSource)
    const latest = yield* Ref.make(Option.none<PolledReport>())
    const lastError = yield* Ref.make(
      Option.isNone(source)
        ? "delivery is not configured (MSADS_* settings), so the per-goal report is not fetched"
        : "the per-goal report has not been fetched yet"
    )
    if (Option.isSome(source)) {
      const poll = pollOnce(source.value).pipe(
        Effect.provideService(Outbox, outbox),
        Effect.tap((report) =>
          Effect.all(
            [
              Ref.set(latest, Option.some(report)),
              ServerMetrics.recordGoalReports([...report.goals.values()]),
              Metric.increment(Metric.tagged(ServerMetrics.reportPolls, "result", "ok")),
              Ref.getAndSet(lastError, "").pipe(
                Effect.flatMap((before) =>
                  before.startsWith("the per-goal report could not be fetched")
                    ? Effect.logInfo("per-goal report fetched again")
                    : Effect.void
                )
              )
            ],
            { discard: true }
          )
        ),
        Effect.catchAll((error) =>
          Effect.gen(function* () {
            const reason = `the per-goal report could not be fetched: ${error.message}`
            yield* Metric.increment(Metric.tagged(ServerMetrics.reportPolls, "result", "failed"))
            const before = yield* Ref.getAndSet(lastError, reason)
            if (before !== reason) yield* Effect.logWarning(reason)
          })
        )
      )
      yield* Effect.forkScoped(
        Effect.forever(Effect.zipRight(poll, Effect.sleep(Duration.millis(config.reportPollIntervalMs))))
      )
    }
    return {
      latest: Ref.get(latest),
      unavailable: Ref.get(lastError).pipe(
        Effect.map((reason) => (reason === "" ? "the per-goal report is not available" : reason))
      )
    } satisfies ReportPollerShape
  })
)
