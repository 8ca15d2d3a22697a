/**
 * The outbox on real SQLite files: an outbox file of schema version 1 is migrated in place, and a failed write is
 * remembered (with SQLite's words) until a write succeeds — the readiness probe then has to find room for more
 * records, not just a tiny row. Writes are made to fail for real with `PRAGMA query_only` on the outbox's connection.
 */
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { describeOutboxError, Outbox, probeRoomBytes } from "../src/Outbox.js"
import { ServerConfig } from "../src/ServerConfig.js"
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

describe("Outbox", () => {
  it.effect(
    "migrates a version-1 file in place, keeps its records, and remembers a failed write until one succeeds",
    () =>
      Effect.gen(function* () {
        const databasePath = temporaryDatabase()
        yield* createVersionOne(databasePath)
        yield* Effect.gen(function* () {
          const outbox = yield* Outbox
          const sql = yield* SqlClient.SqlClient
          expect(Option.map(yield* outbox.get("old-1"), (record) => record.status)).toEqual(Option.some("pending"))
          expect(yield* sql<{ user_version: number }>`PRAGMA user_version`).toEqual([{ user_version: 2 }])

          yield* sql.unsafe("PRAGMA query_only = ON")
          const refused = yield* Effect.flip(outbox.enqueue([{ id: "new-1", kind: "conversion", fields: {} }]))
          expect(refused._tag).toBe("SqlError")
          const failure = "attempt to write a readonly database (SQLITE_READONLY)"
          expect(yield* outbox.writeFailure).toEqual(Option.some(failure))
          // The probe fails for the same reason while it persists.
          expect(describeOutboxError(yield* Effect.flip(outbox.checkWritable))).toBe(failure)
          expect(yield* outbox.writeFailure).toEqual(Option.some(failure))

          yield* sql.unsafe("PRAGMA query_only = OFF")
          yield* outbox.checkWritable
          expect(yield* outbox.writeFailure).toEqual(Option.none())
          // After a failure the probe had to write fresh room, not just its tiny row.
          expect(yield* sql<{ bytes: number }>`SELECT length(pad) AS bytes FROM probe`).toEqual([
            { bytes: probeRoomBytes }
          ])
          yield* outbox.checkWritable
          expect(yield* sql<{ bytes: number | null }>`SELECT length(pad) AS bytes FROM probe`).toEqual([
            { bytes: null }
          ])
        }).pipe(
          Effect.provide(Outbox.layer.pipe(Layer.provide(ServerConfig.layerWith({ databasePath })))),
          Effect.scoped
        )
      })
  )
})
