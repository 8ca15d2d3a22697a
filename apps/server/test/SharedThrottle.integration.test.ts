/**
 * The rate limit shared across instances through PostgreSQL: a 117 reported by one instance pauses the others, the
 * pace after it (half of what the window admitted) is one pace for all of them and recovers with successful calls,
 * and the production deliverer really consults it — two deliverers (two instances) against the emulator's rate limit
 * meet one 117 between them, not one each. The worker waits a shared pause out before it claims. Real PostgreSQL,
 * one fresh database per test.
 */
import { SqlClient } from "@effect/sql"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { RateLimiters } from "@uplink/core"
import type { RunningEmulator } from "@uplink/emulator"
import { startEmulator } from "@uplink/emulator/testing"
import {
  Clock,
  ConfigProvider,
  Effect,
  Exit,
  Fiber,
  Layer,
  Metric,
  Option,
  Ref,
  Schedule,
  Scope,
  TestClock
} from "effect"
import * as CoreDeliverer from "../src/CoreDeliverer.js"
import { Deliverer } from "../src/Deliverer.js"
import type { ClaimedRecord } from "../src/Outbox.js"
import { Outbox } from "../src/Outbox.js"
import { ServerConfig } from "../src/ServerConfig.js"
import { rateLimited } from "../src/ServerMetrics.js"
import { makePostgres, SharedThrottle, type SharedThrottleShape } from "../src/SharedThrottle.js"
import * as Worker from "../src/Worker.js"
import { temporaryDirectory } from "./support/files.js"
import { freshDatabase } from "./support/postgres.js"
import { adminQuery } from "./support/postgresAdmin.js"
import { conversion } from "./support/records.js"
import { makeTestDeliverer } from "./support/TestDeliverer.js"

/** An outbox (one "instance") on `databasePath`, with its SQL client, open until `scope` closes. */
const instance = (databasePath: string, scope: Scope.Scope) =>
  Effect.gen(function* () {
    const context = yield* Layer.buildWithScope(
      Outbox.layer.pipe(Layer.provide(ServerConfig.layerWith({ databasePath, dbPoolSize: 2 }))),
      scope
    )
    return yield* Effect.provide(SqlClient.SqlClient, context)
  })

const customer = "1000001"

describe("the shared throttle on PostgreSQL", () => {
  it.scopedLive(
    "a 117 reported by one instance pauses every instance, and the worker sees the pause",
    () =>
      Effect.gen(function* () {
        const database = yield* Effect.promise(() => freshDatabase("throttle_pause"))
        const scope = yield* Effect.scope
        const a = yield* makePostgres(yield* instance(database.url, scope))
        const b = yield* makePostgres(yield* instance(database.url, scope))
        expect(yield* b.pausedUntil).toEqual(Option.none())
        yield* a.acquire(customer)
        const reported = yield* Clock.currentTimeMillis
        yield* a.rateLimited(customer, 800)
        const until = Option.getOrThrow(yield* b.pausedUntil)
        expect(until).toBeGreaterThanOrEqual(reported + 800)
        yield* b.acquire(customer)
        expect(yield* Clock.currentTimeMillis).toBeGreaterThanOrEqual(until)
        expect(yield* b.pausedUntil).toEqual(Option.none())
      }),
    60_000
  )

  it.scopedLive(
    "after a 117 the instances share one pace, half of what the window admitted, which recovers with successful calls",
    () =>
      Effect.gen(function* () {
        const database = yield* Effect.promise(() => freshDatabase("throttle_pace"))
        const scope = yield* Effect.scope
        const options = { windowMs: 6_000 }
        const a = yield* makePostgres(yield* instance(database.url, scope), options)
        const b = yield* makePostgres(yield* instance(database.url, scope), options)
        for (let call = 0; call < 20; call++) yield* (call % 2 === 0 ? a : b).acquire(customer)
        yield* b.rateLimited(customer, 300)
        const until = Option.getOrThrow(yield* a.pausedUntil)
        // 20 calls in the window: 10 per 6 s from now on, one every 600 ms, whichever instance asks.
        const starts = yield* Ref.make<ReadonlyArray<number>>([])
        const started = (throttle: SharedThrottleShape) =>
          throttle.acquire(customer).pipe(
            Effect.zipRight(Clock.currentTimeMillis),
            Effect.flatMap((at) => Ref.update(starts, (all) => [...all, at]))
          )
        yield* Effect.all([started(a), started(b), started(a), started(b)], { concurrency: "unbounded" })
        // The k-th call starts no sooner than the k-th slot: the end of the pause, then every 600 ms.
        const times = [...(yield* Ref.get(starts))].sort((x, y) => x - y)
        expect(times.length).toBe(4)
        for (const [index, time] of times.entries()) expect(time).toBeGreaterThanOrEqual(until + index * 600 - 1)
        const pace = () =>
          Effect.promise(() => adminQuery(database.url, "SELECT calls_per_window AS pace FROM uplink_throttle"))
        expect(yield* pace()).toEqual([{ pace: 10 }])
        yield* a.succeeded(customer)
        expect(yield* pace()).toEqual([{ pace: 15 }])
      }),
    60_000
  )
})

