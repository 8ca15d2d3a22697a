/**
 * The PostgreSQL outbox (`UPLINK_DB=postgres://…`), shared by any number of instances. What each promise of
 * `Outbox.ts` rests on here:
 *
 * - idempotent ids: the `id` column's unique constraint and `INSERT … ON CONFLICT (id) DO NOTHING` — an instance that
 *   inserts an id another one is inserting waits for that transaction and then skips the row; nothing is read first;
 * - one owner per record: `claim` selects due rows `FOR UPDATE SKIP LOCKED` (concurrent claimers pass over each
 *   other's rows instead of waiting or taking the same ones) and sets owner, a fresh token and the expiry in the same
 *   statement; a row whose lease expired is due again, so a crashed instance's records are reclaimed;
 * - outcomes written once: `renew`, `complete` and `reschedule` update only rows still `sending` under the same owner
 *   and token, so a writer whose lease was taken over changes nothing;
 * - a commit that fails (a lost connection, a read-only database, a cancelled statement) is an error with
 *   PostgreSQL's words and code, never a defect; the pool replaces broken connections, so the next write may succeed;
 * - a goal's readiness after a 5615 answer is one `uplink_goal_readiness` row, read and written under its row lock
 *   (`SELECT … FOR UPDATE`, after an `INSERT … ON CONFLICT DO NOTHING` makes sure it exists), so instances agree on it.
 *
 * Connections come from a `pg` pool of `UPLINK_DB_POOL_SIZE` with `statement_timeout` set to
 * `UPLINK_DB_STATEMENT_TIMEOUT_MS`; TLS follows the URL's `sslmode` (libpq's meaning). Every error leaving this module
 * has the URL's password scrubbed from its message. Times are epoch milliseconds from the instance's clock, stored as
 * BIGINT (read back as numbers).
 */
import * as NodeCrypto from "node:crypto"
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlError from "@effect/sql/SqlError"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { GoalReadiness } from "@uplink/core"
import { Ledger } from "@uplink/core/reconciliation"
import Pg from "pg"
import { type DatabaseTarget, scrubSecrets } from "./DatabaseTarget.js"
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
  type OutboxFileError,
  type OutboxGauges,
  type OutboxSchemaError,
  type OutboxShape,
  probeRoomBytes,
  type RecordKind,
  type RecordStatus,
  type RecordView,
  shownStatus,
  trackWrites
} from "./Outbox.js"
import { migrate } from "./PgMigrations.js"
import { makeRecordStatements } from "./RecordStatements.js"
import { ServerConfig, type ServerConfigShape } from "./ServerConfig.js"

type PostgresTarget = Extract<DatabaseTarget, { readonly _tag: "Postgres" }>

/** BIGINT (int8, oid 20) as a JavaScript number: every value stored here is below 2^53. */
const types: Pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 ? (value: string) => Number(value) : Pg.types.getTypeParser(oid, format as "text")) as never
}

/** The SqlError `error` with the database password removed from its message and its cause's message. */
export const scrubError =
  (target: DatabaseTarget) =>
  (error: SqlError.SqlError): SqlError.SqlError => {
    const cause = error.cause
    let scrubbedCause: unknown = cause
    if (cause instanceof Error) {
      const copy = new Error(scrubSecrets(cause.message, target))
      const code = (cause as { readonly code?: unknown }).code
      if (code !== undefined) Object.assign(copy, { code })
      const errors = (cause as { readonly errors?: unknown }).errors
      if (Array.isArray(errors)) {
        Object.assign(copy, {
          errors: errors.map((inner) =>
            inner instanceof Error
              ? Object.assign(new Error(scrubSecrets(inner.message, target)), {
                  code: (inner as { readonly code?: unknown }).code
                })
              : inner
          )
        })
      }
      scrubbedCause = copy
    }
    return new SqlError.SqlError({ message: scrubSecrets(error.message, target), cause: scrubbedCause })
  }

