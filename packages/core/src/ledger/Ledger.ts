/**
 * The ledger of what Uplink sent: per run, kind (conversion or adjustment), goal name and UTC upload day, how many
 * records ended in each outcome. It holds counts only — never a click id, a hash or any value of a record: a row has
 * no place for one. `uplink report` joins it with Microsoft's per-goal report (`Reconciliation`), so that "sent by
 * Uplink" sits next to "counted by Microsoft".
 *
 * One table, `uplink_ledger`, written and read the same way everywhere through this module: the CLI keeps it in an
 * SQLite file in the user's state folder, the server in its outbox database (SQLite or PostgreSQL). Each caller runs
 * the statements on its own connection through a `SqlExecutor`; `record` adds to a row that already exists (a run's
 * counts may be written in several steps), so a run is one row per kind, goal and day.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type { Outcome } from "../pipeline/outcome.js"

/** The SQL dialect of the ledger's database. */
export type Dialect = "sqlite" | "postgres"

/** Records per outcome. */
export interface OutcomeCounts {
  readonly accepted: number
  readonly rejected: number
  readonly invalid: number
  readonly duplicate: number
  readonly failed: number
}

/** Who sent. */
export type Source = "cli" | "server"

/** The kind of record. */
export type Kind = "conversion" | "adjustment"

/** One row: the outcomes of one run's records of one kind, for one goal, on one UTC upload day. */
export interface LedgerRow extends OutcomeCounts {
  readonly runId: string
  readonly source: Source
  readonly kind: Kind
  /** The goal name the records carried (`""` when they carried none). */
  readonly goal: string
  /** The UTC day the records were sent (their outcome known), `YYYY-MM-DD`. */
  readonly day: string
}

/** What was sent for one goal on one day, all runs and kinds together. */
export interface SentDay extends OutcomeCounts {
  readonly goal: string
  readonly day: string
}

/** Which days (inclusive, `YYYY-MM-DD`) and, optionally, which goal names to read. */
export interface SentQuery {
  readonly from: string
  readonly to: string
  readonly goals?: ReadonlyArray<string> | undefined
}

/** The ledger's database failed (its own words in `message`). */
export class LedgerError extends Data.TaggedError("LedgerError")<{
  readonly reason: "Unavailable" | "ReadFailed" | "WriteFailed"
  readonly message: string
}> {}

/** Runs one statement with its parameters on the caller's connection and answers its rows. */
export interface SqlExecutor {
  readonly dialect: Dialect
  readonly execute: (
    sql: string,
    params: ReadonlyArray<string | number>
  ) => Effect.Effect<ReadonlyArray<Record<string, unknown>>, LedgerError>
}

/** The ledger's table. */
export const TABLE = "uplink_ledger"

const COUNTS = ["accepted", "rejected", "invalid", "duplicate", "failed"] as const

/** The statements that create the table and its index (idempotent), for `dialect`. */
export const schema = (dialect: Dialect): ReadonlyArray<string> => {
  const time = dialect === "postgres" ? "BIGINT" : "INTEGER"
  return [
    `CREATE TABLE IF NOT EXISTS ${TABLE} (
      run_id TEXT NOT NULL,
      source TEXT NOT NULL CHECK (source IN ('cli', 'server')),
      kind TEXT NOT NULL CHECK (kind IN ('conversion', 'adjustment')),
      goal TEXT NOT NULL,
      day TEXT NOT NULL,
      ${COUNTS.map((count) => `${count} INTEGER NOT NULL DEFAULT 0`).join(",\n      ")},
      recorded_at ${time} NOT NULL,
      PRIMARY KEY (run_id, kind, goal, day)
    )`,
    `CREATE INDEX IF NOT EXISTS ${TABLE}_day ON ${TABLE} (day, goal)`
  ]
}

/** `?` for SQLite, `$n` for PostgreSQL. */
const placeholder = (dialect: Dialect, n: number) => (dialect === "postgres" ? `$${n}` : "?")

/** A statement with its parameters. */
export interface Statement {
  readonly sql: string
  readonly params: ReadonlyArray<string | number>
}

/** The statement that adds `rows` (at `recordedAtMs`) to the ledger; `undefined` when there are none. */
export const upsert = (
  dialect: Dialect,
  rows: ReadonlyArray<LedgerRow>,
  recordedAtMs: number
): Statement | undefined => {
  if (rows.length === 0) return undefined
  const columns = ["run_id", "source", "kind", "goal", "day", ...COUNTS, "recorded_at"]
  const params: Array<string | number> = []
  const values = rows.map((row) => {
    const start = params.length
    params.push(row.runId, row.source, row.kind, row.goal, row.day, ...COUNTS.map((count) => row[count]), recordedAtMs)
    return `(${columns.map((_, i) => placeholder(dialect, start + i + 1)).join(", ")})`
  })
  const sql =
    `INSERT INTO ${TABLE} (${columns.join(", ")}) VALUES ${values.join(", ")} ` +
    "ON CONFLICT (run_id, kind, goal, day) DO UPDATE SET " +
    [
      ...COUNTS.map((count) => `${count} = ${TABLE}.${count} + excluded.${count}`),
      "recorded_at = excluded.recorded_at"
    ].join(", ")
  return { sql, params }
}