describe("the deliverer and the worker consult the shared throttle", () => {
  let emulator: RunningEmulator

  beforeAll(async () => {
    emulator = await startEmulator({ demo: true })
  })

  afterAll(async () => {
    await emulator?.stop()
  })

  const claimed = (id: string): ClaimedRecord => ({
    id,
    kind: "conversion",
    fields: conversion(id),
    attempts: 1,
    createdAt: Date.now()
  })

  it("two instances' deliverers meet one 117 between them: the second waits out the pause the first reported", async () => {
    emulator.reset()
    const database = await freshDatabase("throttle_deliverer")
    // One call per 5 s window (wide enough for a loaded machine); the pause after a 117 outlasts the window.
    emulator.setFaults({ rateLimit: { calls: 1, windowMs: 5_000 } })
    const env = ConfigProvider.fromMap(
      new Map(
        Object.entries({
          MSADS_DEVELOPER_TOKEN: "BBD37VB98",
          MSADS_CUSTOMER_ID: customer,
          MSADS_ACCOUNT_ID: "2000002",
          MSADS_ACCESS_TOKEN: "emulator-access-token",
          MSADS_ENDPOINT: emulator.url,
          UPLINK_TOKEN_FILE: `${temporaryDirectory()}/tokens.json`
        })
      )
    )
    const deliverer = (scope: Scope.Scope) =>
      Effect.gen(function* () {
        const sql = yield* instance(database.url, scope)
        // A little wider than the emulator's window: the pace after the 117 (half of what the window admitted, one
        // call) then keeps calls more than one emulator window apart.
        const throttle = yield* makePostgres(sql, { windowMs: 6_000 })
        const context = yield* Layer.buildWithScope(
          CoreDeliverer.layerFromEnv({ rateLimitWait: "5200 millis" }).pipe(
            // Each instance is its own process: its own limiters.
            Layer.provide(Layer.merge(Layer.succeed(SharedThrottle, throttle), RateLimiters.layer()))
          ),
          scope
        )
        return { deliverer: yield* Effect.provide(Deliverer, context), throttle }
      }).pipe(Effect.withConfigProvider(env))
    const before = (await Effect.runPromise(Metric.value(rateLimited))).count
    const outcomes = await Effect.runPromise(
      Effect.gen(function* () {
        const scope = yield* Effect.scope
        const first = yield* deliverer(scope)
        const second = yield* deliverer(scope)
        const one = yield* first.deliverer.deliver("conversion", [claimed("throttle-1")])
        // The window is used up: this call meets the 117, reports it, and its own limiter waits it out.
        const two = yield* Effect.fork(second.deliverer.deliver("conversion", [claimed("throttle-2")]))
        const paused = yield* first.throttle.pausedUntil.pipe(
          Effect.repeat({ until: Option.isSome, schedule: Schedule.spaced("20 millis") }),
          Effect.timeoutOption("20 seconds")
        )
        expect(Option.isSome(paused), "the second instance met a 117 and reported it").toBe(true)
        // Without the shared pause this call would go at once and meet a 117 of its own.
        const three = yield* first.deliverer.deliver("conversion", [claimed("throttle-3")])
        return [...one, ...(yield* Fiber.join(two)), ...three]
      }).pipe(Effect.scoped)
    )
    emulator.setFaults({})
    expect(outcomes.map((outcome) => outcome._tag)).toEqual(["Accepted", "Accepted", "Accepted"])
    const after = (await Effect.runPromise(Metric.value(rateLimited))).count
    expect(after - before).toBe(1)
  }, 60_000)

  it.effect("the worker claims nothing while the shared throttle says delivery is paused", () =>
    Effect.gen(function* () {
      const testDeliverer = yield* makeTestDeliverer()
      const pausedUntil = yield* Ref.make(Option.some(30_000))
      const throttle = Layer.succeed(SharedThrottle, {
        acquire: () => Effect.void,
        succeeded: () => Effect.void,
        rateLimited: () => Effect.void,
        pausedUntil: Effect.flatMap(Ref.get(pausedUntil), (until) =>
          Effect.map(Clock.currentTimeMillis, (now) => Option.filter(until, (at) => at > now))
        )
      })
      const scope = yield* Scope.make()
      const base = Layer.mergeAll(
        ServerConfig.layerWith({ databasePath: ":memory:", batchSize: 1, flushMs: 0 }),
        testDeliverer.layer,
        throttle
      )
      const context = yield* Layer.buildWithScope(
        Worker.layer.pipe(Layer.provideMerge(Outbox.layer), Layer.provideMerge(base)),
        scope
      )
      const outbox = yield* Effect.provide(Outbox, context)
      const worker = yield* Effect.provide(Worker.Worker, context)
      yield* outbox.enqueue([{ id: "held", kind: "conversion", fields: {} }])
      yield* worker.notify
      const settle = Effect.gen(function* () {
        for (let turn = 0; turn < 100; turn++) yield* Effect.yieldNow()
      })
      yield* settle
      yield* TestClock.adjust("29 seconds")
      yield* settle
      expect(yield* testDeliverer.batches).toEqual([])
      expect((yield* outbox.counts).pending).toBe(1)
      yield* TestClock.adjust("1 second")
      yield* settle
      expect((yield* testDeliverer.batches).map((batch) => batch.ids)).toEqual([["held"]])
      yield* Scope.close(scope, Exit.void)
    })
  )
})
