/**
 * `Outbox`: the durable queue between intake and delivery, one SQLite file in WAL mode (`UPLINK_DB`). A record is
 * written with its id, kind and normalised fields in one transaction before the request that brought it is answered;
 * a repeated id keeps the first record (within one call too: a later record with the same id is `repeated`). The
 * worker claims due records under a lease (owner + expiry), renews the lease while it delivers, and writes each
 * record's outcome; records whose lease expired (their worker died) are due again. Final statuses (`accepted`,
 * `rejected`, `duplicate`, `failed`) are never claimed again.
 *
 * Every write runs in a transaction whose failure — a full disk, a corrupt file, a lock — is a `SqlError` carrying
 * SQLite's own words (`describeOutboxError`), never a defect, and leaves nothing half-written. The outbox remembers
 * whether its last write failed: the first failure is logged with its cause, further ones are not until a write
 * succeeds again (logged too), and `writeFailure` tells readiness about it.
 */
import * as NodeFs from "node:fs"
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlError from "@effect/sql/SqlError"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { ServerConfig } from "./ServerConfig.js"

/** Which operation a record is delivered with. */
export type RecordKind = "conversion" | "adjustment"

/** Where a record is: waiting, being delivered, or one of the final outcomes. */
export type RecordStatus = "pending" | "sending" | "accepted" | "rejected" | "duplicate" | "failed"

/** Statuses that are never changed again. */
export const finalStatuses: ReadonlyArray<RecordStatus> = ["accepted", "rejected", "duplicate", "failed"]

/** A record to enqueue: the normalised API fields, ready to deliver (no raw email or phone). */
export interface NewRecord {
  readonly id: string
  readonly kind: RecordKind
  readonly fields: object
}

/** What enqueueing did with one record: queued now, or already there under the same id. */
export interface EnqueueResult {
  readonly id: string
  readonly status: RecordStatus
  readonly repeated: boolean
}

/** The public view of a record. */
export interface RecordView {
  readonly id: string
  readonly kind: RecordKind
  readonly status: RecordStatus
  readonly code: number | null
  readonly errorCode: string | null
  readonly message: string | null
  readonly attempts: number
  readonly createdAt: number
  readonly updatedAt: number
}

/** A record claimed for delivery. */
export interface ClaimedRecord {
  readonly id: string
  readonly kind: RecordKind
  readonly fields: object
  /** Delivery attempts including this one. */
  readonly attempts: number
  readonly createdAt: number
}

/** A final outcome to record. */
export interface FinalOutcome {
  readonly id: string
  readonly status: "accepted" | "rejected" | "duplicate" | "failed"
  readonly code: number | null
  readonly errorCode: string | null
  readonly message: string | null
}

/** What the worker needs to decide whether to send now and when to look again. */
export interface DueSummary {
  /** Records that may be claimed now, per kind. */
  readonly due: Readonly<Record<RecordKind, number>>
  /** When the oldest claimable record of each kind was enqueued (`None` when none is due). */
  readonly oldestDue: Readonly<Record<RecordKind, Option.Option<number>>>
  /** The next time a waiting record (backed off, or leased) becomes claimable. */
  readonly nextWake: Option.Option<number>
}

