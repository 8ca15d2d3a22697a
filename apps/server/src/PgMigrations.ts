/**
 * The PostgreSQL outbox's schema, as numbered migrations recorded in `uplink_schema_migrations`. `migrate` applies the
 * missing ones in one transaction that first takes a transaction-scoped advisory lock, so instances starting together
 * queue behind one another: the first creates the schema, the others find it current (PostgreSQL's DDL is
 * transactional, so a migration is applied whole or not at all). A database whose newest migration is one this binary
 * does not know was made by a newer uplink-server: it is refused (`OutboxSchemaError`) before anything is changed.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import { OutboxSchemaError } from "./Outbox.js"

/** One migration: its number, what it does, and its statements. */
export interface Migration {
  readonly version: number
  readonly description: string
  readonly statements: ReadonlyArray<string>
}

/**
 * Every migration, in order, its SQL written out literally (never built from code that may change, such as core's
 * `Ledger.schema`). Add new ones at the end; never change one that was released: databases out there were migrated
 * by it, and would not be again. `test/MigrationsFrozen.test.ts` pins the text of every released one.
 */
export const migrations: ReadonlyArray<Migration> = [
  {
    version: 1,
    description: "records, readiness probe, shared throttle",
    statements: [
      `CREATE TABLE uplink_records (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('conversion', 'adjustment')),
        fields TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'accepted', 'rejected', 'duplicate', 'failed')),
        code INTEGER,
        error_code TEXT,
        message TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        not_before BIGINT NOT NULL,
        lease_owner TEXT,
        lease_token TEXT,
        lease_until BIGINT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
      "CREATE INDEX uplink_records_pending ON uplink_records (kind, not_before, seq) WHERE status = 'pending'",
      "CREATE INDEX uplink_records_sending ON uplink_records (kind, lease_until, seq) WHERE status = 'sending'",
      `CREATE TABLE uplink_probe (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        at BIGINT NOT NULL,
        pad BYTEA
      )`,
      `CREATE TABLE uplink_throttle (
        customer_id TEXT PRIMARY KEY,
        paused_until BIGINT NOT NULL DEFAULT 0,
        calls_per_window DOUBLE PRECISION,
        next_slot BIGINT NOT NULL DEFAULT 0,
        last_slowdown_at BIGINT,
        slowdowns INTEGER NOT NULL DEFAULT 0,
        recent TEXT NOT NULL DEFAULT '[]'
      )`
    ]
  },
  {
    version: 2,
    description: "records' goals and waiting for a goal, goals' readiness after 5615, the ledger",
    statements: [
      "ALTER TABLE uplink_records ADD COLUMN goal TEXT",
      "ALTER TABLE uplink_records ADD COLUMN waiting_goal TEXT",
      "UPDATE uplink_records SET goal = fields::json->>'ConversionName'",
      "CREATE INDEX uplink_records_goal ON uplink_records (goal, not_before) WHERE status = 'pending'",
      `CREATE TABLE uplink_goal_readiness (
        goal TEXT PRIMARY KEY,
        ready_at BIGINT NOT NULL,
        windows INTEGER NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
      // The ledger's table as @uplink/core's `Ledger.schema("postgres")` wrote it when this migration was released.
      // Written out here: core's statements may change, a released migration may not.
      `CREATE TABLE IF NOT EXISTS uplink_ledger (
      run_id TEXT NOT NULL,
      source TEXT NOT NULL CHECK (source IN ('cli', 'server')),
      kind TEXT NOT NULL CHECK (kind IN ('conversion', 'adjustment')),
      goal TEXT NOT NULL,
      day TEXT NOT NULL,
      accepted INTEGER NOT NULL DEFAULT 0,
      rejected INTEGER NOT NULL DEFAULT 0,
      invalid INTEGER NOT NULL DEFAULT 0,
      duplicate INTEGER NOT NULL DEFAULT 0,
      failed INTEGER NOT NULL DEFAULT 0,
      recorded_at BIGINT NOT NULL,
      PRIMARY KEY (run_id, kind, goal, day)
    )`,
      "CREATE INDEX IF NOT EXISTS uplink_ledger_day ON uplink_ledger (day, goal)"
    ]
  }
]

/** The newest schema this binary knows. */
export const latestVersion = migrations[migrations.length - 1]!.version

/** The advisory lock key that serialises migrations (any instance, any database of the cluster). */
export const migrationLockKey = 7_220_115_022

/** What `migrate` found and did. */
export interface MigrationReport {
  readonly from: number
  readonly to: number
}

/**
 * Applies the missing migrations under the advisory lock. `transaction` runs its effect in one transaction (the
 * outbox's, which turns a failed COMMIT into an error).
 */
export const migrate = (
  sql: SqlClient.SqlClient,
  transaction: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E | SqlError.SqlError>
): Effect.Effect<MigrationReport, SqlError.SqlError | OutboxSchemaError> =>
  transaction(
    Effect.gen(function* () {
      yield* sql`SELECT pg_advisory_xact_lock(${migrationLockKey})`
      yield* sql`CREATE TABLE IF NOT EXISTS uplink_schema_migrations (
        version INTEGER PRIMARY KEY,
        description TEXT NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`
      const [row] = yield* sql<{ version: number | null }>`SELECT MAX(version) AS version FROM uplink_schema_migrations`
      const from = row?.version ?? 0
      if (from > latestVersion) {
        return yield* Effect.fail(
          new OutboxSchemaError({
            reason:
              `the database's outbox has schema version ${from}, newer than this uplink-server knows ` +
              `(${latestVersion}): upgrade uplink-server to the version that migrated it, or point UPLINK_DB at ` +
              "another database"
          })
        )
      }
      for (const migration of migrations) {
        if (migration.version <= from) continue
        for (const statement of migration.statements) yield* sql.unsafe(statement)
        yield* sql`INSERT INTO uplink_schema_migrations (version, description)
          VALUES (${migration.version}, ${migration.description})`
      }
      return { from, to: latestVersion }
    })
  )