/** The pool: connected once before the layer is up (a wrong URL, password or sslmode fails the start). */
const poolFor = (target: PostgresTarget, config: ServerConfigShape) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const pool = new Pg.Pool({
          connectionString: Redacted.value(target.url),
          max: config.dbPoolSize,
          connectionTimeoutMillis: 10_000,
          idleTimeoutMillis: 30_000,
          keepAlive: true,
          application_name: "uplink-server",
          ...(config.dbStatementTimeoutMs > 0 ? { statement_timeout: config.dbStatementTimeoutMs } : {}),
          types
        })
        // Errors of idle connections (a restarted server, a terminated backend): the pool drops them.
        pool.on("error", () => {})
        try {
          const client = await pool.connect()
          client.release()
        } catch (error) {
          await pool.end().catch(() => {})
          throw error
        }
        return pool
      },
      catch: (cause) => new SqlError.SqlError({ cause, message: "cannot connect to PostgreSQL" })
    }).pipe(Effect.mapError(scrubError(target))),
    (pool) => Effect.promise(() => pool.end()).pipe(Effect.timeoutOption(2_000))
  )

/** The SQL client over a pool for `target`. */
export const clientLayer = (
  target: PostgresTarget,
  config: ServerConfigShape
): Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, SqlError.SqlError> =>
  PgClient.layerFromPool({ acquire: poolFor(target, config), applicationName: "uplink-server", types })

/**
 * `effect` in a transaction whose failed COMMIT is an error, not a defect (@effect/sql makes it a defect); the broken
 * connection is dropped by the pool.
 */
const transactionOn =
  (sql: SqlClient.SqlClient) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError.SqlError, R> =>
    sql
      .withTransaction(effect)
      .pipe(
        Effect.catchAllDefect(
          (defect): Effect.Effect<never, SqlError.SqlError> =>
            defect instanceof SqlError.SqlError ? Effect.fail(defect) : Effect.die(defect)
        )
      )

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

