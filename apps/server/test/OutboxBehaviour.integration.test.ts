/**
 * The outbox's promises (Outbox.ts), checked on both engines with the same tests: SQLite on a real file, PostgreSQL
 * on a fresh database of the run's server. Time is the TestClock's. Writes are made to fail for real: SQLite with
 * `PRAGMA query_only` on the outbox's connection, PostgreSQL by making the database read-only and dropping its
 * connections (as a failover to a standby does), so the pool has to reconnect.
 */
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option, Schedule, Scope, TestClock } from "effect"
import {
  describeOutboxError,
  type FinalOutcome,
  type NewRecord,
  Outbox,
  type OutboxShape,
  probeRoomBytes
} from "../src/Outbox.js"
import { ServerConfig } from "../src/ServerConfig.js"
import { temporaryDatabase } from "./support/files.js"
import { freshDatabase, makeReadOnly, makeWritable } from "./support/postgres.js"
import { adminQuery } from "./support/postgresAdmin.js"

/** A new empty database of one engine, and how to break and mend its writes for real. */
interface EngineDatabase {
  readonly databasePath: string
  /** Makes writes through the outbox's own client fail, and waits until they do. */
  readonly breakWrites: (sql: SqlClient.SqlClient) => Effect.Effect<void>
  readonly fixWrites: (sql: SqlClient.SqlClient) => Effect.Effect<void>
  /** The engine's words for a refused write. */
  readonly refusal: RegExp
  /** Marks the (migrated) database as having a schema version this binary does not know. */
  readonly markNewerSchema: () => Promise<void>
  /** What the probe row's pad holds, in bytes (`null` without one). */
  readonly padBytes: (sql: SqlClient.SqlClient) => Effect.Effect<number | null>
}

interface Engine {
  readonly name: string
  readonly create: () => Promise<EngineDatabase>
}

/** Asks until the session says `expected` (a pooled client may first hand out connections that were cut). */
const untilSetting = (sql: SqlClient.SqlClient, expected: string) =>
  sql<{ transaction_read_only: string }>`SHOW transaction_read_only`.pipe(
    Effect.flatMap((rows) =>
      rows[0]?.transaction_read_only === expected ? Effect.void : Effect.fail(new Error("not yet"))
    ),
    Effect.retry(Schedule.recurs(20)),
    Effect.orDie
  )

const engines: ReadonlyArray<Engine> = [
  {
    name: "SQLite",
    create: async () => {
      const databasePath = temporaryDatabase()
      return {
        databasePath,
        breakWrites: (sql) => Effect.orDie(Effect.asVoid(sql.unsafe("PRAGMA query_only = ON"))),
        fixWrites: (sql) => Effect.orDie(Effect.asVoid(sql.unsafe("PRAGMA query_only = OFF"))),
        refusal: /^attempt to write a readonly database \(SQLITE_READONLY\)$/,
        markNewerSchema: () =>
          Effect.runPromise(
            Effect.flatMap(SqlClient.SqlClient, (sql) => Effect.asVoid(sql.unsafe("PRAGMA user_version = 99"))).pipe(
              Effect.provide(SqliteClient.layer({ filename: databasePath })),
              Effect.scoped
            )
          ),
        padBytes: (sql) =>
          sql<{ bytes: number | null }>`SELECT length(pad) AS bytes FROM probe`.pipe(
            Effect.map((rows) => rows[0]?.bytes ?? null),
            Effect.orDie
          )
      }
    }
  },
  {
    name: "PostgreSQL",
    create: async () => {
      const database = await freshDatabase("outbox")
      return {
        databasePath: database.url,
        breakWrites: (sql) =>
          Effect.promise(() => makeReadOnly(database.name)).pipe(Effect.zipRight(untilSetting(sql, "on"))),
        fixWrites: (sql) =>
          Effect.promise(() => makeWritable(database.name)).pipe(Effect.zipRight(untilSetting(sql, "off"))),
        refusal: /^cannot execute (INSERT|UPDATE) in a read-only transaction \(25006\)$/,
        markNewerSchema: async () => {
          const url = new URL(database.url)
          await adminQuery(
            url.toString(),
            "INSERT INTO uplink_schema_migrations (version, description) VALUES (99, 'from the future')"
          )
        },
        padBytes: (sql) =>
          sql<{ bytes: number | null }>`SELECT octet_length(pad) AS bytes FROM uplink_probe`.pipe(
            Effect.map((rows) => rows[0]?.bytes ?? null),
            Effect.orDie
          )
      }
    }
  }
]

