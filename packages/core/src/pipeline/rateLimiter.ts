/**
 * A per-customer rate limiter that slows down on 117 CallRateExceeded and recovers. The service publishes no number,
 * only a sliding 60-second window per customer (api-facts.md §4), so the limiter learns: it starts unlimited (or at
 * `maxCallsPerMinute`); on a 117 it pauses every caller for `rateLimitWait` (60 s, the documented guidance, or the
 * service's Retry-After) and sets its rate to half the calls actually started in the last `window` (default a
 * minute); each successful call raises the rate by `recoveryFactor` until it is back at the ceiling (or unlimited).
 * One 117 episode lowers the rate once, however many concurrent calls report it. Time comes from the Effect Clock, so tests drive it with TestClock.
 *
 * Share one limiter per customer across runs (the server's worker, concurrent CLI batches): `RateLimiters` hands them
 * out by customer id. `acquireUnlessStopped` is `acquire` for a run with a stop signal: it announces its waits and
 * gives up when the run stops.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { sleepUnlessStopped } from "./stop.js"

export interface RateLimiterOptions {
  /** The pause after a 117 when the service names none (default 60 s). */
  readonly rateLimitWait?: Duration.DurationInput | undefined
  /**
   * The service's throttling window, over which the calls started before a 117 are counted to set the new rate
   * (default 60 s, Microsoft's sliding window; the pipeline uses its `rateLimitWait`, DESIGN.md's
   * `--rate-limit-window`).
   */
  readonly window?: Duration.DurationInput | undefined
  /** A ceiling on calls per minute (default none). */
  readonly maxCallsPerMinute?: number | undefined
  /** The rate never goes below this after slowdowns (default 1 call per minute). */
  readonly minCallsPerMinute?: number | undefined
  /** The rate is multiplied by this after each successful call while slowed down (default 1.5). */
  readonly recoveryFactor?: number | undefined
}

/** A snapshot for progress displays and tests. */
export interface RateLimiterState {
  /** Current limit, `null` when unlimited. */
  readonly callsPerMinute: number | null
  /** Until when (ms since the epoch) every caller waits; in the past when not paused. */
  readonly pausedUntil: number
  /** How many 117 episodes lowered the rate. */
  readonly slowdowns: number
}

/** What the limiter is waiting for: the pause after a 117, or the spacing of calls at the current rate. */
export type LimiterWait = "rateLimited" | "paced"

export interface RateLimiter {
  /** Waits until a call may start (after any pause, spaced by the current rate). */
  readonly acquire: Effect.Effect<void>
  /**
   * `acquire` for one run: tells `onWait` about each wait before it starts, and gives up when `stop` aborts during a
   * wait (false: the call must not start; true: it may).
   */
  readonly acquireUnlessStopped: (
    stop: AbortSignal | undefined,
    onWait?: ((reason: LimiterWait, millis: number) => Effect.Effect<void>) | undefined
  ) => Effect.Effect<boolean>
  /** Reports a call that succeeded. */
  readonly succeeded: Effect.Effect<void>
  /** Reports a 117: pause for `retryAfter` (default the configured wait) and lower the rate. */
  readonly rateLimited: (retryAfter?: Duration.Duration) => Effect.Effect<void>
  readonly state: Effect.Effect<RateLimiterState>
}

const MINUTE = 60_000
/** Without a ceiling, a rate that recovered past this is lifted altogether. */
const UNLIMITED_AFTER = 6_000