/** The service. */
export interface OutboxShape {
  readonly enqueue: (
    records: ReadonlyArray<NewRecord>
  ) => Effect.Effect<ReadonlyArray<EnqueueResult>, SqlError.SqlError>
  readonly get: (id: string) => Effect.Effect<Option.Option<RecordView>, SqlError.SqlError>
  readonly summary: Effect.Effect<DueSummary, SqlError.SqlError>
  /** Claims up to `limit` due records of `kind`, oldest first, for `owner` until now + lease. */
  readonly claim: (
    kind: RecordKind,
    limit: number,
    owner: string
  ) => Effect.Effect<ReadonlyArray<ClaimedRecord>, SqlError.SqlError>
  /** Extends the lease of the records `owner` still holds. */
  readonly renew: (owner: string, ids: ReadonlyArray<string>) => Effect.Effect<void, SqlError.SqlError>
  /** Writes final outcomes of records `owner` still holds. */
  readonly complete: (owner: string, outcomes: ReadonlyArray<FinalOutcome>) => Effect.Effect<void, SqlError.SqlError>
  /** Puts records back to `pending`, claimable from `notBefore` (epoch ms), keeping `message` as the last error. */
  readonly reschedule: (
    owner: string,
    ids: ReadonlyArray<string>,
    notBefore: number,
    message: string | null
  ) => Effect.Effect<void, SqlError.SqlError>
  /** Records per status. */
  readonly counts: Effect.Effect<Readonly<Record<RecordStatus, number>>, SqlError.SqlError>
  /**
   * Fails unless a write transaction commits on the file that `UPLINK_DB` names. After a failed write it must also
   * find room for `probeRoomBytes` more, so that readiness comes back only when records fit again.
   */
  readonly checkWritable: Effect.Effect<void, SqlError.SqlError | OutboxFileError>
  /** Why the last write failed (SQLite's words), while no write has succeeded since; `None` when writes succeed. */
  readonly writeFailure: Effect.Effect<Option.Option<string>>
}

/** The outbox file is no longer the file the server opened (deleted or replaced), so commits would not last. */
export class OutboxFileError extends Error {
  readonly _tag = "OutboxFileError"
}

/** The room the readiness probe must find after a failed write. */
export const probeRoomBytes = 64 * 1024

/**
 * What went wrong in the outbox, in SQLite's words with its code when it gave one (`database or disk is full
 * (SQLITE_FULL)`, `database disk image is malformed (SQLITE_CORRUPT)`), else the error's own message.
 */
export const describeOutboxError = (error: SqlError.SqlError | OutboxFileError): string => {
  if (error instanceof OutboxFileError) return error.message
  const cause = error.cause
  if (cause instanceof Error && cause.message !== "") {
    const code = (cause as { readonly code?: unknown }).code
    return typeof code === "string" && code !== "" && !cause.message.includes(code)
      ? `${cause.message} (${code})`
      : cause.message
  }
  return error.message
}

const schemaVersion = 2

const migrate = (sql: SqlClient.SqlClient) =>
  Effect.gen(function* () {
    yield* sql`PRAGMA synchronous = FULL`
    yield* sql`PRAGMA busy_timeout = 1000`
    const [row] = yield* sql<{ user_version: number }>`PRAGMA user_version`
    const version = row?.user_version ?? 0
    if (version >= schemaVersion) return
    yield* sql.withTransaction(
      Effect.gen(function* () {
        if (version === 1) {
          yield* sql`ALTER TABLE probe ADD COLUMN pad BLOB`
          yield* sql.unsafe(`PRAGMA user_version = ${schemaVersion}`)
          return
        }
        yield* sql`CREATE TABLE IF NOT EXISTS records (
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
          updated_at INTEGER NOT NULL
        )`
        yield* sql`CREATE INDEX IF NOT EXISTS records_pending ON records (kind, not_before, seq) WHERE status = 'pending'`
        yield* sql`CREATE INDEX IF NOT EXISTS records_sending ON records (kind, lease_until, seq) WHERE status = 'sending'`
        yield* sql`CREATE TABLE IF NOT EXISTS probe (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          at INTEGER NOT NULL,
          pad BLOB
        )`
        yield* sql.unsafe(`PRAGMA user_version = ${schemaVersion}`)
      })
    )
  })

interface RecordRow {
  readonly id: string
  readonly kind: RecordKind
  readonly status: RecordStatus
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
  status: row.status,
  code: row.code,
  errorCode: row.error_code,
  message: row.message,
  attempts: row.attempts,
  createdAt: row.created_at,
  updatedAt: row.updated_at
})

