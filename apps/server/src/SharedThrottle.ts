/**
 * `SharedThrottle`: the per-customer pause and pace that several instances delivering for one customer share, so
 * that a 117 CallRateExceeded seen by one instance slows all of them down. It is a narrow hook beside core's
 * in-process rate limiter (which each instance still runs, unchanged): the worker asks `pausedUntil` before it claims
 * a batch, and the deliverer calls `acquire` before each call to the service, `rateLimited` after a 117 and
 * `succeeded` after a call that went through.
 *
 * On PostgreSQL the state is one row per customer in `uplink_throttle`, read and written under the row's lock
 * (`SELECT … FOR UPDATE`, in a transaction), so updates from several instances never interleave. The row records
 * when the pause after a 117 ends, the calls started in the last window (per second), and — after a 117 — the calls
 * allowed per window (half of what the window had admitted, recovering by 1.5× per successful call, unlimited again
 * past 6,000 per minute), as core's limiter does in one process. `acquire` reserves the next free slot at that pace
 * for whichever instance asks first. A throttle that cannot reach the database lets the call go (logged once): core's
 * limiter still paces this instance, and a 117 is retried anyway.
 *
 * With SQLite there is one instance, so `local` keeps nothing: core's limiter is the whole story.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlError from "@effect/sql/SqlError"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { describeOutboxError, Outbox } from "./Outbox.js"

/** The service. */
export interface SharedThrottleShape {
  /** Waits until a call for `customerId` may start under the shared pause and pace, and counts it as started. */
  readonly acquire: (customerId: string) => Effect.Effect<void>
  /** Reports a call that went through: a lowered pace recovers. */
  readonly succeeded: (customerId: string) => Effect.Effect<void>
  /** Reports a 117: every instance pauses for `waitMs`, and the pace is lowered once per episode. */
  readonly rateLimited: (customerId: string, waitMs: number) => Effect.Effect<void>
  /** Until when (epoch ms) delivery is paused after a 117, for any customer of this outbox; `None` when not. */
  readonly pausedUntil: Effect.Effect<Option.Option<number>>
}

/** The shared throttle tag. */
export class SharedThrottle extends Context.Tag("@uplink/server/SharedThrottle")<
  SharedThrottle,
  SharedThrottleShape
>() {
  /** One instance (SQLite): nothing to share. */
  static readonly local: Layer.Layer<SharedThrottle> = Layer.succeed(SharedThrottle, {
    acquire: () => Effect.void,
    succeeded: () => Effect.void,
    rateLimited: () => Effect.void,
    pausedUntil: Effect.succeed(Option.none())
  })

  /** The throttle that fits the outbox: shared through PostgreSQL, or local with SQLite. */
  static readonly layer: Layer.Layer<SharedThrottle, never, Outbox | SqlClient.SqlClient> = Layer.unwrapEffect(
    Effect.map(Outbox, (outbox) => (outbox.engine === "postgres" ? postgresLayer() : SharedThrottle.local))
  )
}

/** Knobs of the shared throttle (tests shorten the window). */
export interface SharedThrottleOptions {
  /** The service's throttling window (60 s). */
  readonly windowMs?: number | undefined
  /** The slowest pace after slowdowns, in calls per window (1). */
  readonly minCallsPerWindow?: number | undefined
  /** The pace is multiplied by this after each successful call while slowed down (1.5). */
  readonly recoveryFactor?: number | undefined
  /** Past this many calls per window the pace is lifted altogether (6,000). */
  readonly unlimitedAfter?: number | undefined
}

interface ThrottleRow {
  readonly paused_until: number
  readonly calls_per_window: number | null
  readonly next_slot: number
  readonly last_slowdown_at: number | null
  readonly slowdowns: number
  readonly recent: string
}

/** What `acquire` got: a slot to start at (`wait` ms from now), or a pause to wait out. */
type Reservation = { readonly wait: number; readonly slot: number } | { readonly wait: number }

