/**
 * `ConcurrencyLimit`: how many requests of one customer may be in flight at once, and the permits that hold delivery
 * to it. `fixed(n)` is exactly `n` (`--concurrency n`). `adaptive(options)` learns the number, so that nobody has to
 * guess it: it starts small, grows while the round-trip time stays flat and no throttling appears, and backs off
 * multiplicatively when the service throttles (117 CallRateExceeded, HTTP 429) or slows down. It follows:
 *
 * - **AIMD**, as Netflix's concurrency-limits `AIMDLimit` (github.com/Netflix/concurrency-limits,
 *   `limit/AIMDLimit.java`): grow by one per successful sample while the limit is in use (`inflight * 2 >= limit`,
 *   in flight when the request was sent or when its answer came; no growth when the caller, not the service, is what
 *   keeps requests few), multiply by a back-off ratio on a drop.
 *   A throttle is our drop; its ratio is 0.5, the lowest `AIMDLimit` allows. Like TCP (RFC 5681), growth is one per
 *   sample only until the first back-off ("slow start": the limit doubles per round trip), then one per round trip
 *   (`1 / limit` per sample), so that the limit creeps towards the point where latency grows instead of overshooting it.
 * - **Latency as the signal**, as Envoy's adaptive concurrency filter (envoyproxy.io, "Adaptive Concurrency", gradient
 *   controller): the no-load latency floor is the minimum round-trip time (minRTT); a sample above
 *   `minRTT + B`, `B = minRTT × 25 %` (Envoy's default `buffer`), is latency growth, and the limit is multiplied by
 *   Envoy's gradient `(minRTT + B) / sampleRTT`, clamped so that it never falls by more than half at once (as
 *   Netflix's `Gradient2Limit` clamps its gradient to [0.5, 1]). Envoy re-measures minRTT when the limit has sat at
 *   its minimum for 5 consecutive sampling windows; here, after 5 consecutive samples at the minimum, the floor becomes
 *   the lowest of them (the service got slower for good). Envoy adds √limit of headroom at every update instead of an
 *   additive step; its fixed point lies where latency is (1 + buffer) / (1 − 1/√limit) × minRTT (1.9× at a limit of
 *   8), which is more queueing than a batch uploader should cause, hence AIMD's step.
 *
 * Our own choices, each an invariant: `B` is at least 10 ms (the client's event loop delays an answer by a few
 * milliseconds on a busy machine, which is not the service slowing down); a back-off happens at most once per round
 * trip — samples of requests that started before the last back-off cannot cause another one (TCP's rule, so that a
 * window of slow answers counts as one signal); only samples of full batches count (a smaller last batch is faster,
 * and would make the floor too low). The limit stays within [1, max]; permits are whole (`floor(limit)`). Time is in
 * milliseconds of the Effect `Clock`, read by the caller, so TestClock drives everything.
 *
 * Permits: `acquire` waits (FIFO) while `floor(limit)` requests are in flight, and gives up when the run's `stop`
 * signal aborts; `release` is synchronous. `withPermit` holds one around an effect and always releases it, also on
 * interruption. A fixed limit never waits (the pool runs exactly `n` workers) but counts requests in flight.
 */
import * as Effect from "effect/Effect"
import { onStop } from "./stop.js"

export interface AdaptiveOptions {
  /** The limit to start from (default 4, or `max` when smaller). */
  readonly initial?: number | undefined
  /** The most requests in flight (default 16; `--max-concurrency`, `Limits.maxConcurrency`). */
  readonly max?: number | undefined
}

/** What the limit is now, for progress displays, summaries and metrics. */
export interface ConcurrencySnapshot {
  readonly mode: "adaptive" | "fixed"
  /** Requests allowed in flight now (whole permits). */
  readonly limit: number
  /** The bound of the limit (`--max-concurrency`; for a fixed limit, the limit). */
  readonly max: number
  /** Requests in flight now. */
  readonly inFlight: number
  /** The highest limit reached so far. */
  readonly peak: number
  /** How many times the limit was lowered (throttling or latency growth). */
  readonly backoffs: number
  /** The latency floor: the lowest round-trip time of a full batch (re-measured at the minimum), or null before any. */
  readonly floorMs: number | null
  /** The median round-trip time of the last 16 full batches, or null before any. */
  readonly latencyMs: number | null
}

