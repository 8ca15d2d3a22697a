/**
 * What only the SQLite outbox does: an outbox file of schema version 1 (the first release) is migrated in place to
 * the current version and keeps its records (their goal filled in from their fields, so a 5615 for that goal holds
 * them too). The behaviour both engines share is in OutboxBehaviour.integration.test.ts.
 */
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, TestClock } from "effect"
import { Outbox } from "../src/Outbox.js"
import { ServerConfig } from "../src/ServerConfig.js"
import { sqliteSchemaVersion } from "../src/SqliteOutbox.js"
import { temporaryDatabase } from "./support/files.js"
/** The schema of version 1, as the first release created it. */
const createVersionOne = (databasePath: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE records (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL CHECK (kind IN ('conversion', 'adjustment')),
      fields TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'accepted', 'rejected', 'duplicate', 'failed')),
      code INTEGER, error_code TEXT, message TEXT,
      attempts INTEGER NOT NULL DEFAULT 0,
      not_before INTEGER NOT NULL, lease_owner TEXT, lease_until INTEGER,
      created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
    )`
    yield* sql`CREATE TABLE probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL)`
    yield* sql`INSERT INTO records (id, kind, fields, status, not_before, created_at, updated_at)
      VALUES ('old-1', 'conversion', '{"ConversionName":"Purchase"}', 'pending', 0, 0, 0)`
    yield* sql.unsafe("PRAGMA user_version = 1")
  }).pipe(Effect.provide(SqliteClient.layer({ filename: databasePath })), Effect.scoped)

describe("the SQLite outbox", () => {
  it.effect("migrates a version-1 file in place and keeps its records, which can be claimed and completed", () =>
    Effect.gen(function* () {
      const databasePath = temporaryDatabase()
      yield* createVersionOne(databasePath)
      yield* Effect.gen(function* () {
        const outbox = yield* Outbox
        const sql = yield* SqlClient.SqlClient
        expect(Option.map(yield* outbox.get("old-1"), (record) => record.status)).toEqual(Option.some("pending"))
        expect(yield* sql<{ user_version: number }>`PRAGMA user_version`).toEqual([
          { user_version: sqliteSchemaVersion }
        ])
        expect(yield* outbox.holdGoal("Purchase", 1)).toBe(1)
        expect(Option.map(yield* outbox.get("old-1"), (record) => record.status)).toEqual(Option.some("waiting"))
        yield* TestClock.adjust(1)
        const claim = yield* outbox.claim("conversion", 10, "worker")
        expect(claim.records.map((record) => record.id)).toEqual(["old-1"])
        expect(
          yield* outbox.complete(
            claim.lease,
            [{ id: "old-1", status: "accepted", code: null, errorCode: null, message: null }],
            { runId: "batch-1", day: "2026-03-02" }
          )
        ).toBe(1)
        expect((yield* outbox.sent({ from: "2026-03-02", to: "2026-03-02" }))[0]).toMatchObject({
          goal: "Purchase",
          accepted: 1
        })
        yield* outbox.checkWritable
      }).pipe(Effect.provide(Outbox.layer.pipe(Layer.provide(ServerConfig.layerWith({ databasePath })))), Effect.scoped)
    })
  )
})