/** Calls started per second: `[second, count]` pairs, oldest first. */
type Recent = Array<[number, number]>

/** The throttle on the `uplink_throttle` table of the outbox's PostgreSQL database. */
export const makePostgres = (sql: SqlClient.SqlClient, options: SharedThrottleOptions = {}) =>
  Effect.gen(function* () {
    const windowMs = options.windowMs ?? 60_000
    const floor = options.minCallsPerWindow ?? 1
    const recovery = options.recoveryFactor ?? 1.5
    const unlimitedAfter = options.unlimitedAfter ?? 6_000
    /** Whether the last look at a customer found a lowered pace (so that `succeeded` has something to do). */
    const slowed = yield* Ref.make(new Set<string>())
    const lastFailure = yield* Ref.make(Option.none<string>())

    const transaction = <A>(effect: Effect.Effect<A, SqlError.SqlError>) =>
      sql
        .withTransaction(effect)
        .pipe(
          Effect.catchAllDefect(
            (defect): Effect.Effect<never, SqlError.SqlError> =>
              defect instanceof SqlError.SqlError ? Effect.fail(defect) : Effect.die(defect)
          )
        )

    /** Runs `update` on the customer's row under its lock and writes back what it returns. */
    const withRow = <A>(
      customerId: string,
      update: (row: ThrottleRow, now: number) => { readonly row: ThrottleRow; readonly result: A }
    ) =>
      transaction(
        Effect.gen(function* () {
          yield* sql`INSERT INTO uplink_throttle (customer_id) VALUES (${customerId}) ON CONFLICT DO NOTHING`
          const [row] = yield* sql<ThrottleRow>`SELECT paused_until, calls_per_window, next_slot, last_slowdown_at,
              slowdowns, recent
            FROM uplink_throttle WHERE customer_id = ${customerId} FOR UPDATE`
          const now = yield* Clock.currentTimeMillis
          const next = update(row!, now)
          yield* sql`UPDATE uplink_throttle SET paused_until = ${next.row.paused_until},
              calls_per_window = ${next.row.calls_per_window}, next_slot = ${next.row.next_slot},
              last_slowdown_at = ${next.row.last_slowdown_at}, slowdowns = ${next.row.slowdowns},
              recent = ${next.row.recent}
            WHERE customer_id = ${customerId}`
          yield* Ref.update(slowed, (set) => {
            const copy = new Set(set)
            if (next.row.calls_per_window === null) copy.delete(customerId)
            else copy.add(customerId)
            return copy
          })
          return next.result
        })
      )

    /** The recent starts within the window ending at `now`, plus one start at `at` when given. */
    const recentWith = (text: string, now: number, at?: number): Recent => {
      const oldest = Math.floor((now - windowMs) / 1000)
      const recent = (JSON.parse(text) as Recent).filter(([second]) => second > oldest)
      if (at !== undefined) {
        const second = Math.floor(at / 1000)
        const last = recent[recent.length - 1]
        if (last !== undefined && last[0] === second) last[1]++
        else recent.push([second, 1])
      }
      return recent
    }

    /** A failure of the throttle itself: logged when it starts, and the call goes ahead. */
    const failOpen =
      <A>(fallback: A) =>
      (error: SqlError.SqlError) =>
        Effect.gen(function* () {
          const reason = describeOutboxError(error)
          const before = yield* Ref.getAndSet(lastFailure, Option.some(reason))
          if (Option.isNone(before) || before.value !== reason) {
            yield* Effect.logWarning("shared throttle unavailable; pacing this instance alone").pipe(
              Effect.annotateLogs({ error: reason })
            )
          }
          return fallback
        })
    const recovered = Ref.set(lastFailure, Option.none())

    /** Reserves a start: `slot` is the time to start at; without one, the customer is paused for `wait` ms. */
    const reserve = (customerId: string) =>
      withRow<Reservation>(customerId, (row, now) => {
        if (now < row.paused_until) return { row, result: { wait: row.paused_until - now } }
        const slot = row.calls_per_window === null ? now : Math.max(now, row.next_slot)
        const nextSlot = row.calls_per_window === null ? row.next_slot : slot + windowMs / row.calls_per_window
        return {
          row: { ...row, next_slot: Math.ceil(nextSlot), recent: JSON.stringify(recentWith(row.recent, now, slot)) },
          result: { wait: slot - now, slot }
        }
      })

    const acquire = (customerId: string): Effect.Effect<void> =>
      Effect.gen(function* () {
        for (;;) {
          const reserved = yield* reserve(customerId).pipe(
            Effect.tap(() => recovered),
            Effect.catchAll(failOpen<Reservation>({ wait: 0, slot: 0 }))
          )
          if (reserved.wait > 0) yield* Effect.sleep(Duration.millis(reserved.wait))
          if ("slot" in reserved) {
            if (reserved.wait === 0) return
            // A 117 during the wait pauses everyone: the reserved slot is given up and the wait starts over.
            const paused = yield* pausedFor(customerId)
            const now = yield* Clock.currentTimeMillis
            if (Option.isNone(paused) || paused.value <= now) return
          }
        }
      })

    const pausedFor = (customerId: string) =>
      sql<{ paused_until: number }>`SELECT paused_until FROM uplink_throttle WHERE customer_id = ${customerId}`.pipe(
        Effect.map((rows) => Option.fromNullable(rows[0]?.paused_until)),
        Effect.catchAll(failOpen(Option.none<number>()))
      )

    const succeeded = (customerId: string) =>
      Effect.gen(function* () {
        if (!(yield* Ref.get(slowed)).has(customerId)) return
        yield* withRow(customerId, (row) => {
          if (row.calls_per_window === null) return { row, result: undefined }
          const next = row.calls_per_window * recovery
          return {
            row: { ...row, calls_per_window: next >= unlimitedAfter ? null : next },
            result: undefined
          }
        }).pipe(Effect.catchAll(failOpen(undefined)))
      })

    const rateLimited = (customerId: string, waitMs: number) =>
      withRow(customerId, (row, now) => {
        const pausedUntil = Math.max(row.paused_until, now + waitMs)
        const paused = { ...row, paused_until: pausedUntil, next_slot: Math.max(row.next_slot, pausedUntil) }
        // One episode lowers the pace once, however many calls (of however many instances) report it.
        if (row.last_slowdown_at !== null && now < row.last_slowdown_at + waitMs)
          return { row: paused, result: undefined }
        const recent = recentWith(row.recent, now)
        const observed = recent.reduce((sum, [, count]) => sum + count, 0)
        const base = row.calls_per_window === null ? observed : Math.min(row.calls_per_window, Math.max(observed, 1))
        return {
          row: {
            ...paused,
            calls_per_window: Math.max(floor, base / 2),
            last_slowdown_at: now,
            slowdowns: row.slowdowns + 1,
            recent: JSON.stringify(recent)
          },
          result: undefined
        }
      }).pipe(Effect.catchAll(failOpen(undefined)))

    const pausedUntil = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const rows = yield* sql<{ until: number | null }>`SELECT MAX(paused_until) AS until FROM uplink_throttle`
      const until = rows[0]?.until ?? null
      return until !== null && until > now ? Option.some(until) : Option.none<number>()
    }).pipe(Effect.catchAll(failOpen(Option.none<number>())))

    return { acquire, succeeded, rateLimited, pausedUntil } satisfies SharedThrottleShape
  })

/** The PostgreSQL throttle as a layer over the outbox's SQL client. */
export const postgresLayer = (
  options: SharedThrottleOptions = {}
): Layer.Layer<SharedThrottle, never, SqlClient.SqlClient> =>
  Layer.effect(
    SharedThrottle,
    Effect.flatMap(SqlClient.SqlClient, (sql) => makePostgres(sql, options))
  )