/** One successful request of a full batch. */
export interface Sample {
  /** When it was sent and when its answer came (ms of the Effect clock). */
  readonly startedAt: number
  readonly endedAt: number
  /**
   * Requests in flight when it was sent, itself included (what `acquire` answered). The limit also counts those in
   * flight when the answer came (before its permit is given back), whichever is more.
   */
  readonly inFlight: number
}

export interface ConcurrencyLimit {
  readonly mode: "adaptive" | "fixed"
  /**
   * Waits for a permit and answers the number of requests in flight with it (at least 1), or 0 when `stop` aborted
   * first (no permit is then held). Callers wait in order, except that a `retry` (a batch sent again) goes first: it
   * was sent before the batches waiting behind it.
   */
  readonly acquire: (stop: AbortSignal | undefined, retry?: boolean) => Effect.Effect<number>
  /** Gives a permit back. */
  readonly release: () => void
  /** A successful request of a full batch: grow, or back off when its latency grew. */
  readonly succeeded: (sample: Sample) => void
  /** A request started at `startedAt` was throttled (117, HTTP 429) at `now`: back off once per episode. */
  readonly throttled: (startedAt: number, now: number) => void
  readonly snapshot: () => ConcurrencySnapshot
}

/** The limit adaptive concurrency starts from. */
export const DEFAULT_INITIAL = 4
/** The default bound (`--max-concurrency`). */
export const DEFAULT_MAX = 16

/** Envoy's default buffer: a sample above minRTT × 1.25 is latency growth. */
const LATENCY_BUFFER = 0.25
/** The least buffer, for the client's own event-loop delays. */
const MIN_BUFFER_MS = 10
/** No single back-off on latency cuts the limit by more than half (Gradient2's clamp). */
const MIN_GRADIENT = 0.5
/** The back-off on throttling (the lowest ratio Netflix's AIMDLimit accepts). */
const THROTTLE_RATIO = 0.5
/** Samples at the minimum limit after which the floor is measured again (Envoy: 5 sampling windows). */
const REMEASURE_AFTER = 5
/** Samples the recent latency is the median of. */
const RECENT = 16
const MIN_LIMIT = 1

/** The median of `values` (not empty); sorts a copy. */
const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Permits over a limit that `limitNow` reads; waiters are woken in order. */
const makePermits = (limitNow: () => number) => {
  let inFlight = 0
  const waiters: Array<() => void> = []

  /** Wakes as many waiters as there are free permits (each checks again when it runs). */
  const wake = (): void => {
    let free = limitNow() - inFlight
    while (free > 0 && waiters.length > 0) {
      waiters.shift()!()
      free--
    }
  }

  const acquire = (stop: AbortSignal | undefined, retry = false): Effect.Effect<number> =>
    Effect.suspend((): Effect.Effect<number> => {
      if (stop?.aborted === true) return Effect.succeed(0)
      if (inFlight < limitNow()) {
        inFlight++
        return Effect.succeed(inFlight)
      }
      return Effect.async<number>((resume) => {
        let cancelStop: (() => void) | undefined
        const cleanup = () => {
          const index = waiters.indexOf(onWake)
          if (index >= 0) waiters.splice(index, 1)
          cancelStop?.()
        }
        const onWake = () => {
          cleanup()
          resume(acquire(stop, retry))
        }
        if (retry) waiters.unshift(onWake)
        else waiters.push(onWake)
        if (stop !== undefined) {
          cancelStop = onStop(stop, () => {
            cleanup()
            resume(Effect.succeed(0))
          })
        }
        return Effect.sync(cleanup)
      })
    }).pipe(
      // A waiter woken and then interrupted before it took its permit passes the wake-up on.
      Effect.onInterrupt(() => Effect.sync(wake))
    )

  const release = (): void => {
    inFlight--
    wake()
  }

  return { acquire, release, wake, inFlight: () => inFlight }
}

