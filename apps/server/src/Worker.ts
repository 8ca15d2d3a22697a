/**
 * The delivery worker: claims due outbox records in batches of up to `batchSize` (1,000) — as soon as a full batch
 * is waiting, or when the oldest waiting record has waited `flushMs` — delivers them through the `Deliverer`, and
 * writes each record's outcome. While a batch is out, a heartbeat renews its lease so no other worker reclaims it;
 * records left `sending` by a worker that died are claimable again once their lease expires. Transient failures put
 * records back with capped exponential backoff (never sooner than a wait the service asked for); final outcomes are
 * written once, and only under the lease they were claimed with (a worker whose lease another instance took over
 * writes nothing). Writing outcomes is tried again, with backoff, while the lease can still hold, so a lost database
 * connection does not send a delivered batch again. Before it claims, the worker asks the `SharedThrottle` whether
 * delivery is paused after a 117 (seen by any instance sharing the outbox) and waits that pause out. Intake wakes the
 * worker through `notify`. On shutdown the worker stops claiming, lets an in-flight batch finish for
 * `shutdownGraceMs`, and otherwise releases it to `pending` for the next start.
 *
 * Goal readiness: a record Microsoft refuses with 5615 (its goal is younger than two hours) is not final. The worker
 * records the answer in the outbox (`notAccepted`: the goal is ready at the latest two hours after its first 5615,
 * @uplink/core's `GoalReadiness`) and holds the record — and every pending record of the same goal — until then
 * (status `waiting`); then they are claimed like any other. A goal that keeps answering 5615 for
 * `GoalReadiness.MAX_NOT_ACCEPTED_WINDOWS` windows is not young: its records end `rejected` 5615. Final outcomes are
 * added to the ledger (counts per batch, goal and day) in the transaction that writes them.
 */
import * as NodeCrypto from "node:crypto"
import * as NodeOs from "node:os"
import type * as SqlError from "@effect/sql/SqlError"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import { Ledger } from "@uplink/core"
import { Deliverer, type DeliveryOutcome } from "./Deliverer.js"
import {
  type ClaimedRecord,
  describeOutboxError,
  type FinalOutcome,
  type Lease,
  Outbox,
  type RecordKind
} from "./Outbox.js"
import { ServerConfig } from "./ServerConfig.js"
import * as ServerMetrics from "./ServerMetrics.js"
import { SharedThrottle } from "./SharedThrottle.js"

/** The worker as seen by intake. */
export interface WorkerShape {
  /** Tells the worker that records were enqueued. */
  readonly notify: Effect.Effect<void>
  /** This process's lease owner name. */
  readonly owner: string
}

/** The worker service tag. */
export class Worker extends Context.Tag("@uplink/server/Worker")<Worker, WorkerShape>() {}

const kinds: ReadonlyArray<RecordKind> = ["conversion", "adjustment"]

/** The backoff before attempt `attempts + 1`: base·2^(attempts−1), ±20 % jitter, at most `max`. */
export const backoffMs = (attempts: number, baseMs: number, maxMs: number, jitter: number): number => {
  const exponential = baseMs * 2 ** Math.max(0, Math.min(attempts - 1, 30))
  return Math.round(Math.min(maxMs, exponential * (0.8 + 0.4 * jitter)))
}

const finalOf = (id: string, outcome: DeliveryOutcome): Option.Option<FinalOutcome> => {
  switch (outcome._tag) {
    case "Accepted":
      return Option.some({ id, status: "accepted", code: null, errorCode: null, message: null })
    case "Duplicate":
      return Option.some({ id, status: "duplicate", code: null, errorCode: null, message: null })
    case "Rejected":
      return Option.some({
        id,
        status: "rejected",
        code: outcome.code,
        errorCode: outcome.errorCode,
        message: outcome.message
      })
    case "Failed":
      return Option.some({
        id,
        status: "failed",
        code: outcome.code,
        errorCode: outcome.errorCode,
        message: outcome.message
      })
    case "Retry":
    case "NotAccepted":
      return Option.none()
  }
}

