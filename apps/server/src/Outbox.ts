/**
 * `Outbox`: the durable queue between intake and delivery, as one service with two implementations chosen by
 * `UPLINK_DB` — `SqliteOutbox` (one file, one instance, the embedded default) and `PgOutbox` (PostgreSQL, shared by
 * any number of instances). Both keep the same promises, which `test/OutboxBehaviour.integration.test.ts` checks on
 * each engine:
 *
 * - a record is committed with its id, kind and normalised fields before the request that brought it is answered; a
 *   repeated id keeps the first record (within one call too: a later record with the same id is `repeated`), decided
 *   by the database's unique key, never by reading first;
 * - a worker claims due records under a lease (its instance as owner, a token per claim, an expiry), renews it while
 *   it delivers, and writes outcomes only while it still holds that lease: a late writer whose lease was taken over
 *   writes nothing. Records whose lease expired (their worker died) are due again. Final statuses (`accepted`,
 *   `rejected`, `duplicate`, `failed`) are never claimed again;
 * - every write runs in a transaction whose failure (a full disk, a corrupt file, a lost connection, a read-only
 *   database) is a `SqlError` carrying the engine's own words (`describeOutboxError`), never a defect, and leaves
 *   nothing half-written. The outbox remembers whether its last write failed (`trackWrites`): the first failure is
 *   logged with its cause, further ones are not until a write succeeds again (logged too), and `writeFailure` tells
 *   readiness about it;
 * - the schema is versioned; a database whose schema is newer than this binary knows is refused at start
 *   (`OutboxSchemaError`);
 * - a record for a goal that does not take conversions yet (younger than two hours: @uplink/core's `GoalReadiness`)
 *   waits in the outbox — status `waiting`: stored as `pending` with the goal in `waiting_goal` and `not_before` at
 *   the time the goal is ready — and is claimable from then like any pending record, never before, never dropped.
 *   The outbox keeps, per goal name, when it is expected ready after a 5615 answer (`notAccepted`), shared by every
 *   instance;
 * - `complete` adds the final outcomes of the records it writes to the ledger (@uplink/core's `Ledger`: counts per
 *   batch, kind, goal and day; no identifier) in the same transaction, so the ledger counts each outcome once.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import * as Cause from "effect/Cause"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type { GoalReadiness } from "@uplink/core"
import type { Ledger } from "@uplink/core/reconciliation"
import { describeTarget } from "./DatabaseTarget.js"
import { ServerConfig } from "./ServerConfig.js"

/** Which operation a record is delivered with. */
export type RecordKind = "conversion" | "adjustment"

/**
 * Where a record is: due for delivery (`pending`), held until its goal takes conversions (`waiting`), being
 * delivered, or one of the final outcomes.
 */
export type RecordStatus = "pending" | "waiting" | "sending" | "accepted" | "rejected" | "duplicate" | "failed"

/** Every status, in display order. */
export const recordStatuses: ReadonlyArray<RecordStatus> = [
  "pending",
  "waiting",
  "sending",
  "accepted",
  "rejected",
  "duplicate",
  "failed"
]

/** Statuses that are never changed again. */
export const finalStatuses: ReadonlyArray<RecordStatus> = ["accepted", "rejected", "duplicate", "failed"]

/** A record to enqueue: the normalised API fields, ready to deliver (no raw email or phone). */
export interface NewRecord {
  readonly id: string
  readonly kind: RecordKind
  readonly fields: object
  /** Its goal name (ConversionName), when it has one. */
  readonly goal?: string | undefined
  /** When its goal takes conversions, if later than now: the record waits until then (status `waiting`). */
  readonly waitUntil?: number | undefined
}

/** What the outbox knows of a goal that answered 5615, after one more such answer. */
export interface GoalHold extends GoalReadiness.NotAcceptedState {
  readonly goal: string
  /** The goal kept answering 5615 past `GoalReadiness.MAX_NOT_ACCEPTED_WINDOWS` windows: refuse its records. */
  readonly giveUp: boolean
}

