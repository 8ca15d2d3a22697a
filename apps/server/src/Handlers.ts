/**
 * The handlers of the API groups. Intake checks every record (`RecordIntake`), commits the valid ones to the outbox
 * in one transaction and only then answers `202` with their ids — or `422` when none is valid, `413` past the record
 * limit, `503 outbox_unavailable` with the database's reason when the outbox cannot commit (nothing acknowledged; the outbox
 * logs the failure once, not per request). A record repeated within the request under the same id is answered like
 * the first and queued once, so `uplink_records_enqueued_total` counts exactly the rows inserted. Record status,
 * metrics and probes read the outbox and the deliverer; `/readyz` fails while the outbox cannot be written.
 *
 * A record whose goal does not take conversions yet is enqueued `waiting` until it does: known from a 5615 answer
 * (the outbox's goal readiness) or from the creation time Uplink recorded when it created the goal (@uplink/core's
 * `GoalTimes`, the file `uplink goals create` writes beside the token file, read again when it changes). Intake counts each request's identifier
 * hygiene per goal for `/metrics`. `/v1/goals/{id}/health` answers from the report poller and the outbox.
 */
import * as NodeCrypto from "node:crypto"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as SqlError from "@effect/sql/SqlError"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { GoalReadiness, GoalTimes } from "@uplink/core"
import {
  BadRequest,
  GoalHealth,
  GoalNotFound,
  IntakeAccepted,
  IntakeRejected,
  NotReady,
  OutboxUnavailable,
  PayloadTooLarge,
  Readiness,
  RecordNotFound,
  RecordView,
  ReportUnavailable,
  UplinkApi
} from "./Api.js"
import { Deliverer } from "./Deliverer.js"
import { loggableKeys } from "./Logging.js"
import { describeOutboxError, type NewRecord, Outbox, type OutboxFileError, type RecordKind } from "./Outbox.js"
import { prepareRecords } from "./RecordIntake.js"
import { ReportPoller } from "./ReportPoller.js"
import { ServerConfig } from "./ServerConfig.js"
import * as ServerMetrics from "./ServerMetrics.js"
import { Worker } from "./Worker.js"

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The records of a body: `{ "records": [...] }` or one record. */
const recordsOf = (body: unknown): Effect.Effect<ReadonlyArray<unknown>, BadRequest> => {
  if (!isPlainObject(body)) {
    return Effect.fail(
      new BadRequest({
        error: "bad_request",
        message: 'the body must be one record (a JSON object) or { "records": [...] }'
      })
    )
  }
  if (!("records" in body)) return Effect.succeed([body])
  if (!Array.isArray(body.records))
    return Effect.fail(new BadRequest({ error: "bad_request", message: '"records" must be an array of records' }))
  if (body.records.length === 0)
    return Effect.fail(new BadRequest({ error: "bad_request", message: '"records" is empty' }))
  return Effect.succeed(body.records)
}

/** The `503` of a request the outbox could not serve; the outbox itself logs the cause when it starts failing. */
const outboxUnavailable = (what: string) => (error: SqlError.SqlError | OutboxFileError) =>
  Effect.fail(
    new OutboxUnavailable({
      error: "outbox_unavailable",
      message: `the outbox ${what}: ${describeOutboxError(error)}`
    })
  )