/** A new limiter. */
export const make = (options: RateLimiterOptions = {}): RateLimiter => {
  const waitMs = Duration.toMillis(Duration.decode(options.rateLimitWait ?? Duration.seconds(60)))
  const windowMs = Math.max(1, Duration.toMillis(Duration.decode(options.window ?? Duration.minutes(1))))
  const ceiling = options.maxCallsPerMinute
  const floor = options.minCallsPerMinute ?? 1
  const recovery = options.recoveryFactor ?? 1.5

  let rate: number | null = ceiling ?? null
  let pausedUntil = 0
  let nextSlot = 0
  let lastSlowdownAt = Number.NEGATIVE_INFINITY
  let slowdowns = 0
  /** Start times of recent calls (ms), oldest first, from `startsHead` on. */
  let starts: Array<number> = []
  let startsHead = 0

  const prune = (now: number) => {
    while (startsHead < starts.length && starts[startsHead] <= now - windowMs) startsHead++
    if (startsHead > 1024 && startsHead * 2 > starts.length) {
      starts = starts.slice(startsHead)
      startsHead = 0
    }
  }

  const started = (now: number) => {
    prune(now)
    starts.push(now)
  }

  const acquireUnlessStopped = (
    stop: AbortSignal | undefined,
    onWait?: ((reason: LimiterWait, millis: number) => Effect.Effect<void>) | undefined
  ): Effect.Effect<boolean> =>
    Effect.gen(function* () {
      for (;;) {
        const now = yield* Clock.currentTimeMillis
        if (now < pausedUntil) {
          const millis = pausedUntil - now
          if (onWait !== undefined) yield* onWait("rateLimited", millis)
          if (!(yield* sleepUnlessStopped(millis, stop))) return false
          continue
        }
        if (rate === null) {
          started(now)
          return true
        }
        const slot = Math.max(now, nextSlot)
        nextSlot = slot + MINUTE / rate
        if (slot === now) {
          started(now)
          return true
        }
        if (onWait !== undefined) yield* onWait("paced", slot - now)
        if (!(yield* sleepUnlessStopped(slot - now, stop))) return false
        const after = yield* Clock.currentTimeMillis
        // A 117 during the wait pauses everyone: the reserved slot is given up and the wait starts over.
        if (after >= pausedUntil) {
          started(after)
          return true
        }
      }
    })

  const acquire: Effect.Effect<void> = Effect.asVoid(acquireUnlessStopped(undefined))

  const succeeded = Effect.sync(() => {
    if (rate === null) return
    const next = rate * recovery
    if (ceiling !== undefined) rate = Math.min(ceiling, next)
    else rate = next >= UNLIMITED_AFTER ? null : next
  })

  const rateLimited = (retryAfter?: Duration.Duration) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.sync(() => {
        const pause = retryAfter === undefined ? waitMs : Duration.toMillis(retryAfter)
        pausedUntil = Math.max(pausedUntil, now + pause)
        nextSlot = Math.max(nextSlot, pausedUntil)
        if (now < lastSlowdownAt + pause) return
        lastSlowdownAt = now
        slowdowns++
        prune(now)
        // Calls started in the window, as a rate per minute.
        const observed = ((starts.length - startsHead) * MINUTE) / windowMs
        const base = rate === null ? observed : Math.min(rate, Math.max(observed, 1))
        rate = Math.max(floor, base / 2)
      })
    )

  const state = Effect.sync((): RateLimiterState => ({ callsPerMinute: rate, pausedUntil, slowdowns }))

  return { acquire, acquireUnlessStopped, succeeded, rateLimited, state }
}

/** Rate limiters by customer id, shared by every run in the process. */
export class RateLimiters extends Context.Tag("@uplink/core/pipeline/RateLimiters")<
  RateLimiters,
  { readonly forCustomer: (customerId: string) => Effect.Effect<RateLimiter> }
>() {
  /** One limiter per customer id, created on first use with `options`. */
  static layer(options: RateLimiterOptions = {}): Layer.Layer<RateLimiters> {
    return Layer.sync(RateLimiters, () => {
      const limiters = new Map<string, RateLimiter>()
      return {
        forCustomer: (customerId) =>
          Effect.sync(() => {
            let limiter = limiters.get(customerId)
            if (limiter === undefined) {
              limiter = make(options)
              limiters.set(customerId, limiter)
            }
            return limiter
          })
      }
    })
  }
}