/** The records of a goal that wait for it, and when the first of them may go. */
export interface GoalWaiting {
  readonly records: number
  readonly readyAt: Option.Option<number>
}

/** Where the ledger rows of a `complete` go: the batch (its claim token) and the UTC day. */
export interface LedgerEntry {
  readonly runId: string
  readonly day: string
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

/** Who holds claimed records: the instance (`owner`) and the claim (`token`, new for every claim). */
export interface Lease {
  readonly owner: string
  readonly token: string
}

/** The records of one claim, and the lease under which they may be completed. */
export interface Claim {
  readonly lease: Lease
  readonly records: ReadonlyArray<ClaimedRecord>
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

/** The outbox's gauges for `/metrics`: the whole outbox, and what one instance holds. */
export interface OutboxGauges {
  /** Records per status, in the whole outbox. */
  readonly counts: Readonly<Record<RecordStatus, number>>
  /** Records whose lease has not expired, in the whole outbox. */
  readonly leased: number
  /** How long the oldest record not yet delivered (pending or sending) has waited, in ms; `None` when none. */
  readonly oldestPendingAgeMs: Option.Option<number>
  /** Records whose unexpired lease the given instance holds. */
  readonly leasedByInstance: number
}

/** The service. */
export interface OutboxShape {
  /** Which engine, for logs and probes. */
  readonly engine: "sqlite" | "postgres"
  readonly enqueue: (
    records: ReadonlyArray<NewRecord>
  ) => Effect.Effect<ReadonlyArray<EnqueueResult>, SqlError.SqlError>
  readonly get: (id: string) => Effect.Effect<Option.Option<RecordView>, SqlError.SqlError>
  readonly summary: Effect.Effect<DueSummary, SqlError.SqlError>
  /** Claims up to `limit` due records of `kind`, oldest first, for `owner` until now + `UPLINK_LEASE_MS`. */
  readonly claim: (kind: RecordKind, limit: number, owner: string) => Effect.Effect<Claim, SqlError.SqlError>
  /** Extends the lease of the records `lease` still holds; answers how many it still holds. */
  readonly renew: (lease: Lease, ids: ReadonlyArray<string>) => Effect.Effect<number, SqlError.SqlError>
  /**
   * Writes final outcomes of records `lease` still holds, and (with `ledger`) adds them to the ledger in the same
   * transaction; answers how many were written.
   */
  readonly complete: (
    lease: Lease,
    outcomes: ReadonlyArray<FinalOutcome>,
    ledger?: LedgerEntry | undefined
  ) => Effect.Effect<number, SqlError.SqlError>
  /**
   * Puts records `lease` still holds back to wait for `goal` until `readyAt` (status `waiting`), keeping `message`;
   * answers how many.
   */
  readonly hold: (
    lease: Lease,
    ids: ReadonlyArray<string>,
    goal: string,
    readyAt: number,
    message: string
  ) => Effect.Effect<number, SqlError.SqlError>
  /** Makes every pending record of `goal` due before `readyAt` wait until then; answers how many. */
  readonly holdGoal: (goal: string, readyAt: number) => Effect.Effect<number, SqlError.SqlError>
  /** Records a 5615 answer for `goal` at `nowMs` (`GoalReadiness.afterNotAccepted`, one transaction). */
  readonly notAccepted: (goal: string, nowMs: number) => Effect.Effect<GoalHold, SqlError.SqlError>
  /** Of `goals`, those known (from 5615 answers) not to be ready at `nowMs`, with when they are expected to be. */
  readonly goalsReadyAt: (
    goals: ReadonlyArray<string>,
    nowMs: number
  ) => Effect.Effect<ReadonlyMap<string, number>, SqlError.SqlError>
  /** The records waiting for `goal`. */
  readonly waitingFor: (goal: string) => Effect.Effect<GoalWaiting, SqlError.SqlError>
  /** What the ledger says was sent, per goal and day. */
  readonly sent: (query: Ledger.SentQuery) => Effect.Effect<ReadonlyArray<Ledger.SentDay>, SqlError.SqlError>
  /**
   * Puts records `lease` still holds back to `pending`, claimable from `notBefore` (epoch ms), keeping `message` as
   * the last error; answers how many.
   */
  readonly reschedule: (
    lease: Lease,
    ids: ReadonlyArray<string>,
    notBefore: number,
    message: string | null
  ) => Effect.Effect<number, SqlError.SqlError>
  /** Records per status. */
  readonly counts: Effect.Effect<Readonly<Record<RecordStatus, number>>, SqlError.SqlError>
  /** The gauges of the whole outbox and of the instance `owner`. */
  readonly gauges: (owner: string) => Effect.Effect<OutboxGauges, SqlError.SqlError>
  /**
   * Fails unless a write transaction commits on the outbox's database. After a failed write it must also find room
   * for `probeRoomBytes` more, so that readiness comes back only when records fit again.
   */
  readonly checkWritable: Effect.Effect<void, SqlError.SqlError | OutboxFileError>
  /** Why the last write failed (the engine's words), while no write has succeeded since; `None` when writes succeed. */
  readonly writeFailure: Effect.Effect<Option.Option<string>>
}

/** The outbox file is no longer the file the server opened (deleted or replaced), so commits would not last. */
export class OutboxFileError extends Error {
  readonly _tag = "OutboxFileError"
}

/** The database's schema cannot be used by this binary (newer than it knows), with what to do. */
export class OutboxSchemaError extends Data.TaggedError("OutboxSchemaError")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

/** The room the readiness probe must find after a failed write. */
export const probeRoomBytes = 64 * 1024

const causeText = (cause: unknown): string | undefined => {
  if (!(cause instanceof Error)) return undefined
  if (cause.message !== "") {
    const code = (cause as { readonly code?: unknown }).code
    return typeof code === "string" && code !== "" && !cause.message.includes(code)
      ? `${cause.message} (${code})`
      : cause.message
  }
  // Node's connection attempts to several addresses fail with an AggregateError whose own message is empty.
  const errors = (cause as { readonly errors?: unknown }).errors
  if (Array.isArray(errors)) {
    const parts = errors.map(causeText).filter((text): text is string => text !== undefined)
    if (parts.length > 0) return [...new Set(parts)].join("; ")
  }
  return undefined
}

/**
 * What went wrong in the outbox, in the engine's words with its code when it gave one (`database or disk is full
 * (SQLITE_FULL)`, `cannot execute INSERT in a read-only transaction (25006)`), else the error's own message.
 */
export const describeOutboxError = (error: SqlError.SqlError | OutboxFileError | OutboxSchemaError): string => {
  if (error instanceof OutboxFileError || error instanceof OutboxSchemaError) return error.message
  return causeText(error.cause) ?? error.message
}

/** Remembers whether the last write failed and logs when writes start failing and when they work again. */
export const trackWrites = Effect.gen(function* () {
  const lastWriteFailure = yield* Ref.make(Option.none<string>())
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
  return { tracked, writeFailure: Ref.get(lastWriteFailure) }
})

/** An empty count per status. */
export const emptyCounts = (): Record<RecordStatus, number> => ({
  pending: 0,
  waiting: 0,
  sending: 0,
  accepted: 0,
  rejected: 0,
  duplicate: 0,
  failed: 0
})

/** Splits `items` into parts of at most `size`. */
export const chunk = <A>(items: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> => {
  const chunks: Array<ReadonlyArray<A>> = []
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size))
  return chunks
}

/** The status a record shows: a pending one that waits for its goal is `waiting`. */
export const shownStatus = (stored: string, waitingGoal: string | null | undefined): RecordStatus =>
  (stored === "pending" && waitingGoal != null ? "waiting" : stored) as RecordStatus

/** Whether a new record waits for its goal when enqueued at `nowMs`. */
export const waitsAt = (record: NewRecord, nowMs: number): boolean =>
  record.waitUntil !== undefined && record.waitUntil > nowMs && record.goal !== undefined

/** The rows a `complete` adds to the ledger: its written records' outcomes, per kind and goal. */
export const ledgerRows = (
  entry: LedgerEntry,
  written: ReadonlyArray<{ readonly kind: RecordKind; readonly goal: string | null; readonly status: string }>
): ReadonlyArray<Ledger.LedgerRow> => {
  const rows = new Map<string, { -readonly [K in keyof Ledger.LedgerRow]: Ledger.LedgerRow[K] }>()
  for (const record of written) {
    const goal = record.goal ?? ""
    const key = `${record.kind}\u0000${goal}`
    let row = rows.get(key)
    if (row === undefined) {
      row = {
        runId: entry.runId,
        source: "server",
        kind: record.kind,
        goal,
        day: entry.day,
        accepted: 0,
        rejected: 0,
        invalid: 0,
        duplicate: 0,
        failed: 0
      }
      rows.set(key, row)
    }
    if (
      record.status === "accepted" ||
      record.status === "rejected" ||
      record.status === "duplicate" ||
      record.status === "failed"
    ) {
      row[record.status]++
    }
  }
  return [...rows.values()]
}

/**
 * The answers of `enqueue` from the ids the database inserted (`inserted`) and the status of those it already had:
 * only the first record of an id inserted in this call is new, a later one with the same id is a repeat.
 */
export const enqueueResults = (
  records: ReadonlyArray<NewRecord>,
  inserted: ReadonlySet<string>,
  existing: ReadonlyMap<string, RecordStatus>,
  nowMs: number = Number.POSITIVE_INFINITY
): ReadonlyArray<EnqueueResult> => {
  const counted = new Set<string>()
  return records.map((record): EnqueueResult => {
    if (inserted.has(record.id) && !counted.has(record.id)) {
      counted.add(record.id)
      return { id: record.id, status: waitsAt(record, nowMs) ? "waiting" : "pending", repeated: false }
    }
    return { id: record.id, status: existing.get(record.id) ?? "pending", repeated: true }
  })
}

/** The errors of opening an outbox. */
export type OutboxOpenError = SqlError.SqlError | OutboxSchemaError | ConfigError.ConfigError

/** The outbox service. */
export class Outbox extends Context.Tag("@uplink/server/Outbox")<Outbox, OutboxShape>() {
  /**
   * The outbox `ServerConfig.database` names (`:memory:` SQLite for tests), with its schema migrated; the SQL client is
   * provided too (tests use it to break writes on the outbox's own connection, the shared throttle to keep its row).
   */
  static readonly layer: Layer.Layer<Outbox | SqlClient.SqlClient, OutboxOpenError, ServerConfig> = Layer.unwrapEffect(
    Effect.gen(function* () {
      const config = yield* ServerConfig
      const target = config.database
      if (target._tag === "Sqlite") {
        const { layer } = yield* Effect.promise(() => import("./SqliteOutbox.js"))
        return layer(target.path)
      }
      const { layer } = yield* Effect.promise(() => import("./PgOutbox.js"))
      return layer(target)
    })
  )
}

/** Runs the schema migrations of the configured database and says what it did (`uplink-server migrate`). */
export const migrateDatabase: Effect.Effect<string, OutboxOpenError, ServerConfig> = Effect.gen(function* () {
  const config = yield* ServerConfig
  const target = config.database
  if (target._tag === "Sqlite") {
    const { migrateFile } = yield* Effect.promise(() => import("./SqliteOutbox.js"))
    return `${describeTarget(target)}: ${yield* migrateFile(target.path)}`
  }
  const { migrateOnly } = yield* Effect.promise(() => import("./PgOutbox.js"))
  return `${describeTarget(target)}: ${yield* migrateOnly(target)}`
})
