/**
 * The statements on the outbox's records table that both engines write alike (standard SQL: `INSERT … ON CONFLICT DO
 * NOTHING RETURNING`, `UPDATE … RETURNING`), so that SQLite and PostgreSQL cannot drift apart on what a lease holds,
 * what going back to pending clears, or how a repeated id is answered. Each engine passes its table's name and how
 * many ids one statement may name (its bound-parameter limit), and runs these inside its own write transaction;
 * what differs per engine (claiming, completing, goal readiness, gauges) stays in `SqliteOutbox`/`PgOutbox`.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { chunk, enqueueResults, type Lease, type NewRecord, type RecordStatus, shownStatus, waitsAt } from "./Outbox.js"

export interface RecordTable {
  readonly sql: SqlClient.SqlClient
  /** The records table's name. */
  readonly name: string
  /** How many ids (or rows) one statement may carry. */
  readonly idsPerStatement: number
  /** How long a claim or a renewal holds a record. */
  readonly leaseMs: number
}

export const makeRecordStatements = ({ sql, name, idsPerStatement, leaseMs }: RecordTable) => {
  const table = sql(name)

  /** The condition that `lease` still holds a record. */
  const holds = (lease: Lease) =>
    sql`status = 'sending' AND lease_owner = ${lease.owner} AND lease_token = ${lease.token}`

  /** Sets `set` on the records of `ids` that `lease` still holds; the number changed. */
  const updateHeld = (lease: Lease, ids: ReadonlyArray<string>, set: Statement.Fragment) =>
    Effect.gen(function* () {
      let changed = 0
      for (const part of chunk(ids, idsPerStatement)) {
        const rows = yield* sql`UPDATE ${table} SET ${set} WHERE ${holds(lease)} AND ${sql.in("id", part)} RETURNING id`
        changed += rows.length
      }
      return changed
    })

  /** Inserts the records not already there; a repeated id is answered with the status it has. */
  const enqueue = (records: ReadonlyArray<NewRecord>) =>
    Effect.gen(function* () {
      if (records.length === 0) return []
      const now = yield* Clock.currentTimeMillis
      const inserted = new Set<string>()
      for (const part of chunk(records, idsPerStatement)) {
        const rows = part.map((record) => ({
          id: record.id,
          kind: record.kind,
          fields: JSON.stringify(record.fields),
          status: "pending",
          attempts: 0,
          not_before: waitsAt(record, now) ? record.waitUntil! : now,
          created_at: now,
          updated_at: now,
          goal: record.goal ?? null,
          waiting_goal: waitsAt(record, now) ? record.goal! : null
        }))
        const returned = yield* sql<{ id: string }>`INSERT INTO ${table} ${sql.insert(rows)}
          ON CONFLICT (id) DO NOTHING RETURNING id`
        for (const row of returned) inserted.add(row.id)
      }
      const repeatedIds = [...new Set(records.map((record) => record.id).filter((id) => !inserted.has(id)))]
      const existing = new Map<string, RecordStatus>()
      for (const part of chunk(repeatedIds, idsPerStatement)) {
        const rows = yield* sql<{
          id: string
          status: RecordStatus
          waiting_goal: string | null
        }>`SELECT id, status, waiting_goal FROM ${table} WHERE ${sql.in("id", part)}`
        for (const row of rows) existing.set(row.id, shownStatus(row.status, row.waiting_goal))
      }
      return enqueueResults(records, inserted, existing, now)
    })

  /** Extends the lease on the records of `ids` it still holds. */
  const renew = (lease: Lease, ids: ReadonlyArray<string>) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => updateHeld(lease, ids, sql`lease_until = ${now + leaseMs}`))

  /** Back to pending, not before `notBefore`, with `message`: the lease let go. */
  const reschedule = (lease: Lease, ids: ReadonlyArray<string>, notBefore: number, message: string | null) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      updateHeld(
        lease,
        ids,
        sql`status = 'pending', not_before = ${notBefore}, message = ${message},
          lease_owner = NULL, lease_token = NULL, lease_until = NULL, updated_at = ${now}`
      )
    )

  /** Back to pending, waiting for `goal` until `readyAt`: the lease let go. */
  const hold = (lease: Lease, ids: ReadonlyArray<string>, goal: string, readyAt: number, message: string) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      updateHeld(
        lease,
        ids,
        sql`status = 'pending', not_before = ${readyAt}, message = ${message}, waiting_goal = ${goal},
          lease_owner = NULL, lease_token = NULL, lease_until = NULL, updated_at = ${now}`
      )
    )

  /** Every pending record of `goal` due before `readyAt` waits for it until then. */
  const holdGoal = (goal: string, readyAt: number) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const rows = yield* sql`UPDATE ${table} SET not_before = ${readyAt}, waiting_goal = ${goal}, updated_at = ${now}
        WHERE status = 'pending' AND goal = ${goal} AND not_before < ${readyAt} RETURNING id`
      return rows.length
    })

  return { holds, enqueue, renew, reschedule, hold, holdGoal }
}