const records = (count: number, prefix = "r", kind: NewRecord["kind"] = "conversion"): ReadonlyArray<NewRecord> =>
  Array.from({ length: count }, (_, index) => ({
    id: `${prefix}${index}`,
    kind,
    fields: { ConversionName: "Purchase", MicrosoftClickId: `click-${prefix}-${index}` }
  }))

const accepted = (id: string): FinalOutcome => ({ id, status: "accepted", code: null, errorCode: null, message: null })

const leaseMs = 10_000

/** An outbox (and its SQL client) on `databasePath`, open until `scope` closes. */
const openOutbox = (databasePath: string, scope: Scope.Scope) =>
  Effect.gen(function* () {
    const context = yield* Layer.buildWithScope(
      Outbox.layer.pipe(Layer.provide(ServerConfig.layerWith({ databasePath, leaseMs, dbPoolSize: 2 }))),
      scope
    )
    const outbox: OutboxShape = yield* Effect.provide(Outbox, context)
    const sql = yield* Effect.provide(SqlClient.SqlClient, context)
    return { outbox, sql }
  })

/** A fresh database of `engine`, with one outbox open on it for the test. */
const setup = (engine: Engine) =>
  Effect.gen(function* () {
    const database = yield* Effect.promise(() => engine.create())
    const scope = yield* Effect.scope
    const { outbox, sql } = yield* openOutbox(database.databasePath, scope)
    return { database, outbox, sql, scope }
  })

