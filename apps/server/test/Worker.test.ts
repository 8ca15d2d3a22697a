import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Logger, Option, Scope, TestClock } from "effect"
import { DeliveryOutcome } from "../src/Deliverer.js"
import { type NewRecord, Outbox } from "../src/Outbox.js"
import { ServerConfig, type ServerSettings } from "../src/ServerConfig.js"
import { storageLayer } from "../src/Server.js"
import * as Worker from "../src/Worker.js"
import { makeTestDeliverer, type Respond } from "./support/TestDeliverer.js"
import { temporaryDatabase } from "./support/files.js"

/** The status counts of the outbox file at `databasePath`, read through a fresh connection. */
const countsIn = (databasePath: string) =>
  Effect.flatMap(Outbox, (outbox) => outbox.counts).pipe(
    Effect.provide(Outbox.layer.pipe(Layer.provide(ServerConfig.layerWith({ ...settings, databasePath }))))
  )

const settings: ServerSettings = {
  databasePath: ":memory:",
  batchSize: 3,
  flushMs: 5_000,
  leaseMs: 10_000,
  retryBaseMs: 1_000,
  retryMaxMs: 8_000,
  shutdownGraceMs: 2_000
}

const records = (count: number, prefix = "r"): ReadonlyArray<NewRecord> =>
  Array.from({ length: count }, (_, index) => ({
    id: `${prefix}${index}`,
    kind: "conversion" as const,
    fields: { ConversionName: "Purchase", MicrosoftClickId: `click-${index}` }
  }))

/**
 * Waits until the worker fiber (and every other fiber of the test) is suspended — waiting for work or a timer — or
 * done: TestClock's `adjust` first polls the status of the test's supervised fibers until none is running.
 */
const settle = TestClock.adjust(0)

/** Outbox, worker and a scriptable deliverer in a scope the test controls. */
const setup = (respond?: Respond, overrides: ServerSettings = {}) =>
  Effect.gen(function* () {
    const deliverer = yield* makeTestDeliverer(respond)
    const base = Layer.merge(ServerConfig.layerWith({ ...settings, ...overrides }), deliverer.layer)
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(storageLayer.pipe(Layer.provideMerge(base)), scope)
    const outbox = yield* Effect.provide(Outbox, context)
    const sql = yield* Effect.provide(SqlClient.SqlClient, context)
    const startWorker = Effect.gen(function* () {
      const workerContext = yield* Layer.buildWithScope(
        Worker.layer.pipe(Layer.provide(Layer.succeedContext(context))),
        scope
      )
      return yield* Effect.provide(Worker.Worker, workerContext)
    })
    return { deliverer, outbox, sql, scope, startWorker }
  })

