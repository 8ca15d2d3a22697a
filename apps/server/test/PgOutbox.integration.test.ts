/**
 * What only the PostgreSQL outbox does: several instances migrating one empty database at the same moment (the
 * advisory lock makes them queue), the pool's statement timeout and size. Real PostgreSQL, a fresh database per test.
 */
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Outbox } from "../src/Outbox.js"
import { ServerConfig } from "../src/ServerConfig.js"
import { freshDatabase } from "./support/postgres.js"
import { adminQuery } from "./support/postgresAdmin.js"

const outboxOn = (databasePath: string, settings: { dbStatementTimeoutMs?: number; dbPoolSize?: number } = {}) =>
  Outbox.layer.pipe(Layer.provide(ServerConfig.layerWith({ databasePath, dbPoolSize: 2, ...settings })))

describe("the PostgreSQL outbox", () => {
  it.live(
    "six instances opening one empty database at the same moment all come up; the schema is created once",
    () =>
      Effect.gen(function* () {
        const database = yield* Effect.promise(() => freshDatabase("migration_race"))
        const opened = yield* Effect.all(
          Array.from({ length: 6 }, () =>
            Effect.flatMap(Outbox, (outbox) => outbox.counts).pipe(
              Effect.provide(outboxOn(database.url)),
              Effect.either
            )
          ),
          { concurrency: "unbounded" }
        )
        expect(opened.map((result) => result._tag)).toEqual(Array(6).fill("Right"))
        const applied = yield* Effect.promise(() =>
          adminQuery(database.url, "SELECT version FROM uplink_schema_migrations")
        )
        expect(applied).toEqual([{ version: 1 }, { version: 2 }])
      }),
    60_000
  )

  it.live(
    "sets UPLINK_DB_STATEMENT_TIMEOUT_MS on every connection, and a statement that runs longer is cancelled",
    () =>
      Effect.gen(function* () {
        const database = yield* Effect.promise(() => freshDatabase("timeout"))
        yield* Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const [setting] = yield* sql<{ statement_timeout: string }>`SHOW statement_timeout`
          expect(setting?.statement_timeout).toBe("250ms")
          const cancelled = yield* Effect.flip(sql`SELECT pg_sleep(2)`)
          expect(String((cancelled.cause as Error).message)).toBe("canceling statement due to statement timeout")
        }).pipe(Effect.provide(outboxOn(database.url, { dbStatementTimeoutMs: 250 })))
      }),
    60_000
  )

  it.live(
    "opens at most UPLINK_DB_POOL_SIZE connections: further statements wait for one",
    () =>
      Effect.gen(function* () {
        const database = yield* Effect.promise(() => freshDatabase("pool"))
        yield* Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const seen = yield* Effect.all(
            Array.from({ length: 6 }, () =>
              sql<{ n: number }>`SELECT (SELECT COUNT(*) FROM pg_stat_activity
                  WHERE datname = current_database() AND application_name = 'uplink-server') AS n,
                pg_sleep(0.3)`.pipe(Effect.map((rows) => Number(rows[0]!.n)))
            ),
            { concurrency: "unbounded" }
          )
          expect(Math.max(...seen)).toBe(3)
        }).pipe(Effect.provide(outboxOn(database.url, { dbPoolSize: 3 })))
      }),
    60_000
  )
})