/** Intake of one request for `kind`; `goalTimes` answers the goal creation times Uplink recorded (goals.json). */
const intake = (kind: RecordKind, body: unknown, goalTimes: Effect.Effect<GoalTimes.GoalTimes>) =>
  Effect.gen(function* () {
    const config = yield* ServerConfig
    const outbox = yield* Outbox
    const worker = yield* Worker
    const items = yield* recordsOf(body)
    if (items.length > config.maxRecords) {
      return yield* Effect.fail(
        new PayloadTooLarge({
          error: "payload_too_large",
          message: `${items.length} records in one request; at most ${config.maxRecords} (UPLINK_MAX_RECORDS)`
        })
      )
    }
    yield* Metric.incrementBy(ServerMetrics.forKind(ServerMetrics.received, kind), items.length)
    const now = yield* Clock.currentTimeMillis
    const checked = prepareRecords(kind, items, now, config)
    if (checked.unknownFields.length > 0) {
      yield* Effect.logWarning("unknown fields ignored").pipe(
        Effect.annotateLogs({ kind, ...loggableKeys(checked.unknownFields) })
      )
    }
    if (checked.refused.length > 0) {
      yield* Metric.incrementBy(ServerMetrics.forKind(ServerMetrics.invalid, kind), checked.refused.length)
    }
    yield* ServerMetrics.recordHygiene(checked.hygiene.byGoal)
    const invalid = [...checked.refused].sort((a, b) => a.index - b.index)
    if (checked.prepared.length === 0) return yield* Effect.fail(new IntakeRejected({ records: [], invalid }))

    const goalOf = (fields: object): string | undefined => {
      const name = (fields as { readonly ConversionName?: unknown }).ConversionName
      return typeof name === "string" ? name : undefined
    }
    const goals = [...new Set(checked.prepared.flatMap((record) => goalOf(record.fields) ?? []))]
    const notReady = new Map(GoalReadiness.notReady(yield* goalTimes, now))
    const refused = yield* outbox
      .goalsReadyAt(goals, now)
      .pipe(Effect.catchAll(outboxUnavailable("could not be read, nothing was acknowledged; send the records again")))
    for (const [goal, readyAt] of refused) notReady.set(goal, Math.max(readyAt, notReady.get(goal) ?? 0))
    const records: Array<NewRecord> = checked.prepared.map((record) => {
      const goal = goalOf(record.fields)
      return {
        id: record.id ?? NodeCrypto.randomUUID(),
        kind,
        fields: record.fields,
        goal,
        waitUntil: goal === undefined ? undefined : notReady.get(goal)
      }
    })
    const results = yield* outbox
      .enqueue(records)
      .pipe(
        Effect.catchAll(outboxUnavailable("could not commit the records, nothing was acknowledged; send them again"))
      )
    const fresh = results.filter((result) => !result.repeated).length
    yield* Metric.incrementBy(ServerMetrics.forKind(ServerMetrics.enqueued, kind), fresh)
    if (fresh > 0) yield* worker.notify
    yield* Effect.logInfo("records queued").pipe(
      Effect.annotateLogs({
        kind,
        queued: fresh,
        repeated: results.length - fresh + checked.repeats.length,
        invalid: invalid.length
      })
    )
    const acknowledged = [
      ...results.map((result, position) => ({
        index: checked.prepared[position]!.index,
        id: result.id,
        status: result.status
      })),
      ...checked.repeats.map((repeat) => ({
        index: repeat.index,
        id: results[repeat.sameAs]!.id,
        status: results[repeat.sameAs]!.status
      }))
    ].sort((a, b) => a.index - b.index)
    return new IntakeAccepted({ records: acknowledged, invalid })
  })

/** The records group; goals.json is read again only when it changed, not on every request. */
export const recordsLive = HttpApiBuilder.group(UplinkApi, "records", (handlers) =>
  Effect.map(GoalTimes.makeRecordedReader, (goalTimes) =>
    handlers
      .handle("postConversions", ({ payload }) => intake("conversion", payload, goalTimes))
      .handle("postAdjustments", ({ payload }) => intake("adjustment", payload, goalTimes))
      .handle("getRecord", ({ path }) =>
        Effect.gen(function* () {
          const outbox = yield* Outbox
          const found = yield* outbox.get(path.id).pipe(Effect.catchAll(outboxUnavailable("could not be read")))
          if (Option.isNone(found))
            return yield* Effect.fail(new RecordNotFound({ error: "not_found", message: "no record has this id" }))
          const record = found.value
          return new RecordView({
            id: record.id,
            status: record.status,
            code: record.code,
            errorCode: record.errorCode,
            message: record.message,
            updatedAt: new Date(record.updatedAt).toISOString()
          })
        })
      )
  )
)