/** Builds the worker loop; the returned effect runs until interrupted. */
export const makeWorker = Effect.gen(function* () {
  const config = yield* ServerConfig
  const outbox = yield* Outbox
  const deliverer = yield* Deliverer
  const throttle = yield* SharedThrottle
  const owner = `${NodeOs.hostname()}:${process.pid}:${NodeCrypto.randomUUID()}`
  const wake = yield* Queue.sliding<void>(1)
  /** The end of the last shared pause that was logged (each pause is logged once). */
  const loggedPause = yield* Ref.make(0)
  const stopping = yield* Ref.make(false)

  const renewEvery = Duration.millis(Math.max(50, Math.floor(config.leaseMs / 3)))
  const renewLoop = (lease: Lease, ids: ReadonlyArray<string>) =>
    Effect.sleep(renewEvery).pipe(
      Effect.zipRight(
        outbox.renew(lease, ids).pipe(
          Effect.flatMap((held) =>
            held < ids.length
              ? Effect.logWarning("lease lost for part of the batch; another instance may deliver it").pipe(
                  Effect.annotateLogs({ held, records: ids.length })
                )
              : Effect.void
          ),
          Effect.catchAll((error) =>
            Effect.logWarning("lease renewal failed").pipe(Effect.annotateLogs({ error: describeOutboxError(error) }))
          )
        )
      ),
      Effect.forever
    )

  /**
   * Outbox writes after a delivery are tried again (a lost connection, a failover) for as long as the lease could
   * still hold: giving up earlier would only make another worker send the batch again.
   */
  const writeRetry = Schedule.exponential(Duration.millis(100)).pipe(
    Schedule.union(Schedule.spaced(Duration.seconds(2))),
    Schedule.upTo(Duration.millis(config.leaseMs))
  )

  const writeOutcomes = (
    lease: Lease,
    kind: RecordKind,
    claimed: ReadonlyArray<ClaimedRecord>,
    outcomes: ReadonlyArray<DeliveryOutcome>
  ) =>
    Effect.gen(function* () {
      const finals: Array<FinalOutcome> = []
      const retryGroups = new Map<string, { notBefore: number; message: string; ids: Array<string> }>()
      const notAccepted = new Map<string, { message: string; ids: Array<string> }>()
      const now = yield* Clock.currentTimeMillis
      // One jitter for the batch: its records were one request and are tried again together.
      const jitter = yield* Random.next
      for (let index = 0; index < claimed.length; index++) {
        const record = claimed[index]!
        const outcome = outcomes[index]!
        const final = finalOf(record.id, outcome)
        if (Option.isSome(final)) {
          finals.push(final.value)
          continue
        }
        if (outcome._tag === "NotAccepted") {
          const group = notAccepted.get(outcome.goal) ?? { message: outcome.message, ids: [] }
          group.ids.push(record.id)
          notAccepted.set(outcome.goal, group)
          continue
        }
        if (outcome._tag !== "Retry") continue
        const wait = Math.max(
          backoffMs(record.attempts, config.retryBaseMs, config.retryMaxMs, jitter),
          Option.getOrElse(outcome.retryAfterMs, () => 0)
        )
        const notBefore = now + wait
        const key = `${notBefore}\u0000${outcome.message}`
        const group = retryGroups.get(key) ?? { notBefore, message: outcome.message, ids: [] }
        group.ids.push(record.id)
        retryGroups.set(key, group)
      }
      // 5615: the goal is ready at the latest two hours after its first such answer; hold its records until then.
      let held = 0
      for (const [goal, group] of notAccepted) {
        const state = yield* Effect.uninterruptible(outbox.notAccepted(goal, now)).pipe(Effect.retry(writeRetry))
        if (state.giveUp) {
          for (const id of group.ids) {
            finals.push({
              id,
              status: "rejected",
              code: 5615,
              errorCode: "OfflineConversionNotAcceptedForGoal",
              message: `${group.message} (the goal still refused conversions after ${state.windows - 1} two-hour waits)`
            })
          }
          continue
        }
        const message = `waiting for goal ${JSON.stringify(goal)}: Microsoft answered 5615 (goal younger than two hours); sent again from ${new Date(state.readyAtMs).toISOString()}`
        held += yield* Effect.uninterruptible(outbox.hold(lease, group.ids, goal, state.readyAtMs, message)).pipe(
          Effect.retry(writeRetry)
        )
        const others = yield* Effect.uninterruptible(outbox.holdGoal(goal, state.readyAtMs)).pipe(
          Effect.retry(writeRetry)
        )
        yield* Effect.logInfo("records wait for their goal (5615)").pipe(
          Effect.annotateLogs({
            goal,
            records: group.ids.length,
            alsoWaiting: others,
            readyAt: new Date(state.readyAtMs).toISOString()
          })
        )
      }
      const written = yield* Effect.uninterruptible(
        outbox.complete(lease, finals, { runId: lease.token, day: Ledger.dayOf(now) })
      ).pipe(Effect.retry(writeRetry))
      let rescheduled = 0
      for (const group of retryGroups.values()) {
        rescheduled += yield* Effect.uninterruptible(
          outbox.reschedule(lease, group.ids, group.notBefore, group.message)
        ).pipe(Effect.retry(writeRetry))
      }
      if (written + rescheduled + held < claimed.length) {
        yield* Effect.logWarning("outcomes not written: the lease was taken over by another worker").pipe(
          Effect.annotateLogs({ kind, records: claimed.length, written: written + rescheduled + held })
        )
      }
      // Outcomes another worker's lease replaced are that worker's to count.
      const byStatus = new Map<string, number>()
      if (written === finals.length) {
        for (const final of finals) byStatus.set(final.status, (byStatus.get(final.status) ?? 0) + 1)
      }
      for (const [status, count] of byStatus) {
        yield* Metric.incrementBy(
          Metric.tagged(ServerMetrics.forKind(ServerMetrics.delivered, kind), "status", status),
          count
        )
      }
      const retried = rescheduled
      if (retried > 0) yield* Metric.incrementBy(ServerMetrics.forKind(ServerMetrics.retries, kind), retried)
      return { finals: written, retried, waiting: held }
    })

  /** Which kind is looked at first; it alternates so that a backlog of one kind does not starve the other. */
  let turn = 0

  /** One step: deliver one due batch if one is ready, else wait for intake or the next due time. */
  const step = Effect.gen(function* () {
    const paused = yield* throttle.pausedUntil
    if (Option.isSome(paused)) {
      const wait = paused.value - (yield* Clock.currentTimeMillis)
      if (wait > 0) {
        if ((yield* Ref.getAndSet(loggedPause, paused.value)) !== paused.value) {
          yield* Effect.logInfo("delivery paused after a rate limit (117)").pipe(Effect.annotateLogs({ ms: wait }))
        }
        // Woken early by intake or shutdown, the next step looks again.
        yield* Queue.take(wake).pipe(Effect.timeout(Duration.millis(wait)), Effect.ignore)
        return
      }
    }
    const summary = yield* outbox.summary
    const now = yield* Clock.currentTimeMillis
    turn = (turn + 1) % kinds.length
    for (const kind of [...kinds.slice(turn), ...kinds.slice(0, turn)]) {
      const due = summary.due[kind]
      const oldest = summary.oldestDue[kind]
      if (due >= config.batchSize || (Option.isSome(oldest) && now - oldest.value >= config.flushMs)) {
        yield* releasingBatch(kind)
        return
      }
    }
    const wakeAt = [
      ...kinds.flatMap((kind) =>
        Option.toArray(Option.map(summary.oldestDue[kind], (oldest) => oldest + config.flushMs))
      ),
      ...Option.toArray(summary.nextWake)
    ]
    const waitMs = wakeAt.length === 0 ? 60_000 : Math.max(0, Math.min(...wakeAt) - now)
    yield* Queue.take(wake).pipe(Effect.timeout(Duration.millis(Math.min(waitMs, 60_000))), Effect.ignore)
  })

  const releasingBatch = (kind: RecordKind) =>
    Effect.gen(function* () {
      yield* Effect.uninterruptibleMask((restore) =>
        Effect.gen(function* () {
          const { lease, records: claimed } = yield* outbox.claim(kind, config.batchSize, owner)
          if (claimed.length === 0) return
          const ids = claimed.map((record) => record.id)
          yield* restore(deliverClaimed(lease, kind, claimed)).pipe(
            Effect.onInterrupt(() =>
              Effect.gen(function* () {
                const now = yield* Clock.currentTimeMillis
                yield* outbox.reschedule(lease, ids, now, "released at shutdown before the batch finished")
                yield* Effect.logWarning("in-flight batch released at shutdown").pipe(
                  Effect.annotateLogs({ kind, records: ids.length })
                )
              }).pipe(Effect.ignore)
            )
          )
        })
      )
    })

  const deliverClaimed = (lease: Lease, kind: RecordKind, claimed: ReadonlyArray<ClaimedRecord>) =>
    Effect.gen(function* () {
      const ids = claimed.map((record) => record.id)
      const started = yield* Clock.currentTimeMillis
      const outcomes = yield* deliverer.deliver(kind, claimed).pipe(Effect.raceFirst(renewLoop(lease, ids)))
      const checked =
        outcomes.length === claimed.length
          ? outcomes
          : claimed.map(
              (): DeliveryOutcome => ({
                _tag: "Retry",
                message: `the deliverer answered ${outcomes.length} outcomes for ${claimed.length} records`,
                retryAfterMs: Option.none()
              })
            )
      // Each write is atomic; shutdown may end the retries between two, and then releases what is still held.
      const written = yield* writeOutcomes(lease, kind, claimed, checked)
      const elapsed = (yield* Clock.currentTimeMillis) - started
      yield* Metric.update(ServerMetrics.batchDuration, elapsed / 1000)
      yield* Effect.logInfo("batch delivered").pipe(
        Effect.annotateLogs({
          kind,
          records: claimed.length,
          retriedBefore: claimed.filter((record) => record.attempts > 1).length,
          ...written,
          ms: elapsed
        })
      )
    })

  /** Why the last step failed, while no step has succeeded since: the same failure is logged once, not every second. */
  const lastFailure = yield* Ref.make(Option.none<string>())
  const describeStepFailure = (cause: Cause.Cause<SqlError.SqlError>) =>
    Option.match(Cause.failureOption(cause), {
      onSome: describeOutboxError,
      onNone: () => Cause.pretty(cause)
    })

  const loop = Effect.gen(function* () {
    while (!(yield* Ref.get(stopping))) {
      yield* step.pipe(
        Effect.zipRight(Ref.set(lastFailure, Option.none())),
        Effect.catchAllCause((cause) => {
          if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause)
          const reason = describeStepFailure(cause)
          return Ref.getAndSet(lastFailure, Option.some(reason)).pipe(
            Effect.flatMap((before) =>
              Option.isSome(before) && before.value === reason
                ? Effect.void
                : Effect.logError("worker step failed; trying again shortly").pipe(
                    Effect.annotateLogs({ cause: reason })
                  )
            ),
            Effect.zipRight(Effect.sleep(Duration.seconds(1)))
          )
        })
      )
    }
  })

  return { owner, wake, stopping, loop }
})