/** The statement that sums what was sent per goal and day for `query`. */
export const selectSent = (dialect: Dialect, query: SentQuery): Statement => {
  const params: Array<string | number> = [query.from, query.to]
  let goals = ""
  if (query.goals !== undefined) {
    if (query.goals.length === 0) goals = " AND 1 = 0"
    else {
      goals = ` AND goal IN (${query.goals.map((goal) => {
        params.push(goal)
        return placeholder(dialect, params.length)
      })})`
    }
  }
  const sums = COUNTS.map((count) => `SUM(${count}) AS ${count}`).join(", ")
  return {
    sql:
      `SELECT goal, day, ${sums} FROM ${TABLE} WHERE day >= ${placeholder(dialect, 1)} AND day <= ` +
      `${placeholder(dialect, 2)}${goals} GROUP BY goal, day ORDER BY goal, day`,
    params
  }
}

/** The ledger service. */
export interface LedgerShape {
  /** Where it is kept, for messages (a file path, or "the server's database"). */
  readonly location: string
  /** Adds the rows' counts. */
  readonly record: (rows: ReadonlyArray<LedgerRow>) => Effect.Effect<void, LedgerError>
  /** What was sent per goal and day. */
  readonly sent: (query: SentQuery) => Effect.Effect<ReadonlyArray<SentDay>, LedgerError>
}

export class Ledger extends Context.Tag("@uplink/core/Ledger")<Ledger, LedgerShape>() {}

/** A count read back from the database (SQLite answers numbers, PostgreSQL's SUM a bigint or its text). */
const count = (value: unknown): number => (typeof value === "number" ? value : Number(value ?? 0))

/** The rows of `selectSent`'s statement as `SentDay`s. */
export const sentRows = (rows: ReadonlyArray<Record<string, unknown>>): ReadonlyArray<SentDay> =>
  rows.map(
    (row): SentDay => ({
      goal: String(row.goal),
      day: String(row.day),
      accepted: count(row.accepted),
      rejected: count(row.rejected),
      invalid: count(row.invalid),
      duplicate: count(row.duplicate),
      failed: count(row.failed)
    })
  )

/** The ledger over `executor` (its table created first, when it is missing). */
export const make = (executor: SqlExecutor, location: string): Effect.Effect<LedgerShape, LedgerError> =>
  Effect.gen(function* () {
    for (const statement of schema(executor.dialect)) yield* executor.execute(statement, [])
    return {
      location,
      record: (rows) =>
        Effect.suspend(() => {
          const statement = upsert(executor.dialect, rows, Date.now())
          return statement === undefined
            ? Effect.void
            : Effect.asVoid(executor.execute(statement.sql, statement.params))
        }),
      sent: (query) =>
        Effect.suspend(() => {
          const statement = selectSent(executor.dialect, query)
          return Effect.map(executor.execute(statement.sql, statement.params), sentRows)
        })
    } satisfies LedgerShape
  })

/** The UTC day of `ms`, `YYYY-MM-DD`. */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10)

type MutableCounts = { -readonly [K in keyof OutcomeCounts]: number }

const countOf: Partial<Record<Outcome["_tag"], keyof OutcomeCounts>> = {
  Accepted: "accepted",
  Rejected: "rejected",
  Invalid: "invalid",
  Duplicate: "duplicate",
  Failed: "failed"
}

const DAY_MS = 86_400_000

interface TallyRow {
  readonly kind: Kind
  readonly goal: string
  readonly day: string
  readonly counts: MutableCounts
}

/**
 * Counts a run's outcomes into ledger rows (per kind, goal and day); only goal names and counts are kept. Counting an
 * outcome of a kind and UTC day already seen, for a goal already seen, builds nothing (no date, day or key text), so
 * that counting a large run allocates per row, not per outcome (the pipeline's memory rule, `internal/emptied.ts`).
 */
export class Tally {
  readonly #rows = new Map<string, TallyRow>()
  /** The rows of the kind and UTC day counted last, by goal (all of them also in `#rows`). */
  #current: { kind: Kind; dayNumber: number; byGoal: Map<string, TallyRow> } | undefined

  /** Counts `outcome` (a `ready` one of a dry run is not counted) on the UTC day of `atMs`. */
  add(kind: Kind, outcome: Outcome, atMs: number): void {
    const counted = countOf[outcome._tag]
    if (counted === undefined) return
    const goal = outcome.identity.conversionName ?? ""
    const dayNumber = Math.floor(atMs / DAY_MS)
    let current = this.#current
    if (current === undefined || current.kind !== kind || current.dayNumber !== dayNumber) {
      current = { kind, dayNumber, byGoal: new Map() }
      this.#current = current
    }
    let row = current.byGoal.get(goal)
    if (row === undefined) {
      const day = dayOf(atMs)
      const key = `${kind}\u0000${day}\u0000${goal}`
      row = this.#rows.get(key)
      if (row === undefined) {
        row = { kind, goal, day, counts: { accepted: 0, rejected: 0, invalid: 0, duplicate: 0, failed: 0 } }
        this.#rows.set(key, row)
      }
      current.byGoal.set(goal, row)
    }
    row.counts[counted]++
  }

  /** Whether nothing was counted. */
  get isEmpty(): boolean {
    return this.#rows.size === 0
  }

  /** The rows of run `runId` from `source`, and forgets them (the next call answers what was counted since). */
  take(runId: string, source: Source): ReadonlyArray<LedgerRow> {
    const rows = [...this.#rows.values()].map(
      (row): LedgerRow => ({ runId, source, kind: row.kind, goal: row.goal, day: row.day, ...row.counts })
    )
    this.#rows.clear()
    this.#current = undefined
    return rows
  }
}