describe.each(engines)("the outbox on $name", (engine) => {
  it.scoped(
    "keeps the first record of an id, across calls and within one call, and answers each record",
    () =>
      Effect.gen(function* () {
        const { outbox } = yield* setup(engine)
        const first = yield* outbox.enqueue([
          { id: "a", kind: "conversion", fields: { ConversionName: "first" } },
          { id: "b", kind: "adjustment", fields: { AdjustmentType: "Retract" } },
          { id: "a", kind: "conversion", fields: { ConversionName: "later in the same call" } }
        ])
        expect(first).toEqual([
          { id: "a", status: "pending", repeated: false },
          { id: "b", status: "pending", repeated: false },
          { id: "a", status: "pending", repeated: true }
        ])
        const again = yield* outbox.enqueue([
          { id: "c", kind: "conversion", fields: {} },
          { id: "a", kind: "conversion", fields: { ConversionName: "another request" } }
        ])
        expect(again).toEqual([
          { id: "c", status: "pending", repeated: false },
          { id: "a", status: "pending", repeated: true }
        ])
        expect((yield* outbox.counts).pending).toBe(3)
        const claim = yield* outbox.claim("conversion", 10, "worker")
        expect(claim.records.map((record) => [record.id, record.fields])).toEqual([
          ["a", { ConversionName: "first" }],
          ["c", {}]
        ])
        const view = Option.getOrThrow(yield* outbox.get("b"))
        expect(view).toMatchObject({ id: "b", kind: "adjustment", status: "pending", attempts: 0 })
        expect(yield* outbox.get("unknown")).toEqual(Option.none())
      }),
    30_000
  )

  it.scoped(
    "claims due records oldest first, per kind, up to the limit; not those backed off or leased",
    () =>
      Effect.gen(function* () {
        const { outbox } = yield* setup(engine)
        yield* outbox.enqueue(records(5))
        yield* outbox.enqueue(records(2, "adj", "adjustment"))
        const first = yield* outbox.claim("conversion", 3, "one")
        expect(first.records.map((record) => record.id)).toEqual(["r0", "r1", "r2"])
        expect(first.records.map((record) => record.attempts)).toEqual([1, 1, 1])
        expect(first.lease.owner).toBe("one")
        const second = yield* outbox.claim("conversion", 10, "two")
        expect(second.records.map((record) => record.id)).toEqual(["r3", "r4"])
        expect(second.lease.token).not.toBe(first.lease.token)
        expect((yield* outbox.claim("conversion", 10, "three")).records).toEqual([])
        // Backed off: not due until its time.
        expect(yield* outbox.reschedule(second.lease, ["r3"], 5_000, "outage")).toBe(1)
        expect((yield* outbox.claim("conversion", 10, "three")).records).toEqual([])
        yield* TestClock.adjust("5 seconds")
        const retried = yield* outbox.claim("conversion", 10, "three")
        expect(retried.records.map((record) => [record.id, record.attempts])).toEqual([["r3", 2]])
        const adjustments = yield* outbox.claim("adjustment", 10, "one")
        expect(adjustments.records.map((record) => record.id)).toEqual(["adj0", "adj1"])
      }),
    30_000
  )

  it.scoped(
    "writes outcomes once, only under the lease they were claimed with; a late writer whose lease was taken over writes nothing",
    () =>
      Effect.gen(function* () {
        const { outbox } = yield* setup(engine)
        yield* outbox.enqueue(records(3))
        const crashed = yield* outbox.claim("conversion", 3, "instance-a")
        // A keeps its lease alive for a while, then stops (it died, or stalled).
        yield* TestClock.adjust("9 seconds")
        expect(yield* outbox.renew(crashed.lease, ["r0", "r1", "r2"])).toBe(3)
        yield* TestClock.adjust("9 seconds")
        expect((yield* outbox.claim("conversion", 3, "instance-b")).records).toEqual([])
        yield* TestClock.adjust("1 second")
        const takeover = yield* outbox.claim("conversion", 3, "instance-b")
        expect(takeover.records.map((record) => [record.id, record.attempts])).toEqual([
          ["r0", 2],
          ["r1", 2],
          ["r2", 2]
        ])
        // A comes back late: it can neither renew, nor complete, nor reschedule.
        expect(yield* outbox.renew(crashed.lease, ["r0"])).toBe(0)
        expect(
          yield* outbox.complete(crashed.lease, [
            { id: "r0", status: "rejected", code: 5604, errorCode: "Late", message: "late" }
          ])
        ).toBe(0)
        expect(yield* outbox.reschedule(crashed.lease, ["r1"], 0, "late")).toBe(0)
        // The same owner with another claim's token cannot either.
        expect(yield* outbox.complete({ owner: "instance-b", token: "another-claim" }, [accepted("r0")])).toBe(0)
        expect(Option.getOrThrow(yield* outbox.get("r0")).status).toBe("sending")
        // B writes once; what is final is never claimed again nor overwritten.
        expect(yield* outbox.complete(takeover.lease, [accepted("r0"), accepted("r1")])).toBe(2)
        expect(yield* outbox.complete(takeover.lease, [accepted("r0")])).toBe(0)
        expect(yield* outbox.reschedule(takeover.lease, ["r2"], 0, "rate limited")).toBe(1)
        yield* TestClock.adjust("1 hour")
        const later = yield* outbox.claim("conversion", 10, "instance-c")
        expect(later.records.map((record) => record.id)).toEqual(["r2"])
        const r0 = Option.getOrThrow(yield* outbox.get("r0"))
        expect(r0).toMatchObject({ status: "accepted", code: null, message: null, attempts: 2 })
        expect(Option.getOrThrow(yield* outbox.get("r2")).message).toBe("rate limited")
      }),
    30_000
  )

  it.scoped(
    "tells the worker what is due, since when, and when to look again",
    () =>
      Effect.gen(function* () {
        const { outbox } = yield* setup(engine)
        expect(yield* outbox.summary).toEqual({
          due: { conversion: 0, adjustment: 0 },
          oldestDue: { conversion: Option.none(), adjustment: Option.none() },
          nextWake: Option.none()
        })
        yield* TestClock.adjust("1 second")
        yield* outbox.enqueue(records(3))
        yield* TestClock.adjust("1 second")
        yield* outbox.enqueue(records(1, "adj", "adjustment"))
        const claim = yield* outbox.claim("conversion", 1, "one")
        yield* outbox.reschedule(claim.lease, ["r0"], 30_000, "later")
        yield* outbox.claim("conversion", 1, "one")
        const summary = yield* outbox.summary
        expect(summary.due).toEqual({ conversion: 1, adjustment: 1 })
        expect(summary.oldestDue).toEqual({ conversion: Option.some(1_000), adjustment: Option.some(2_000) })
        // r1 is leased until 2 s + 10 s; r0 is backed off until 30 s.
        expect(summary.nextWake).toEqual(Option.some(2_000 + leaseMs))
      }),
    30_000
  )

  it.scoped(
    "has gauges for the whole outbox and for one instance: counts, leased, oldest pending age",
    () =>
      Effect.gen(function* () {
        const { outbox } = yield* setup(engine)
        const empty = yield* outbox.gauges("one")
        expect(empty).toEqual({
          counts: { pending: 0, waiting: 0, sending: 0, accepted: 0, rejected: 0, duplicate: 0, failed: 0 },
          leased: 0,
          oldestPendingAgeMs: Option.none(),
          leasedByInstance: 0
        })
        yield* TestClock.adjust("1 second")
        yield* outbox.enqueue(records(6))
        const mine = yield* outbox.claim("conversion", 2, "one")
        yield* outbox.claim("conversion", 3, "two")
        yield* outbox.complete(mine.lease, [accepted("r0")])
        yield* TestClock.adjust("4 seconds")
        const gauges = yield* outbox.gauges("one")
        expect(gauges).toEqual({
          counts: { pending: 1, waiting: 0, sending: 4, accepted: 1, rejected: 0, duplicate: 0, failed: 0 },
          leased: 4,
          oldestPendingAgeMs: Option.some(4_000),
          leasedByInstance: 1
        })
        // An expired lease counts as leased no more.
        yield* TestClock.adjust("10 seconds")
        expect((yield* outbox.gauges("one")).leased).toBe(0)
      }),
    30_000
  )

  it.scoped(
    "holds a record for a goal that is not ready as waiting, never claims it early, and releases it when ready",
    () =>
      Effect.gen(function* () {
        const { outbox } = yield* setup(engine)
        const hour = 3_600_000
        const answered = yield* outbox.enqueue([
          { id: "w1", kind: "conversion", fields: { ConversionName: "New" }, goal: "New", waitUntil: 2 * hour },
          { id: "p1", kind: "conversion", fields: { ConversionName: "Old" }, goal: "Old" }
        ])
        expect(answered.map((result) => result.status)).toEqual(["waiting", "pending"])
        expect(Option.getOrThrow(yield* outbox.get("w1")).status).toBe("waiting")
        expect((yield* outbox.counts).waiting).toBe(1)
        expect(yield* outbox.waitingFor("New")).toEqual({ records: 1, readyAt: Option.some(2 * hour) })
        const first = yield* outbox.claim("conversion", 10, "one")
        expect(first.records.map((record) => record.id)).toEqual(["p1"])
        expect(yield* outbox.complete(first.lease, [accepted("p1")])).toBe(1)
        yield* TestClock.adjust(2 * hour - 1)
        expect((yield* outbox.claim("conversion", 10, "one")).records).toEqual([])
        yield* TestClock.adjust(1)
        const released = yield* outbox.claim("conversion", 10, "one")
        expect(released.records.map((record) => record.id)).toEqual(["w1"])
        expect(Option.getOrThrow(yield* outbox.get("w1")).status).toBe("sending")
        expect(yield* outbox.waitingFor("New")).toEqual({ records: 0, readyAt: Option.none() })
      }),
    30_000
  )

  it.scoped(
    "after a 5615 holds the refused records and the goal's pending ones for two hours from the first 5615",
    () =>
      Effect.gen(function* () {
        const { outbox } = yield* setup(engine)
        const hour = 3_600_000
        yield* outbox.enqueue(records(3).map((record) => ({ ...record, goal: "Purchase" })))
        const claim = yield* outbox.claim("conversion", 2, "one")
        const state = yield* outbox.notAccepted("Purchase", 0)
        expect(state).toEqual({ goal: "Purchase", readyAtMs: 2 * hour, windows: 1, giveUp: false })
        // Later answers inside the window keep it.
        expect(yield* outbox.notAccepted("Purchase", hour)).toEqual(state)
        expect(yield* outbox.goalsReadyAt(["Purchase", "Other"], hour)).toEqual(new Map([["Purchase", 2 * hour]]))
        expect(yield* outbox.hold(claim.lease, ["r0", "r1"], "Purchase", 2 * hour, "waiting for goal")).toBe(2)
        expect(yield* outbox.holdGoal("Purchase", 2 * hour)).toBe(1)
        expect((yield* outbox.counts).waiting).toBe(3)
        expect(Option.getOrThrow(yield* outbox.get("r0"))).toMatchObject({
          status: "waiting",
          message: "waiting for goal"
        })
        expect((yield* outbox.claim("conversion", 10, "two")).records).toEqual([])
        yield* TestClock.adjust(2 * hour)
        expect((yield* outbox.claim("conversion", 10, "two")).records.map((record) => record.id)).toEqual([
          "r0",
          "r1",
          "r2"
        ])
        expect(yield* outbox.goalsReadyAt(["Purchase"], 2 * hour)).toEqual(new Map())
        // Past the window a new one starts; past three, the goal is given up on.
        expect((yield* outbox.notAccepted("Purchase", 2 * hour)).windows).toBe(2)
        expect((yield* outbox.notAccepted("Purchase", 4 * hour)).windows).toBe(3)
        expect((yield* outbox.notAccepted("Purchase", 6 * hour)).giveUp).toBe(true)
      }),
    30_000
  )

  it.scoped(
    "adds the outcomes it writes to the ledger, once, by goal and day; a late writer adds nothing",
    () =>
      Effect.gen(function* () {
        const { outbox, sql } = yield* setup(engine)
        yield* outbox.enqueue([
          ...records(3).map((record) => ({ ...record, goal: "Purchase" })),
          { id: "lead", kind: "conversion", fields: { ConversionName: "Lead" }, goal: "Lead" }
        ])
        const claim = yield* outbox.claim("conversion", 10, "one")
        const written = yield* outbox.complete(
          claim.lease,
          [
            accepted("r0"),
            accepted("r1"),
            { id: "r2", status: "rejected", code: 5604, errorCode: "X", message: "no" },
            accepted("lead")
          ],
          { runId: claim.lease.token, day: "2026-03-02" }
        )
        expect(written).toBe(4)
        // The same outcomes again under the same lease write nothing, so the ledger does not count them twice.
        expect(
          yield* outbox.complete(claim.lease, [accepted("r0")], { runId: claim.lease.token, day: "2026-03-02" })
        ).toBe(0)
        const zero = { invalid: 0, duplicate: 0, failed: 0 }
        expect(yield* outbox.sent({ from: "2026-03-01", to: "2026-03-02" })).toEqual([
          { goal: "Lead", day: "2026-03-02", accepted: 1, rejected: 0, ...zero },
          { goal: "Purchase", day: "2026-03-02", accepted: 2, rejected: 1, ...zero }
        ])
        expect(yield* outbox.sent({ from: "2026-03-02", to: "2026-03-02", goals: ["Lead"] })).toHaveLength(1)
        // Counts only: no click id reaches the ledger's table.
        const rows = yield* sql<Record<string, unknown>>`SELECT * FROM uplink_ledger`
        expect(JSON.stringify(rows)).not.toContain("click-")
      }),
    30_000
  )

  it.scoped(
    "two instances on one database: concurrent claims never share a record, concurrent enqueues insert an id once",
    () =>
      Effect.gen(function* () {
        const { database, outbox: first, scope } = yield* setup(engine)
        const { outbox: second } = yield* openOutbox(database.databasePath, scope)
        const batch = records(200)
        const [a, b] = yield* Effect.all([first.enqueue(batch), second.enqueue(batch)], { concurrency: 2 })
        const fresh = [...a, ...b].filter((result) => !result.repeated).map((result) => result.id)
        expect(fresh.sort()).toEqual(batch.map((record) => record.id).sort())
        expect((yield* first.counts).pending).toBe(200)
        const claims = yield* Effect.all(
          Array.from({ length: 8 }, (_, index) =>
            (index % 2 === 0 ? first : second).claim("conversion", 30, `instance-${index}`)
          ),
          { concurrency: 8 }
        )
        const claimed = claims.flatMap((claim) => claim.records.map((record) => record.id))
        expect(claimed.length).toBe(200)
        expect(new Set(claimed).size).toBe(200)
      }),
    60_000
  )

  it.scoped(
    "remembers a failed write (in the engine's words) until one succeeds; the probe must then find room for records",
    () =>
      Effect.gen(function* () {
        const { database, outbox, sql } = yield* setup(engine)
        yield* outbox.enqueue(records(1, "before"))
        yield* database.breakWrites(sql)
        const refused = yield* Effect.flip(outbox.enqueue(records(1, "during")))
        expect(refused._tag).toBe("SqlError")
        const failure = Option.getOrThrow(yield* outbox.writeFailure)
        expect(failure).toMatch(database.refusal)
        expect(describeOutboxError(refused)).toBe(failure)
        // The probe fails for the same reason while it persists; reads still work.
        expect(describeOutboxError(yield* Effect.flip(outbox.checkWritable))).toMatch(database.refusal)
        expect(Option.isSome(yield* outbox.writeFailure)).toBe(true)
        expect(Option.getOrThrow(yield* outbox.get("before0")).status).toBe("pending")

        yield* database.fixWrites(sql)
        yield* outbox.checkWritable
        expect(yield* outbox.writeFailure).toEqual(Option.none())
        expect(yield* database.padBytes(sql)).toBe(probeRoomBytes)
        yield* outbox.checkWritable
        expect(yield* database.padBytes(sql)).toBe(null)
        // Nothing acknowledged was lost, and nothing refused was kept.
        expect(Option.isSome(yield* outbox.get("before0"))).toBe(true)
        expect(yield* outbox.get("during0")).toEqual(Option.none())
      }),
    60_000
  )

  it.scoped(
    "refuses a database whose schema is newer than it knows, saying what to do",
    () =>
      Effect.gen(function* () {
        const database = yield* Effect.promise(() => engine.create())
        const scope = yield* Scope.make()
        yield* openOutbox(database.databasePath, scope)
        yield* Scope.close(scope, Exit.void)
        yield* Effect.promise(() => database.markNewerSchema())
        const refused = yield* Effect.flip(openOutbox(database.databasePath, yield* Effect.scope))
        expect(refused._tag).toBe("OutboxSchemaError")
        expect(describeOutboxError(refused as never)).toMatch(
          /schema version 99, newer than this uplink-server knows \(\d+\)/
        )
      }),
    30_000
  )
})