/** The worker layer: forks the loop when delivery is configured, and stops it gracefully with the scope. */
export const layer: Layer.Layer<Worker, never, ServerConfig | Outbox | Deliverer | SharedThrottle> = Layer.scoped(
  Worker,
  Effect.gen(function* () {
    const config = yield* ServerConfig
    const deliverer = yield* Deliverer
    const worker = yield* makeWorker
    yield* ServerMetrics.registerAll
    if (deliverer.readiness._tag === "NotConfigured") {
      yield* Effect.logWarning("delivery is not configured; records are kept pending until it is").pipe(
        Effect.annotateLogs({
          reason: deliverer.readiness.reason
        })
      )
    } else {
      const fiber = yield* Effect.forkDaemon(worker.loop)
      yield* Effect.logInfo("delivery worker started").pipe(
        Effect.annotateLogs({
          owner: worker.owner,
          deliverer: deliverer.readiness.description
        })
      )
      yield* Effect.addFinalizer(() =>
        Effect.gen(function* () {
          yield* Ref.set(worker.stopping, true)
          yield* Queue.offer(worker.wake, undefined)
          // Finalizers run uninterruptibly, on a fiber that may itself be interrupted (SIGTERM): the timed wait runs
          // on a fiber of its own, interruptible there, so that its timeout can end it.
          const finished = yield* Fiber.await(fiber).pipe(
            Effect.timeout(Duration.millis(config.shutdownGraceMs)),
            Effect.option,
            Effect.interruptible,
            Effect.forkDaemon,
            Effect.flatMap(Fiber.join)
          )
          if (Option.isNone(finished)) {
            yield* Effect.logWarning("shutdown grace period over; interrupting the in-flight batch")
            yield* Fiber.interrupt(fiber)
          }
          yield* Effect.logInfo("delivery worker stopped")
        })
      )
    }
    return { notify: Queue.offer(worker.wake, undefined).pipe(Effect.asVoid), owner: worker.owner }
  })
)