/** The goals group: a goal's health from the last polled report and the outbox. */
export const goalsLive = HttpApiBuilder.group(UplinkApi, "goals", (handlers) =>
  handlers.handle("getGoalHealth", ({ path }) =>
    Effect.gen(function* () {
      const poller = yield* ReportPoller
      const outbox = yield* Outbox
      const latest = yield* poller.latest
      if (Option.isNone(latest)) {
        return yield* Effect.fail(
          new ReportUnavailable({ error: "report_unavailable", message: yield* poller.unavailable })
        )
      }
      const report = latest.value.goals.get(path.id.trim())
      if (report === undefined) {
        return yield* Effect.fail(
          new GoalNotFound({
            error: "goal_not_found",
            message: `the report of ${new Date(latest.value.checkedAt).toISOString()} has no offline conversion goal with the id ${JSON.stringify(path.id)}`
          })
        )
      }
      const waiting = yield* outbox
        .waitingFor(report.name)
        .pipe(Effect.catchAll(outboxUnavailable("could not be read")))
      return new GoalHealth({
        id: report.id,
        name: report.name,
        from: latest.value.from,
        to: latest.value.to,
        checkedAt: new Date(latest.value.checkedAt).toISOString(),
        successCount: report.successCount,
        unattributedCount: report.unattributedCount,
        successRate: report.successRate,
        unattributed: report.unattributed,
        sent: report.sent,
        waiting: waiting.records,
        days: report.days
      })
    })
  )
)

/** The metrics group. */
export const metricsLive = HttpApiBuilder.group(UplinkApi, "metrics", (handlers) =>
  handlers.handle("metrics", () =>
    Effect.gen(function* () {
      const outbox = yield* Outbox
      const worker = yield* Worker
      yield* outbox.gauges(worker.owner).pipe(
        Effect.flatMap((gauges) => ServerMetrics.recordOutboxGauges(gauges, worker.owner)),
        Effect.catchAll((error) =>
          Effect.logWarning("queue depth unavailable").pipe(Effect.annotateLogs({ error: describeOutboxError(error) }))
        )
      )
      return yield* ServerMetrics.prometheusText
    })
  )
)

/**
 * The health group. `/readyz` writes to the outbox (`checkWritable`: after a failed write it must also find room for
 * more records), so it stays failing until a write succeeds again; "not ready" is logged when the reason changes, not
 * at every probe.
 */
export const healthLive = HttpApiBuilder.group(UplinkApi, "health", (handlers) =>
  Effect.gen(function* () {
    const lastNotReady = yield* Ref.make(Option.none<string>())
    return handlers
      .handle("healthz", () => Effect.succeed({ status: "ok" as const }))
      .handle("readyz", () =>
        Effect.gen(function* () {
          const outbox = yield* Outbox
          const deliverer = yield* Deliverer
          const outboxCheck = yield* outbox.checkWritable.pipe(
            Effect.as({ ok: true, detail: "writable" }),
            Effect.catchAll((error) =>
              Effect.succeed({ ok: false, detail: `not writable: ${describeOutboxError(error)}` })
            )
          )
          const credentials =
            deliverer.readiness._tag === "Ready"
              ? { ok: true, detail: deliverer.readiness.description }
              : { ok: false, detail: deliverer.readiness.reason }
          const checks = { outbox: outboxCheck, credentials }
          if (outboxCheck.ok && credentials.ok) {
            yield* Ref.set(lastNotReady, Option.none())
            return new Readiness({ ready: true, checks })
          }
          const reason = `${outboxCheck.detail}\u0000${credentials.detail}`
          const before = yield* Ref.getAndSet(lastNotReady, Option.some(reason))
          if (Option.isNone(before) || before.value !== reason) {
            yield* Effect.logWarning("not ready").pipe(
              Effect.annotateLogs({ outbox: outboxCheck.detail, credentials: credentials.detail })
            )
          }
          return yield* Effect.fail(new NotReady({ ready: false, checks }))
        })
      )
  })
)

/** Every group. */
export const handlersLive = Layer.mergeAll(recordsLive, goalsLive, metricsLive, healthLive)
