/**
 * Goal readiness on the server: records for a goal younger than two hours wait in the outbox (status `waiting`) and
 * go out once it takes conversions — none lost, none sent early. Against the emulator, whose clock follows the
 * TestClock, through the production deliverer: Microsoft answers 5615 until the goal is two hours old; the worker
 * holds the refused records and the goal's other pending ones for two hours from that first 5615, then delivers
 * them. And at intake: a goal whose creation time Uplink recorded (`uplink goals create`) holds its records at once.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { RateLimiters } from "@uplink/core"
import { clickId, startEmulator } from "@uplink/emulator/testing"
import { ConfigProvider, Effect, Exit, Layer, Option, Scope, TestClock } from "effect"
import * as CoreDeliverer from "../src/CoreDeliverer.js"
import { Outbox, type RecordStatus } from "../src/Outbox.js"
import { storageLayer } from "../src/Server.js"
import { ServerConfig } from "../src/ServerConfig.js"
import * as Worker from "../src/Worker.js"
import { request, startInProcess } from "./support/InProcessServer.js"
import { temporaryDatabase, temporaryDirectory } from "./support/files.js"
import { makeTestDeliverer } from "./support/TestDeliverer.js"

const MINUTE = 60_000
const HOUR = 60 * MINUTE

/** Resolves once `check` holds, looking again after each turn of real I/O (the emulator answers over loopback). */
const eventually = <E, R>(check: Effect.Effect<boolean, E, R>, what: string) =>
  Effect.gen(function* () {
    const started = Date.now()
    for (;;) {
      if (yield* check) return
      if (Date.now() - started > 30_000) return yield* Effect.die(new Error(`timed out waiting for ${what}`))
      yield* TestClock.adjust(0)
      yield* Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 5)))
    }
  })

/** Points the server (which reads its settings from the environment) at `dir/goals.json`, account 2002, until the scope closes. */
const recordedGoalTimesIn = (dir: string) =>
  Effect.gen(function* () {
    const before = { file: process.env.UPLINK_TOKEN_FILE, account: process.env.MSADS_ACCOUNT_ID }
    process.env.UPLINK_TOKEN_FILE = NodePath.join(dir, "tokens.json")
    process.env.MSADS_ACCOUNT_ID = "2002"
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        for (const [key, value] of [
          ["UPLINK_TOKEN_FILE", before.file],
          ["MSADS_ACCOUNT_ID", before.account]
        ] as const) {
          if (value === undefined) delete process.env[key]
          else process.env[key] = value
        }
      })
    )
  })