describe("Worker", () => {
  it.effect("sends a full batch at once and the rest when the flush interval has passed", () =>
    Effect.gen(function* () {
      const { deliverer, outbox, scope, startWorker } = yield* setup()
      const worker = yield* startWorker
      yield* outbox.enqueue(records(4))
      yield* worker.notify
      yield* settle
      let batches = yield* deliverer.batches
      assert.deepStrictEqual(
        batches.map((batch) => batch.ids),
        [["r0", "r1", "r2"]]
      )
      yield* TestClock.adjust("4999 millis")
      yield* settle
      assert.strictEqual((yield* deliverer.batches).length, 1)
      yield* TestClock.adjust("1 millis")
      yield* settle
      batches = yield* deliverer.batches
      assert.deepStrictEqual(
        batches.map((batch) => batch.ids),
        [["r0", "r1", "r2"], ["r3"]]
      )
      const counts = yield* outbox.counts
      assert.strictEqual(counts.accepted, 4)
      assert.strictEqual(counts.pending + counts.sending, 0)
      yield* Scope.close(scope, Exit.void)
    })
  )

  it.effect("backs off a transient failure, then delivers; final outcomes are written once", () =>
    Effect.gen(function* () {
      let calls = 0
      const respond: Respond = (_kind, batch) =>
        Effect.sync(() => {
          calls++
          if (calls === 1) {
            return batch.map(() => DeliveryOutcome.Retry({ message: "outage", retryAfterMs: Option.none() }))
          }
          return batch.map((record) =>
            record.id === "r1"
              ? DeliveryOutcome.Rejected({
                  code: 5604,
                  errorCode: "OfflineConversionMicrosoftClickIdInvalid",
                  message: "no"
                })
              : DeliveryOutcome.Accepted()
          )
        })
      const { deliverer, outbox, scope, startWorker } = yield* setup(respond)
      const worker = yield* startWorker
      yield* outbox.enqueue(records(3))
      yield* worker.notify
      yield* settle
      const waiting = yield* outbox.get("r0")
      assert.strictEqual(Option.getOrThrow(waiting).status, "pending")
      assert.strictEqual(Option.getOrThrow(waiting).message, "outage")
      // The first backoff is 1 s ± 20 %: nothing before 800 ms, everything by 1,200 ms.
      yield* TestClock.adjust("799 millis")
      yield* settle
      assert.strictEqual((yield* deliverer.batches).length, 1)
      yield* TestClock.adjust("401 millis")
      yield* settle
      const batches = yield* deliverer.batches
      assert.strictEqual(batches.length, 2)
      assert.deepStrictEqual(batches[1]!.attempts, [2, 2, 2])
      const rejected = Option.getOrThrow(yield* outbox.get("r1"))
      assert.strictEqual(rejected.status, "rejected")
      assert.strictEqual(rejected.code, 5604)
      assert.strictEqual(rejected.errorCode, "OfflineConversionMicrosoftClickIdInvalid")
      assert.strictEqual(Option.getOrThrow(yield* outbox.get("r0")).status, "accepted")
      // Final records are never claimed again.
      yield* TestClock.adjust("1 hour")
      yield* settle
      assert.strictEqual((yield* deliverer.batches).length, 2)
      yield* Scope.close(scope, Exit.void)
    })
  )

  it.effect("waits at least as long as the service asked after a rate limit", () =>
    Effect.gen(function* () {
      let calls = 0
      const respond: Respond = (_kind, batch) =>
        Effect.sync(() =>
          ++calls === 1
            ? batch.map(() => DeliveryOutcome.Retry({ message: "117", retryAfterMs: Option.some(30_000) }))
            : batch.map(() => DeliveryOutcome.Accepted())
        )
      const { deliverer, outbox, scope, startWorker } = yield* setup(respond, { batchSize: 1 })
      const worker = yield* startWorker
      yield* outbox.enqueue(records(1))
      yield* worker.notify
      yield* settle
      yield* TestClock.adjust("29 seconds")
      yield* settle
      assert.strictEqual((yield* deliverer.batches).length, 1)
      yield* TestClock.adjust("1 second")
      yield* settle
      assert.strictEqual((yield* deliverer.batches).length, 2)
      assert.strictEqual(Option.getOrThrow(yield* outbox.get("r0")).status, "accepted")
      yield* Scope.close(scope, Exit.void)
    })
  )

  it.effect("reclaims records whose worker died once their lease expires", () =>
    Effect.gen(function* () {
      const { deliverer, outbox, scope, startWorker } = yield* setup(undefined, { batchSize: 2 })
      yield* outbox.enqueue(records(2))
      const claimed = yield* outbox.claim("conversion", 2, "a-worker-that-died")
      assert.strictEqual(claimed.records.length, 2)
      const worker = yield* startWorker
      yield* worker.notify
      yield* settle
      assert.strictEqual((yield* deliverer.batches).length, 0)
      yield* TestClock.adjust("10 seconds")
      yield* settle
      const batches = yield* deliverer.batches
      assert.deepStrictEqual(
        batches.map((batch) => batch.attempts),
        [[2, 2]]
      )
      assert.strictEqual((yield* outbox.counts).accepted, 2)
      yield* Scope.close(scope, Exit.void)
    })
  )

  it.effect("keeps renewing the lease of a long delivery", () =>
    Effect.gen(function* () {
      const respond: Respond = (_kind, batch) =>
        Effect.as(
          Effect.sleep("25 seconds"),
          batch.map(() => DeliveryOutcome.Accepted())
        )
      const { outbox, scope, startWorker } = yield* setup(respond, { batchSize: 1 })
      const worker = yield* startWorker
      yield* outbox.enqueue(records(1))
      yield* worker.notify
      yield* settle
      for (let step = 0; step < 6; step++) {
        yield* TestClock.adjust("4 seconds")
        yield* settle
        // Another worker would find nothing to reclaim: the lease keeps moving ahead.
        const stolen = yield* outbox.claim("conversion", 1, "another-worker")
        assert.strictEqual(stolen.records.length, 0)
      }
      yield* TestClock.adjust("2 seconds")
      yield* settle
      assert.strictEqual(Option.getOrThrow(yield* outbox.get("r0")).status, "accepted")
      yield* Scope.close(scope, Exit.void)
    })
  )

  it.effect("on shutdown finishes an in-flight batch within the grace period", () =>
    Effect.gen(function* () {
      const databasePath = temporaryDatabase()
      const respond: Respond = (_kind, batch) =>
        Effect.as(
          Effect.sleep("1 second"),
          batch.map(() => DeliveryOutcome.Accepted())
        )
      const { outbox, scope, startWorker } = yield* setup(respond, { batchSize: 2, databasePath })
      const worker = yield* startWorker
      yield* outbox.enqueue(records(2))
      yield* worker.notify
      yield* settle
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* settle
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(closing)
      const after = yield* countsIn(databasePath)
      assert.strictEqual(after.accepted, 2)
      assert.strictEqual(after.sending, 0)
    })
  )

  it.effect("on shutdown releases a batch still in flight when the grace period is over", () =>
    Effect.gen(function* () {
      const databasePath = temporaryDatabase()
      const respond: Respond = () => Effect.never
      const { outbox, scope, startWorker } = yield* setup(respond, { batchSize: 2, databasePath })
      const worker = yield* startWorker
      yield* outbox.enqueue(records(2))
      yield* worker.notify
      yield* settle
      assert.strictEqual((yield* outbox.counts).sending, 2)
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* settle
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(closing)
      const after = yield* countsIn(databasePath)
      assert.strictEqual(after.pending, 2)
      assert.strictEqual(after.sending, 0)
      // Released records are due at once for the next start, and keep their attempt count.
      const reopened = yield* Outbox.pipe(
        Effect.flatMap((reopenedOutbox) => reopenedOutbox.claim("conversion", 10, "next-start")),
        Effect.provide(Outbox.layer.pipe(Layer.provide(ServerConfig.layerWith({ ...settings, databasePath }))))
      )
      assert.deepStrictEqual(
        reopened.records.map((record) => record.attempts),
        [2, 2]
      )
    })
  )

  it.effect(
    "logs a failure that persists once, not every second, and delivers once the outbox takes writes again",
    () => {
      const messages: Array<string> = []
      const capture = Logger.make(({ message }) => {
        messages.push(String(Array.isArray(message) ? message[0] : message))
      })
      return Effect.gen(function* () {
        const { deliverer, outbox, sql, scope, startWorker } = yield* setup()
        yield* outbox.enqueue(records(3))
        // A real write failure on the outbox's connection: claiming is a write, reading what is due is not.
        yield* sql.unsafe("PRAGMA query_only = ON")
        const worker = yield* startWorker
        yield* worker.notify
        yield* settle
        for (let second = 0; second < 5; second++) {
          yield* TestClock.adjust("1 second")
          yield* settle
        }
        const count = (message: string) => messages.filter((logged) => logged.startsWith(message)).length
        assert.strictEqual(count("worker step failed"), 1)
        assert.strictEqual(count("outbox write failed"), 1)
        assert.deepStrictEqual(yield* deliverer.batches, [])
        yield* sql.unsafe("PRAGMA query_only = OFF")
        yield* TestClock.adjust("1 second")
        yield* settle
        assert.strictEqual((yield* outbox.counts).accepted, 3)
        assert.strictEqual(count("outbox writable again"), 1)
        yield* Scope.close(scope, Exit.void)
      }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, capture)))
    }
  )

  it.effect("tries writing outcomes again while the lease holds, so a delivered batch is not sent twice", () =>
    Effect.gen(function* () {
      // The outbox stops taking writes while the batch is out (a lost connection, a failover) and takes them again
      // a few seconds later, well within the 10 s lease.
      let sqlClient: SqlClient.SqlClient | undefined
      const respond: Respond = (_kind, batch) =>
        Effect.as(
          Effect.orDie(sqlClient!.unsafe("PRAGMA query_only = ON")),
          batch.map(() => DeliveryOutcome.Accepted())
        )
      const { deliverer, outbox, sql, scope, startWorker } = yield* setup(respond)
      sqlClient = sql
      const worker = yield* startWorker
      yield* outbox.enqueue(records(3))
      yield* worker.notify
      yield* settle
      assert.strictEqual((yield* deliverer.batches).length, 1)
      assert.strictEqual((yield* outbox.counts).sending, 3)
      for (let second = 0; second < 3; second++) {
        yield* TestClock.adjust("1 second")
        yield* settle
      }
      yield* sql.unsafe("PRAGMA query_only = OFF")
      yield* TestClock.adjust("2 seconds")
      yield* settle
      assert.strictEqual((yield* outbox.counts).accepted, 3)
      yield* TestClock.adjust("1 minute")
      yield* settle
      assert.strictEqual((yield* deliverer.batches).length, 1)
      yield* Scope.close(scope, Exit.void)
    })
  )
})
