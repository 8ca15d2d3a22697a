/**
 * The SQLite outbox (`UPLINK_DB` a path or `sqlite:<path>`): one file in WAL mode with `synchronous=FULL`, written by
 * one instance. Its schema version is the file's `user_version`, migrated in place at open (1 → 2: the probe's pad,
 * 2 → 3: the claim token of a lease, 3 → 4: each record's goal and the goal it waits for, the goals' readiness
 * after 5615 answers, and the ledger); a file of a newer version is refused. Writes are transactions whose failure
 * keeps SQLite's own reason (a full disk, a corrupt file, a read-only file); `checkWritable` also notices a file that
 * was deleted or replaced under the server. See `Outbox.ts` for the promises both engines keep.
 */
import * as NodeCrypto from "node:crypto"
import * as NodeFs from "node:fs"
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlError from "@effect/sql/SqlError"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { GoalReadiness } from "@uplink/core"
import { Ledger } from "@uplink/core/reconciliation"
import {
  type Claim,
  type ClaimedRecord,
  chunk,
  type DueSummary,
  emptyCounts,
  type FinalOutcome,
  type GoalHold,
  type Lease,
  type LedgerEntry,
  ledgerRows,
  type NewRecord,
  Outbox,
  OutboxFileError,
  type OutboxGauges,
  OutboxSchemaError,
  type OutboxShape,
  probeRoomBytes,
  type RecordKind,
  type RecordStatus,
  type RecordView,
  shownStatus,
  trackWrites
} from "./Outbox.js"
import { makeRecordStatements } from "./RecordStatements.js"
import { ServerConfig } from "./ServerConfig.js"

/** The schema version this binary writes. */
export const sqliteSchemaVersion = 4

/**
 * The SQL of every released schema step, written out literally (never built from code that may change, such as
 * core's `Ledger.schema`). A released step is never edited — files out there were migrated by it and would not be
 * again: a change is a new version with a new step. `test/MigrationsFrozen.test.ts` pins the text of every one.
 */