const chunk = <A>(items: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> => {
  const chunks: Array<ReadonlyArray<A>> = []
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size))
  return chunks
}

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
    const lastWriteFailure = yield* Ref.make(Option.none<string>())

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

    /** `effect`, a write: its failure is remembered (and logged when it starts), its success ends a failure. */
    const tracked = <A, E extends SqlError.SqlError | OutboxFileError, R>(
      effect: Effect.Effect<A, E, R>
    ): Effect.Effect<A, E, R> =>
      effect.pipe(
        Effect.onExit((exit) =>
          Exit.match(exit, {
            onFailure: (cause) =>
              Option.match(Cause.failureOption(cause), {
                onNone: () => Effect.void,
                onSome: (error) => {
                  const reason = describeOutboxError(error)
                  return Ref.getAndSet(lastWriteFailure, Option.some(reason)).pipe(
                    Effect.flatMap((before) =>
                      Option.isSome(before) && before.value === reason
                        ? Effect.void
                        : Effect.logError("outbox write failed; intake answers 503 until a write succeeds").pipe(
                            Effect.annotateLogs({ error: reason })
                          )
                    )
                  )
                }
              }),
            onSuccess: () =>
              Ref.getAndSet(lastWriteFailure, Option.none()).pipe(
                Effect.flatMap((before) =>
                  Option.isSome(before)
                    ? Effect.logInfo("outbox writable again").pipe(Effect.annotateLogs({ after: before.value }))
                    : Effect.void
                )
              )
          })
        )
      )

    /** A write transaction, tracked. */
    const write = <A, R>(effect: Effect.Effect<A, SqlError.SqlError, R>) => tracked(transaction(effect))

    const enqueue = (records: ReadonlyArray<NewRecord>) =>
      Effect.gen(function* () {
        if (records.length === 0) return []
        const now = yield* Clock.currentTimeMillis
        const inserted = new Set<string>()
        for (const part of chunk(records, 500)) {
          const rows = part.map((record) => ({
            id: record.id,
            kind: record.kind,
            fields: JSON.stringify(record.fields),
            status: "pending",
            attempts: 0,
            not_before: now,
            created_at: now,
            updated_at: now
          }))
          const returned = yield* sql<{ id: string }>`INSERT INTO records ${sql.insert(rows)}
            ON CONFLICT (id) DO NOTHING RETURNING id`
          for (const row of returned) inserted.add(row.id)
        }
        const repeatedIds = [...new Set(records.map((record) => record.id).filter((id) => !inserted.has(id)))]
        const existing = new Map<string, RecordStatus>()
        for (const part of chunk(repeatedIds, 500)) {
          const rows = yield* sql<{ id: string; status: RecordStatus }>`SELECT id, status FROM records
            WHERE ${sql.in("id", part)}`
          for (const row of rows) existing.set(row.id, row.status)
        }
        // Only the first record of an id inserted in this call is new: a later one with the same id is a repeat.
        const counted = new Set<string>()
        return records.map((record): EnqueueResult => {
          if (inserted.has(record.id) && !counted.has(record.id)) {
            counted.add(record.id)
            return { id: record.id, status: "pending", repeated: false }
          }
          return { id: record.id, status: existing.get(record.id) ?? "pending", repeated: true }
        })
      }).pipe(write, Effect.withSpan("Outbox.enqueue"))

    const get = (id: string) =>
      sql<RecordRow>`SELECT id, kind, status, code, error_code, message, attempts, created_at, updated_at
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
        const rows = yield* sql<{
          id: string
          kind: RecordKind
          fields: string
          attempts: number
          created_at: number
          seq: number
        }>`UPDATE records
          SET status = 'sending', lease_owner = ${owner}, lease_until = ${now + config.leaseMs},
              attempts = attempts + 1, updated_at = ${now}
          WHERE seq IN (
            SELECT seq FROM records
            WHERE kind = ${kind}
              AND ((status = 'pending' AND not_before <= ${now}) OR (status = 'sending' AND lease_until <= ${now}))
            ORDER BY seq LIMIT ${limit}
          )
          RETURNING id, kind, fields, attempts, created_at, seq`
        return [...rows]
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
      }).pipe(write)

    const renew = (owner: string, ids: ReadonlyArray<string>) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        for (const part of chunk(ids, 500)) {
          yield* sql`UPDATE records SET lease_until = ${now + config.leaseMs}
            WHERE status = 'sending' AND lease_owner = ${owner} AND ${sql.in("id", part)}`
        }
      }).pipe(write)

    const complete = (owner: string, outcomes: ReadonlyArray<FinalOutcome>) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        for (const outcome of outcomes) {
          yield* sql`UPDATE records
            SET status = ${outcome.status}, code = ${outcome.code}, error_code = ${outcome.errorCode},
                message = ${outcome.message}, lease_owner = NULL, lease_until = NULL, updated_at = ${now}
            WHERE id = ${outcome.id} AND status = 'sending' AND lease_owner = ${owner}`
        }
      }).pipe(write)

    const reschedule = (owner: string, ids: ReadonlyArray<string>, notBefore: number, message: string | null) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        for (const part of chunk(ids, 500)) {
          yield* sql`UPDATE records
            SET status = 'pending', not_before = ${notBefore}, message = ${message},
                lease_owner = NULL, lease_until = NULL, updated_at = ${now}
            WHERE status = 'sending' AND lease_owner = ${owner} AND ${sql.in("id", part)}`
        }
      }).pipe(write)

    const counts = sql<{
      status: RecordStatus
      n: number
    }>`SELECT status, COUNT(*) AS n FROM records GROUP BY status`.pipe(
      Effect.map((rows) => {
        const result: Record<RecordStatus, number> = {
          pending: 0,
          sending: 0,
          accepted: 0,
          rejected: 0,
          duplicate: 0,
          failed: 0
        }
        for (const row of rows) result[row.status] = row.n
        return result
      })
    )

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
      const padBytes = Option.isSome(yield* Ref.get(lastWriteFailure)) ? probeRoomBytes : 0
      yield* transaction(
        sql`INSERT INTO probe (id, at, pad) VALUES (1, ${now}, ${padBytes === 0 ? null : sql.literal(`randomblob(${padBytes})`)})
          ON CONFLICT (id) DO UPDATE SET at = excluded.at, pad = excluded.pad`
      )
    }).pipe(tracked)

    return {
      enqueue,
      get,
      summary,
      claim,
      renew,
      complete,
      reschedule,
      counts,
      checkWritable,
      writeFailure: Ref.get(lastWriteFailure)
    } satisfies OutboxShape
  })

/** The outbox service. */
export class Outbox extends Context.Tag("@uplink/server/Outbox")<Outbox, OutboxShape>() {
  /** The outbox at `ServerConfig.databasePath` (`:memory:` for tests). */
  static readonly layer: Layer.Layer<
    Outbox | SqlClient.SqlClient,
    SqlError.SqlError | ConfigError.ConfigError,
    ServerConfig
  > = Layer.unwrapEffect(
    Effect.map(ServerConfig, (config) => {
      const path = config.databasePath === ":memory:" ? Option.none<string>() : Option.some(config.databasePath)
      // Opening a file that is not a database throws inside the client's constructor: an error here, with its cause.
      const client = SqliteClient.layer({ filename: config.databasePath }).pipe(
        Layer.catchAllCause((cause) =>
          Cause.isInterruptedOnly(cause)
            ? Layer.failCause(cause)
            : Layer.fail(
                Option.match(Cause.failureOption(cause), {
                  onSome: (error) => error,
                  onNone: () =>
                    new SqlError.SqlError({ cause: Cause.squash(cause), message: "Failed to open the outbox" })
                })
              )
        )
      )
      // The client is provided too, so that tests can set PRAGMAs on the outbox's own connection.
      return Layer.effect(Outbox, makeOutbox(path)).pipe(Layer.provideMerge(client))
    })
  )
}