/** Exactly `n` requests in flight at most (`--concurrency n`): no learning, no waiting beyond the pool's `n` workers. */
export const fixed = (n: number): ConcurrencyLimit => {
  const permits = makePermits(() => n)
  const recent: Array<number> = []
  let floor: number | null = null
  return {
    mode: "fixed",
    acquire: permits.acquire,
    release: permits.release,
    succeeded: (sample) => {
      const rtt = sample.endedAt - sample.startedAt
      if (floor === null || rtt < floor) floor = rtt
      recent.push(rtt)
      if (recent.length > RECENT) recent.shift()
    },
    throttled: () => {},
    snapshot: () => ({
      mode: "fixed",
      limit: n,
      max: n,
      inFlight: permits.inFlight(),
      peak: n,
      backoffs: 0,
      floorMs: floor,
      latencyMs: recent.length === 0 ? null : median(recent)
    })
  }
}

/** A limit learned from latency and throttling, within [1, `max`]. */
export const adaptive = (options: AdaptiveOptions = {}): ConcurrencyLimit => {
  const max = options.max ?? DEFAULT_MAX
  let limit = Math.min(max, options.initial ?? DEFAULT_INITIAL)
  let peak = Math.floor(limit)
  let slowStart = true
  let backoffs = 0
  let floor: number | null = null
  /** Samples of requests that started before this cannot cause another back-off (one per round trip). */
  let lastBackoffAt = Number.NEGATIVE_INFINITY
  let atMinimum: Array<number> = []
  const recent: Array<number> = []

  const whole = () => Math.max(MIN_LIMIT, Math.floor(limit))
  const permits = makePermits(whole)

  const backOff = (ratio: number, now: number) => {
    limit = Math.max(MIN_LIMIT, limit * ratio)
    slowStart = false
    lastBackoffAt = now
    backoffs++
  }

  const succeeded = (sample: Sample): void => {
    const rtt = sample.endedAt - sample.startedAt
    recent.push(rtt)
    if (recent.length > RECENT) recent.shift()
    if (floor === null || rtt < floor) floor = rtt
    if (whole() <= MIN_LIMIT) {
      atMinimum.push(rtt)
      if (atMinimum.length >= REMEASURE_AFTER) {
        floor = Math.min(...atMinimum)
        atMinimum = []
      }
    } else if (atMinimum.length > 0) {
      atMinimum = []
    }
    const threshold = floor + Math.max(floor * LATENCY_BUFFER, MIN_BUFFER_MS)
    if (rtt > threshold) {
      if (sample.startedAt >= lastBackoffAt) backOff(Math.max(MIN_GRADIENT, threshold / rtt), sample.endedAt)
      return
    }
    if (Math.max(sample.inFlight, permits.inFlight()) * 2 < whole()) return
    const before = whole()
    limit = Math.min(max, limit + (slowStart ? 1 : 1 / limit))
    if (whole() > peak) peak = whole()
    if (whole() > before) permits.wake()
  }

  const throttled = (startedAt: number, now: number): void => {
    if (startedAt >= lastBackoffAt) backOff(THROTTLE_RATIO, now)
  }

  return {
    mode: "adaptive",
    acquire: permits.acquire,
    release: permits.release,
    succeeded,
    throttled,
    snapshot: () => ({
      mode: "adaptive",
      limit: whole(),
      max,
      inFlight: permits.inFlight(),
      peak,
      backoffs,
      floorMs: floor,
      latencyMs: recent.length === 0 ? null : median(recent)
    })
  }
}

/**
 * Runs `effect` holding one permit of `limit` (released when it ends, however it ends) and gives it the number of
 * requests in flight; `onStopped` instead when `stop` aborts before a permit comes. A `retry` goes first in line.
 */
export const withPermit = <A, E, R>(
  limit: ConcurrencyLimit,
  stop: AbortSignal | undefined,
  effect: (inFlight: number) => Effect.Effect<A, E, R>,
  onStopped: Effect.Effect<A, E, R>,
  retry = false
): Effect.Effect<A, E, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(restore(limit.acquire(stop, retry)), (inFlight) =>
      inFlight === 0
        ? restore(onStopped)
        : Effect.ensuring(
            restore(effect(inFlight)),
            Effect.sync(() => limit.release())
          )
    )
  )