/** Builds the outbox on an open client for `target`, migrating the schema first. */
export const makeOutbox = (target: PostgresTarget) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const config = yield* ServerConfig
    const transaction = transactionOn(sql)
    const scrub = scrubError(target)
    const scrubbing = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      Effect.mapError(effect, (error) => (error instanceof SqlError.SqlError ? (scrub(error) as E) : error))
    yield* migrate(sql, transaction).pipe(scrubbing)
    const { tracked, writeFailure } = yield* trackWrites

    /** A write transaction, its errors scrubbed, tracked. */
    const write = <A, R>(effect: Effect.Effect<A, SqlError.SqlError, R>) => tracked(scrubbing(transaction(effect)))
    const statements = makeRecordStatements({
      sql,
      name: "uplink_records",
      idsPerStatement: 1_000,
      leaseMs: config.leaseMs
    })

    const enqueue = (records: ReadonlyArray<NewRecord>) =>
      statements.enqueue(records).pipe(write, Effect.withSpan("Outbox.enqueue"))

    const get = (id: string) =>
      sql<RecordRow>`SELECT id, kind, status, waiting_goal, code, error_code, message, attempts, created_at, updated_at
        FROM uplink_records WHERE id = ${id}`.pipe(
        Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), toView)),
        scrubbing
      )

    const summary = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const due = yield* sql<{ kind: RecordKind; n: number; oldest: number }>`
        SELECT kind, COUNT(*) AS n, MIN(created_at) AS oldest FROM uplink_records
        WHERE (status = 'pending' AND not_before <= ${now}) OR (status = 'sending' AND lease_until <= ${now})
        GROUP BY kind`
      const [wake] = yield* sql<{ at: number | null }>`
        SELECT LEAST(
          (SELECT MIN(not_before) FROM uplink_records WHERE status = 'pending' AND not_before > ${now}),
          (SELECT MIN(lease_until) FROM uplink_records WHERE status = 'sending' AND lease_until > ${now})
        ) AS at`
      const count = (kind: RecordKind) => due.find((row) => row.kind === kind)
      return {
        due: { conversion: count("conversion")?.n ?? 0, adjustment: count("adjustment")?.n ?? 0 },
        oldestDue: {
          conversion: Option.fromNullable(count("conversion")?.oldest),
          adjustment: Option.fromNullable(count("adjustment")?.oldest)
        },
        nextWake: Option.fromNullable(wake?.at)
      } satisfies DueSummary
    }).pipe(scrubbing)

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
        }>`WITH due AS (
            SELECT seq FROM uplink_records
            WHERE kind = ${kind}
              AND ((status = 'pending' AND not_before <= ${now}) OR (status = 'sending' AND lease_until <= ${now}))
            ORDER BY seq LIMIT ${limit}
            FOR UPDATE SKIP LOCKED
          )
          UPDATE uplink_records AS r
          SET status = 'sending', lease_owner = ${owner}, lease_token = ${lease.token},
              lease_until = ${now + config.leaseMs}, attempts = r.attempts + 1, updated_at = ${now},
              waiting_goal = NULL
          FROM due WHERE r.seq = due.seq
          RETURNING r.id, r.kind, r.fields, r.attempts, r.created_at, r.seq`
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

    const renew = (lease: Lease, ids: ReadonlyArray<string>) => statements.renew(lease, ids).pipe(write)

    const complete = (lease: Lease, outcomes: ReadonlyArray<FinalOutcome>, ledger?: LedgerEntry) =>
      Effect.gen(function* () {
        if (outcomes.length === 0) return 0
        const now = yield* Clock.currentTimeMillis
        const written: Array<{ kind: RecordKind; goal: string | null; status: string }> = []
        for (const part of chunk(outcomes, 1_000)) {
          const values = JSON.stringify(
            part.map((outcome) => ({
              id: outcome.id,
              status: outcome.status,
              code: outcome.code,
              error_code: outcome.errorCode,
              message: outcome.message
            }))
          )
          const rows = yield* sql<{ kind: RecordKind; goal: string | null; status: string }>`UPDATE uplink_records AS r
            SET status = v.status, code = v.code, error_code = v.error_code, message = v.message,
                lease_owner = NULL, lease_token = NULL, lease_until = NULL, updated_at = ${now}
            FROM json_to_recordset(${values}::json)
              AS v(id TEXT, status TEXT, code INTEGER, error_code TEXT, message TEXT)
            WHERE r.id = v.id AND r.status = 'sending' AND r.lease_owner = ${lease.owner}
              AND r.lease_token = ${lease.token}
            RETURNING r.kind, r.goal, r.status`
          written.push(...rows)
        }
        if (ledger !== undefined) {
          const statement = Ledger.upsert("postgres", ledgerRows(ledger, written), now)
          if (statement !== undefined) yield* sql.unsafe(statement.sql, statement.params)
        }
        return written.length
      }).pipe(write)

    const hold = (lease: Lease, ids: ReadonlyArray<string>, goal: string, readyAt: number, message: string) =>
      statements.hold(lease, ids, goal, readyAt, message).pipe(write)

    const holdGoal = (goal: string, readyAt: number) => statements.holdGoal(goal, readyAt).pipe(write)

    const notAccepted = (goal: string, nowMs: number) =>
      Effect.gen(function* () {
        yield* sql`INSERT INTO uplink_goal_readiness (goal, ready_at, windows, updated_at)
          VALUES (${goal}, 0, 0, ${nowMs}) ON CONFLICT (goal) DO NOTHING`
        const [before] = yield* sql<{ ready_at: number; windows: number }>`SELECT ready_at, windows
          FROM uplink_goal_readiness WHERE goal = ${goal} FOR UPDATE`
        const after = GoalReadiness.afterNotAccepted(
          before === undefined || before.windows === 0
            ? undefined
            : { readyAtMs: before.ready_at, windows: before.windows },
          nowMs
        )
        yield* sql`UPDATE uplink_goal_readiness SET ready_at = ${after.readyAtMs}, windows = ${after.windows},
          updated_at = ${nowMs} WHERE goal = ${goal}`
        return { goal, ...after } satisfies GoalHold
      }).pipe(write)

    const goalsReadyAt = (goals: ReadonlyArray<string>, nowMs: number) =>
      Effect.gen(function* () {
        const found = new Map<string, number>()
        for (const part of chunk([...new Set(goals)], 1_000)) {
          const rows = yield* sql<{ goal: string; ready_at: number }>`SELECT goal, ready_at
            FROM uplink_goal_readiness WHERE ${sql.in("goal", part)} AND ready_at > ${nowMs}`
          for (const row of rows) found.set(row.goal, row.ready_at)
        }
        return found as ReadonlyMap<string, number>
      }).pipe(scrubbing)

    const waitingFor = (goal: string) =>
      sql<{ n: number; first: number | null }>`SELECT COUNT(*) AS n, MIN(not_before) AS first FROM uplink_records
        WHERE status = 'pending' AND waiting_goal = ${goal}`.pipe(
        Effect.map(([row]) => ({ records: Number(row?.n ?? 0), readyAt: Option.fromNullable(row?.first) })),
        scrubbing
      )

    const sent = (query: Ledger.SentQuery) =>
      Effect.suspend(() => {
        const statement = Ledger.selectSent("postgres", query)
        return sql.unsafe<Record<string, unknown>>(statement.sql, statement.params)
      }).pipe(Effect.map(Ledger.sentRows), scrubbing)

    const reschedule = (lease: Lease, ids: ReadonlyArray<string>, notBefore: number, message: string | null) =>
      statements.reschedule(lease, ids, notBefore, message).pipe(write)

    const counts = sql<{ status: RecordStatus; waiting: boolean; n: number }>`SELECT status,
      waiting_goal IS NOT NULL AS waiting, COUNT(*) AS n FROM uplink_records GROUP BY 1, 2`.pipe(
      Effect.map((rows) => {
        const result = emptyCounts()
        for (const row of rows) result[shownStatus(row.status, row.waiting ? "" : null)] += Number(row.n)
        return result
      }),
      scrubbing
    )

    const gauges = (owner: string) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const byStatus = yield* counts
        const [row] = yield* sql<{ leased: number; mine: number; oldest: number | null }>`
          SELECT
            COUNT(*) FILTER (WHERE status = 'sending' AND lease_until > ${now}) AS leased,
            COUNT(*) FILTER (WHERE status = 'sending' AND lease_until > ${now} AND lease_owner = ${owner}) AS mine,
            MIN(created_at) AS oldest
          FROM uplink_records WHERE status IN ('pending', 'sending')`
        return {
          counts: byStatus,
          leased: row?.leased ?? 0,
          oldestPendingAgeMs: Option.map(Option.fromNullable(row?.oldest), (oldest) => Math.max(0, now - oldest)),
          leasedByInstance: row?.mine ?? 0
        } satisfies OutboxGauges
      }).pipe(scrubbing)

    /**
     * A committed write to the database. While the last write failed, the probe also writes `probeRoomBytes` of random
     * bytes, so that a database that takes a tiny row but not records keeps the outbox failing.
     */
    const checkWritable: Effect.Effect<void, SqlError.SqlError | OutboxFileError> = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const pad = Option.isSome(yield* writeFailure) ? NodeCrypto.randomBytes(probeRoomBytes) : null
      yield* transaction(
        sql`INSERT INTO uplink_probe (id, at, pad) VALUES (1, ${now}, ${pad})
          ON CONFLICT (id) DO UPDATE SET at = excluded.at, pad = excluded.pad`
      )
    }).pipe(scrubbing, tracked)

    return {
      engine: "postgres",
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

/** The outbox in the PostgreSQL database `target`, with its client. */
export const layer = (
  target: PostgresTarget
): Layer.Layer<Outbox | SqlClient.SqlClient, SqlError.SqlError | OutboxSchemaError, ServerConfig> =>
  Layer.unwrapEffect(
    Effect.map(ServerConfig, (config) =>
      Layer.effect(Outbox, makeOutbox(target)).pipe(Layer.provideMerge(clientLayer(target, config)))
    )
  )

/** Applies the missing migrations and says what it did (`uplink-server migrate`). */
export const migrateOnly = (target: PostgresTarget) =>
  Effect.gen(function* () {
    const config = yield* ServerConfig
    return yield* Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const report = yield* migrate(sql, transactionOn(sql)).pipe(
        Effect.mapError((error) => (error instanceof SqlError.SqlError ? scrubError(target)(error) : error))
      )
      return report.from === report.to
        ? `schema version ${report.to}, already current`
        : `schema version ${report.from} migrated to ${report.to}`
    }).pipe(Effect.provide(clientLayer(target, config)))
  })