describe("records for a goal younger than two hours", () => {
  it.effect(
    "wait in the outbox after Microsoft's 5615, then go out two hours later: none lost, none sent early",
    () =>
      Effect.gen(function* () {
        const t0 = Date.UTC(2026, 2, 2, 12, 0, 0)
        let virtual = t0
        const emulator = yield* Effect.promise(() => startEmulator({ clock: () => virtual }))
        yield* Effect.addFinalizer(() => Effect.promise(() => emulator.stop()))
        yield* TestClock.setTime(t0)
        /** Moves the emulator's clock and the TestClock together. */
        const advance = (ms: number) =>
          Effect.zipRight(
            Effect.sync(() => {
              virtual += ms
            }),
            TestClock.adjust(ms)
          )
        // "Brand New" is created now: Microsoft refuses its conversions (5615) until t0 + 2 h.
        emulator.registerGoals([
          { name: "Brand New", createdAt: t0 },
          { name: "Old Goal", createdAt: t0 - 3 * HOUR }
        ])
        const clicks = Object.fromEntries(
          ["n1", "n2", "n3", "o1", "o2"].map((seed) => [clickId(seed), new Date(t0 - 30 * MINUTE).toISOString()])
        )
        emulator.registerClicks(clicks)
        const conversion = (seed: string, goal: string) => ({
          MicrosoftClickId: clickId(seed),
          ConversionName: goal,
          ConversionTime: new Date(t0 - 10 * MINUTE).toISOString()
        })

        const scope = yield* Scope.make()
        const env = new Map([
          ["MSADS_DEVELOPER_TOKEN", "BBD37VB98"],
          ["MSADS_CUSTOMER_ID", "1000001"],
          ["MSADS_ACCOUNT_ID", "2000002"],
          ["MSADS_ACCESS_TOKEN", "emulator-access-token"],
          ["MSADS_ENDPOINT", emulator.url],
          ["UPLINK_TOKEN_FILE", NodePath.join(temporaryDirectory(), "tokens.json")]
        ])
        const config = ServerConfig.layerWith({ databasePath: temporaryDatabase(), flushMs: 0, batchSize: 1_000 })
        const storage = storageLayer.pipe(Layer.provideMerge(config))
        const context = yield* Layer.buildWithScope(
          Worker.layer.pipe(
            Layer.provideMerge(CoreDeliverer.layerFromEnv({ maxRetries: 0 }).pipe(Layer.provide(RateLimiters.layer()))),
            Layer.provideMerge(storage)
          ),
          scope
        ).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(env)))
        const outbox = yield* Effect.provide(Outbox, context)
        const worker = yield* Effect.provide(Worker.Worker, context)
        const status = (id: string) =>
          Effect.map(outbox.get(id), (view) => Option.getOrThrow(view).status as RecordStatus)
        const statuses = (ids: ReadonlyArray<string>) => Effect.forEach(ids, status)
        const newIds = ["n1", "n2"]
        const accepted = () => emulator.state().accepted.map((entry) => entry.ConversionName)

        yield* outbox.enqueue([
          ...newIds.map((id) => ({
            id,
            kind: "conversion" as const,
            fields: conversion(id, "Brand New"),
            goal: "Brand New"
          })),
          { id: "o1", kind: "conversion", fields: conversion("o1", "Old Goal"), goal: "Old Goal" }
        ])
        yield* worker.notify
        // The first delivery: the old goal's record is accepted, the new goal's are refused 5615 and wait.
        yield* eventually(
          Effect.map(statuses(["n1", "n2", "o1"]), (all) => all.join() === "waiting,waiting,accepted"),
          "the first delivery"
        )
        expect(accepted()).toEqual(["Old Goal"])
        const waiting = Option.getOrThrow(yield* outbox.get("n1"))
        expect(waiting.message).toContain(`sent again from ${new Date(t0 + 2 * HOUR).toISOString()}`)

        // A record of the same goal arriving meanwhile waits too, without being sent into another 5615.
        yield* advance(30 * MINUTE)
        yield* outbox.enqueue([
          {
            id: "n3",
            kind: "conversion",
            fields: conversion("n3", "Brand New"),
            goal: "Brand New",
            waitUntil: (yield* outbox.goalsReadyAt(["Brand New"], virtual)).get("Brand New")
          }
        ])
        yield* worker.notify
        expect(yield* statuses(["n1", "n2", "n3"])).toEqual(["waiting", "waiting", "waiting"])
        const requestsBefore = emulator.state().requestsByOp.ApplyOfflineConversions ?? 0

        // A second before the two hours the worker delivers a batch (another goal's record, enqueued now): the
        // waiting records are not in it, because they are not claimable yet.
        yield* advance(90 * MINUTE - 1_000)
        /** When each waiting record last changed: a claim (or a hold after another 5615) would change it. */
        const lastChanged = () =>
          Effect.forEach(["n1", "n2", "n3"], (id) =>
            Effect.map(outbox.get(id), (view) => Option.getOrThrow(view).updatedAt)
          )
        const changedBefore = yield* lastChanged()
        yield* outbox.enqueue([
          { id: "o2", kind: "conversion", fields: conversion("o2", "Old Goal"), goal: "Old Goal" }
        ])
        yield* worker.notify
        yield* eventually(
          Effect.map(status("o2"), (value) => value === "accepted"),
          "the other goal's record"
        )
        expect(yield* statuses(["n1", "n2", "n3"])).toEqual(["waiting", "waiting", "waiting"])
        expect(yield* lastChanged()).toEqual(changedBefore)
        expect(emulator.state().requestsByOp.ApplyOfflineConversions ?? 0).toBe(requestsBefore + 1)
        expect(accepted()).toEqual(["Old Goal", "Old Goal"])

        // Two hours after the first 5615 (the goal is ready): all three go out, once, and are accepted.
        yield* advance(1_000)
        yield* eventually(
          Effect.map(statuses(["n1", "n2", "n3"]), (all) => all.every((value) => value === "accepted")),
          "the waiting records to be delivered"
        )
        expect(accepted().sort()).toEqual(["Brand New", "Brand New", "Brand New", "Old Goal", "Old Goal"])
        expect(Object.values(emulator.state().receivedCounts)).toEqual([1, 1, 1, 1, 1])
        expect(emulator.state().requestsByOp.ApplyOfflineConversions).toBe(requestsBefore + 2)
        // The ledger counts each delivered record once, under its goal.
        const sent = yield* outbox.sent({ from: "2026-03-02", to: "2026-03-02" })
        expect(sent.map((row) => [row.goal, row.accepted, row.rejected])).toEqual([
          ["Brand New", 3, 0],
          ["Old Goal", 2, 0]
        ])
        yield* Scope.close(scope, Exit.void)
      }).pipe(Effect.scoped),
    60_000
  )

  it.live("are held at intake when Uplink recorded the goal's creation (uplink goals create)", () =>
    Effect.gen(function* () {
      const dir = temporaryDirectory()
      const createdAt = new Date(Date.now() - 30 * MINUTE)
      NodeFs.writeFileSync(
        NodePath.join(dir, "goals.json"),
        JSON.stringify({ "2002": { "Fresh Goal": createdAt.toISOString() } })
      )
      yield* recordedGoalTimesIn(dir)
      const deliverer = yield* makeTestDeliverer()
      const server = yield* Effect.promise(() => startInProcess(deliverer.layer, { flushMs: 0 }))
      yield* Effect.addFinalizer(() => Effect.promise(() => server.stop()))
      const time = new Date(Date.now() - 5 * MINUTE).toISOString()
      const answer = yield* Effect.promise(() =>
        request(server.url, "/v1/conversions", {
          body: {
            records: [
              { id: "fresh-1", MicrosoftClickId: clickId("f1"), ConversionName: "Fresh Goal", ConversionTime: time },
              { id: "other-1", MicrosoftClickId: clickId("f2"), ConversionName: "Other Goal", ConversionTime: time }
            ]
          }
        })
      )
      expect(answer.status).toBe(202)
      const body = (yield* Effect.promise(() => answer.json())) as { records: ReadonlyArray<{ status: string }> }
      expect(body.records.map((record) => record.status)).toEqual(["waiting", "pending"])
      const view = yield* Effect.promise(async () => (await request(server.url, "/v1/records/fresh-1")).json())
      expect(view).toMatchObject({ id: "fresh-1", status: "waiting" })
      // The other goal's record is delivered; the fresh goal's is not.
      yield* Effect.promise(async () => {
        for (let i = 0; i < 600; i++) {
          const other = (await (await request(server.url, "/v1/records/other-1")).json()) as { status: string }
          if (other.status === "accepted") return
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
        throw new Error("other-1 was not delivered")
      })
      expect((yield* deliverer.batches).flatMap((batch) => batch.ids)).toEqual(["other-1"])
      const waiting = yield* Effect.promise(() =>
        server.run(Effect.flatMap(Outbox, (outbox) => outbox.waitingFor("Fresh Goal")))
      )
      expect(waiting).toEqual({ records: 1, readyAt: Option.some(createdAt.getTime() + 2 * HOUR) })
    }).pipe(Effect.scoped)
  )

  it.live("are held by goals.json as it is: the server reads it again when it changes, not on every request", () =>
    Effect.gen(function* () {
      const dir = temporaryDirectory()
      const file = NodePath.join(dir, "goals.json")
      const mtime = Math.floor(Date.now() / 1000) - 60
      /** The goal "Cached Goal" created `minutesAgo` ago; the file keeps its size and gets `mtime`. */
      const writeGoal = (minutesAgo: number, modifiedAt: number) => {
        const createdAt = new Date(Math.floor((Date.now() - minutesAgo * MINUTE) / 1000) * 1000).toISOString()
        NodeFs.writeFileSync(file, JSON.stringify({ "2002": { "Cached Goal": createdAt } }))
        NodeFs.utimesSync(file, modifiedAt, modifiedAt)
      }
      writeGoal(30, mtime)
      yield* recordedGoalTimesIn(dir)
      const deliverer = yield* makeTestDeliverer()
      const server = yield* Effect.promise(() => startInProcess(deliverer.layer, { flushMs: 0 }))
      yield* Effect.addFinalizer(() => Effect.promise(() => server.stop()))
      const time = new Date(Date.now() - 5 * MINUTE).toISOString()
      const send = (id: string) =>
        Effect.promise(async () => {
          const answer = await request(server.url, "/v1/conversions", {
            body: { id, MicrosoftClickId: clickId(id), ConversionName: "Cached Goal", ConversionTime: time }
          })
          expect(answer.status).toBe(202)
          const body = (await answer.json()) as { records: ReadonlyArray<{ status: string }> }
          return body.records[0]?.status
        })

      // Created 30 minutes ago: the record waits.
      expect(yield* send("cache-1")).toBe("waiting")
      // Rewritten (created three hours ago, same size) and given back its modification time: not read again, so
      // the record still waits — the server did not read the file for this request.
      writeGoal(180, mtime)
      expect(yield* send("cache-2")).toBe("waiting")
      // Its modification time changes: read again, the goal is ready, the record goes out.
      NodeFs.utimesSync(file, mtime + 1, mtime + 1)
      expect(yield* send("cache-3")).toBe("pending")
    }).pipe(Effect.scoped)
  )
})