export const sqliteMigrations = {
  /** A new file: the records and the probe, with the columns versions 2–4 add (`version4` follows). */
  create: [
    `CREATE TABLE IF NOT EXISTS records (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('conversion', 'adjustment')),
            fields TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'accepted', 'rejected', 'duplicate', 'failed')),
            code INTEGER,
            error_code TEXT,
            message TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            not_before INTEGER NOT NULL,
            lease_owner TEXT,
            lease_until INTEGER,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            lease_token TEXT,
            goal TEXT,
            waiting_goal TEXT
          )`,
    "CREATE INDEX IF NOT EXISTS records_pending ON records (kind, not_before, seq) WHERE status = 'pending'",
    "CREATE INDEX IF NOT EXISTS records_sending ON records (kind, lease_until, seq) WHERE status = 'sending'",
    `CREATE TABLE IF NOT EXISTS probe (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            at INTEGER NOT NULL,
            pad BLOB
          )`
  ],
  /** 1 → 2: the probe's pad. */
  version2: ["ALTER TABLE probe ADD COLUMN pad BLOB"],
  /** 2 → 3: the claim token of a lease. */
  version3: ["ALTER TABLE records ADD COLUMN lease_token TEXT"],
  /** 3 → 4, a file that has records: each record's goal (filled in from its fields) and the goal it waits for. */
  version4Records: [
    "ALTER TABLE records ADD COLUMN goal TEXT",
    "ALTER TABLE records ADD COLUMN waiting_goal TEXT",
    "UPDATE records SET goal = json_extract(fields, '$.ConversionName')"
  ],
  /**
   * 3 → 4, and a new file: the records' goal index, goals' readiness after 5615, and the ledger's table as
   * @uplink/core's `Ledger.schema("sqlite")` wrote it when version 4 was released.
   */
  version4: [
    "CREATE INDEX IF NOT EXISTS records_goal ON records (goal, not_before) WHERE status = 'pending'",
    `CREATE TABLE IF NOT EXISTS goal_readiness (
      goal TEXT PRIMARY KEY,
      ready_at INTEGER NOT NULL,
      windows INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    )`,
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
      recorded_at INTEGER NOT NULL,
      PRIMARY KEY (run_id, kind, goal, day)
    )`,
    "CREATE INDEX IF NOT EXISTS uplink_ledger_day ON uplink_ledger (day, goal)"
  ]
} as const satisfies Record<string, ReadonlyArray<string>>

/** Runs `statements` in order. */
const runAll = (sql: SqlClient.SqlClient, statements: ReadonlyArray<string>) =>
  Effect.forEach(statements, (statement) => sql.unsafe(statement), { discard: true })

/** Brings the file's schema to `sqliteSchemaVersion`; answers the version it found. */
const migrate = (sql: SqlClient.SqlClient) =>
  Effect.gen(function* () {
    yield* sql`PRAGMA synchronous = FULL`
    yield* sql`PRAGMA busy_timeout = 1000`
    const [row] = yield* sql<{ user_version: number }>`PRAGMA user_version`
    const found = row?.user_version ?? 0
    if (found > sqliteSchemaVersion) {
      return yield* Effect.fail(
        new OutboxSchemaError({
          reason:
            `the outbox file has schema version ${found}, newer than this uplink-server knows ` +
            `(${sqliteSchemaVersion}): run the uplink-server that wrote it, or a newer one`
        })
      )
    }
    if (found === sqliteSchemaVersion) return found
    yield* sql.withTransaction(
      Effect.gen(function* () {
        if (found === 0) yield* runAll(sql, sqliteMigrations.create)
        else {
          if (found < 2) yield* runAll(sql, sqliteMigrations.version2)
          if (found < 3) yield* runAll(sql, sqliteMigrations.version3)
          yield* runAll(sql, sqliteMigrations.version4Records)
        }
        yield* runAll(sql, sqliteMigrations.version4)
        yield* sql.unsafe(`PRAGMA user_version = ${sqliteSchemaVersion}`)
      })
    )
    return found
  })

interface RecordRow {
  readonly id: string
  readonly kind: RecordKind
  readonly status: RecordStatus
  readonly waiting_goal: string | null
  readonly code: number | null
  readonly error_code: string | null
  readonly message: string | null
  readonly attempts: number
  readonly created_at: number
  readonly updated_at: number
}

const toView = (row: RecordRow): RecordView => ({
  id: row.id,
  kind: row.kind,
  status: shownStatus(row.status, row.waiting_goal),
  code: row.code,
  errorCode: row.error_code,
  message: row.message,
  attempts: row.attempts,
  createdAt: row.created_at,
  updatedAt: row.updated_at
})

const fileIdentity = (path: string): Option.Option<string> => {
  try {
    const stat = NodeFs.statSync(path)
    return Option.some(`${stat.dev}:${stat.ino}`)
  } catch {
    return Option.none()
  }
}

/** Builds the outbox on an open SQL client; `path` is the file to watch (`None` for an in-memory database). */
export const makeOutbox = (path: Option.Option<string>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const config = yield* ServerConfig
    yield* migrate(sql)
    const identity = Option.flatMap(path, fileIdentity)
    const { tracked, writeFailure } = yield* trackWrites

    /**
     * `effect` in a transaction whose commit or rollback failing is an error, not a defect. @effect/sql makes a failed
     * COMMIT or ROLLBACK a defect; SQLite rolls a transaction back by itself on a full disk, so the ROLLBACK that
     * follows fails with "no transaction is active" and would hide the cause: the statement's own error is kept.
     */
    const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError.SqlError, R> =>
      Effect.suspend(() => {
        let failure: Option.Option<E> = Option.none()
        return sql
          .withTransaction(Effect.tapError(effect, (error) => Effect.sync(() => (failure = Option.some(error)))))
          .pipe(
            Effect.catchAllDefect((defect): Effect.Effect<never, E | SqlError.SqlError> => {
              if (Option.isSome(failure)) return Effect.fail(failure.value)
              if (defect instanceof SqlError.SqlError) {
                // The COMMIT failed: make sure no transaction stays open on the one connection.
                return sql.unsafe("ROLLBACK").pipe(Effect.ignore, Effect.zipRight(Effect.fail(defect)))
              }
              return Effect.die(defect)
            })
          )
      })

    /** A write transaction, tracked. */
    const write = <A, R>(effect: Effect.Effect<A, SqlError.SqlError, R>) => tracked(transaction(effect))
    const statements = makeRecordStatements({ sql, name: "records", idsPerStatement: 500, leaseMs: config.leaseMs })

    const enqueue = (records: ReadonlyArray<NewRecord>) =>
      statements.enqueue(records).pipe(write, Effect.withSpan("Outbox.enqueue"))

    const get = (id: string) =>
      sql<RecordRow>`SELECT id, kind, status, waiting_goal, code, error_code, message, attempts, created_at, updated_at
        FROM records WHERE id = ${id}`.pipe(Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), toView)))

    const summary = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const due = yield* sql<{ kind: RecordKind; n: number; oldest: number }>`
        SELECT kind, COUNT(*) AS n, MIN(created_at) AS oldest FROM records
        WHERE (status = 'pending' AND not_before <= ${now}) OR (status = 'sending' AND lease_until <= ${now})
        GROUP BY kind`
      const [wake] = yield* sql<{ at: number | null }>`
        SELECT MIN(at) AS at FROM (
          SELECT MIN(not_before) AS at FROM records WHERE status = 'pending' AND not_before > ${now}
          UNION ALL
          SELECT MIN(lease_until) AS at FROM records WHERE status = 'sending' AND lease_until > ${now}
        )`
      const count = (kind: RecordKind) => due.find((row) => row.kind === kind)
      return {
        due: { conversion: count("conversion")?.n ?? 0, adjustment: count("adjustment")?.n ?? 0 },
        oldestDue: {
          conversion: Option.fromNullable(count("conversion")?.oldest),
          adjustment: Option.fromNullable(count("adjustment")?.oldest)
        },
        nextWake: Option.fromNullable(wake?.at)
      } satisfies DueSummary
    })

    const claim = (kind: RecordKind, limit: number, owner: string) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const lease: Lease = { owner, token: NodeCrypto.randomUUID() }
        const rows = yield* sql<{
          id: string
          kind: RecordKind
          fields: string
          attempts: number
          created_at: number
          seq: number
        }>`UPDATE records
          SET status = 'sending', lease_owner = ${owner}, lease_token = ${lease.token},
              lease_until = ${now + config.leaseMs}, attempts = attempts + 1, updated_at = ${now}, waiting_goal = NULL
          WHERE seq IN (
            SELECT seq FROM records
            WHERE kind = ${kind}
              AND ((status = 'pending' AND not_before <= ${now}) OR (status = 'sending' AND lease_until <= ${now}))
            ORDER BY seq LIMIT ${limit}
          )
          RETURNING id, kind, fields, attempts, created_at, seq`
        const records = [...rows]
          .sort((a, b) => a.seq - b.seq)
          .map(
            (row): ClaimedRecord => ({
              id: row.id,
              kind: row.kind,
              fields: JSON.parse(row.fields) as object,
              attempts: row.attempts,
              createdAt: row.created_at
            })
          )
        return { lease, records } satisfies Claim
      }).pipe(write)

    const holds = statements.holds

    const renew = (lease: Lease, ids: ReadonlyArray<string>) => statements.renew(lease, ids).pipe(write)

    const complete = (lease: Lease, outcomes: ReadonlyArray<FinalOutcome>, ledger?: LedgerEntry) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const written: Array<{ kind: RecordKind; goal: string | null; status: string }> = []
        for (const outcome of outcomes) {
          const rows = yield* sql<{ kind: RecordKind; goal: string | null }>`UPDATE records
            SET status = ${outcome.status}, code = ${outcome.code}, error_code = ${outcome.errorCode},
                message = ${outcome.message}, lease_owner = NULL, lease_token = NULL, lease_until = NULL,
                updated_at = ${now}
            WHERE id = ${outcome.id} AND ${holds(lease)} RETURNING kind, goal`
          for (const row of rows) written.push({ kind: row.kind, goal: row.goal, status: outcome.status })
        }
        if (ledger !== undefined) {
          const statement = Ledger.upsert("sqlite", ledgerRows(ledger, written), now)
          if (statement !== undefined) yield* sql.unsafe(statement.sql, statement.params)
        }
        return written.length
      }).pipe(write)

    const hold = (lease: Lease, ids: ReadonlyArray<string>, goal: string, readyAt: number, message: string) =>
      statements.hold(lease, ids, goal, readyAt, message).pipe(write)

    const holdGoal = (goal: string, readyAt: number) => statements.holdGoal(goal, readyAt).pipe(write)

    const notAccepted = (goal: string, nowMs: number) =>
      Effect.gen(function* () {
        const [before] = yield* sql<{ ready_at: number; windows: number }>`SELECT ready_at, windows
          FROM goal_readiness WHERE goal = ${goal}`
        const after = GoalReadiness.afterNotAccepted(
          before === undefined ? undefined : { readyAtMs: before.ready_at, windows: before.windows },
          nowMs
        )
        yield* sql`INSERT INTO goal_readiness (goal, ready_at, windows, updated_at)
          VALUES (${goal}, ${after.readyAtMs}, ${after.windows}, ${nowMs})
          ON CONFLICT (goal) DO UPDATE SET ready_at = excluded.ready_at, windows = excluded.windows,
            updated_at = excluded.updated_at`
        return { goal, ...after } satisfies GoalHold
      }).pipe(write)

    const goalsReadyAt = (goals: ReadonlyArray<string>, nowMs: number) =>
      Effect.gen(function* () {
        const found = new Map<string, number>()
        for (const part of chunk([...new Set(goals)], 500)) {
          const rows = yield* sql<{ goal: string; ready_at: number }>`SELECT goal, ready_at FROM goal_readiness
            WHERE ${sql.in("goal", part)} AND ready_at > ${nowMs}`
          for (const row of rows) found.set(row.goal, row.ready_at)
        }
        return found as ReadonlyMap<string, number>
      })

    const waitingFor = (goal: string) =>
      sql<{ n: number; first: number | null }>`SELECT COUNT(*) AS n, MIN(not_before) AS first FROM records
        WHERE status = 'pending' AND waiting_goal = ${goal}`.pipe(
        Effect.map(([row]) => ({ records: row?.n ?? 0, readyAt: Option.fromNullable(row?.first) }))
      )

    const sent = (query: Ledger.SentQuery) =>
      Effect.suspend(() => {
        const statement = Ledger.selectSent("sqlite", query)
        return sql.unsafe<Record<string, unknown>>(statement.sql, statement.params)
      }).pipe(Effect.map(Ledger.sentRows))

    const reschedule = (lease: Lease, ids: ReadonlyArray<string>, notBefore: number, message: string | null) =>
      statements.reschedule(lease, ids, notBefore, message).pipe(write)

    const counts = sql<{
      status: RecordStatus
      waiting: number
      n: number
    }>`SELECT status, waiting_goal IS NOT NULL AS waiting, COUNT(*) AS n FROM records GROUP BY 1, 2`.pipe(
      Effect.map((rows) => {
        const result = emptyCounts()
        for (const row of rows) result[shownStatus(row.status, row.waiting ? "" : null)] += row.n
        return result
      })
    )

    const gauges = (owner: string) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const byStatus = yield* counts
        const [row] = yield* sql<{ leased: number | null; mine: number | null; oldest: number | null }>`
          SELECT
            SUM(CASE WHEN status = 'sending' AND lease_until > ${now} THEN 1 ELSE 0 END) AS leased,
            SUM(CASE WHEN status = 'sending' AND lease_until > ${now} AND lease_owner = ${owner} THEN 1 ELSE 0 END)
              AS mine,
            MIN(created_at) AS oldest
          FROM records WHERE status IN ('pending', 'sending')`
        return {
          counts: byStatus,
          leased: row?.leased ?? 0,
          oldestPendingAgeMs: Option.map(Option.fromNullable(row?.oldest), (oldest) => Math.max(0, now - oldest)),
          leasedByInstance: row?.mine ?? 0
        } satisfies OutboxGauges
      })

    /**
     * A committed write on the file that `UPLINK_DB` names. While the last write failed, the probe also writes
     * `probeRoomBytes` of fresh pages (random, so they are really written), so that a disk or page limit that still
     * leaves room for a tiny row but not for records keeps the outbox failing.
     */
    const checkWritable = Effect.gen(function* () {
      if (Option.isSome(path) && Option.isSome(identity)) {
        const current = fileIdentity(path.value)
        if (Option.isNone(current) || current.value !== identity.value) {
          return yield* Effect.fail(
            new OutboxFileError(`the outbox file ${path.value} was deleted or replaced since the server opened it`)
          )
        }
      }
      const now = yield* Clock.currentTimeMillis
      const padBytes = Option.isSome(yield* writeFailure) ? probeRoomBytes : 0
      yield* transaction(
        sql`INSERT INTO probe (id, at, pad) VALUES (1, ${now}, ${padBytes === 0 ? null : sql.literal(`randomblob(${padBytes})`)})
          ON CONFLICT (id) DO UPDATE SET at = excluded.at, pad = excluded.pad`
      )
    }).pipe(tracked)

    return {
      engine: "sqlite",
      enqueue,
      get,
      summary,
      claim,
      renew,
      complete,
      reschedule,
      hold,
      holdGoal,
      notAccepted,
      goalsReadyAt,
      waitingFor,
      sent,
      counts,
      gauges,
      checkWritable,
      writeFailure
    } satisfies OutboxShape
  })

/** The SQLite client on `filename`; opening a file that is not a database is an error with SQLite's reason. */
const clientLayer = (filename: string) =>
  SqliteClient.layer({ filename }).pipe(
    Layer.catchAllCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Layer.failCause(cause)
        : Layer.fail(
            Option.match(Cause.failureOption(cause), {
              onSome: (error) => error,
              onNone: () => new SqlError.SqlError({ cause: Cause.squash(cause), message: "Failed to open the outbox" })
            })
          )
    )
  )

/** The outbox in the SQLite file `filename` (`:memory:` for tests), with its client. */
export const layer = (
  filename: string
): Layer.Layer<
  Outbox | SqlClient.SqlClient,
  SqlError.SqlError | OutboxSchemaError | ConfigError.ConfigError,
  ServerConfig
> => {
  const path = filename === ":memory:" ? Option.none<string>() : Option.some(filename)
  return Layer.effect(Outbox, makeOutbox(path)).pipe(Layer.provideMerge(clientLayer(filename)))
}

/** Opens the file, migrates its schema and closes it (`uplink-server migrate`). */
export const migrateFile = (filename: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const found = yield* migrate(sql)
    return found === sqliteSchemaVersion
      ? `schema version ${sqliteSchemaVersion}, already current`
      : `schema version ${found} migrated to ${sqliteSchemaVersion}`
  }).pipe(Effect.provide(clientLayer(filename)))
