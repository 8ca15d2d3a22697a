/**
 * A customer's rate limiter: how fast and how many requests delivery sends to one Microsoft Advertising customer.
 * Microsoft publishes no number, only that calls are counted per customer over a sliding 60-second window and that a
 * call beyond the limit gets 117 CallRateExceeded (docs/microsoft-api.md §4), so the limiter learns both:
 *
 * - **The admitted rate.** Until the first 117 calls are not paced. A 117 for a call started at `t` says the window
 *   ending there was full: the calls of ours that started in it and were not refused are what the window admits
 *   (`admittedPerWindow`). Calls still in flight when the 117 comes are counted as admitted until they are refused
 *   too (requests sent together reach the service in any order, so the order we sent them in says nothing). From then
 *   on calls are paced to that rate — one every `window / admitted`, and never more than `admitted` in any window,
 *   counting the calls already made — instead of bursting and pausing. After a 117 every caller waits, but at most the
 *   remainder of that window: until the oldest of those calls leaves it (at once, then, the next call fits). The
 *   service's `Retry-After`, when it gives one, is honoured as it is. A 117 with none of ours in the window (someone
 *   else used it up) waits the whole window from the refused call and learns nothing. 117s of calls that started
 *   before the pause ended are one episode: counted, but learning and pausing once. After 20 windows without a 117
 *   the rate grows by one call per window, so a limit that was shared with someone who has stopped is found again.
 *   A call leaves the window by the time of its answer, not of its start: the service counted it somewhere between.
 * - **The concurrency** (`concurrency`, a `ConcurrencyLimit.adaptive`, see concurrencyLimit.ts), which the
 *   pipeline uses unless the run asks for a fixed number; a 117 also halves it, once per episode.
 *
 * The window (`window`, default 60 s, the CLI's `--rate-limit-window`) is widened by a margin of 1 % (at least
 * 25 ms) wherever a call must have left it, because the service counts arrivals and we count starts; a 117 while
 * paced at the learnt rate doubles the margin (up to 10 % of the window). Time comes from
 * the Effect Clock, so tests drive it with TestClock. One limiter per customer is shared by every run of the process:
 * `RateLimiters` (rateLimiters.ts) hands them out by customer id; `liveStates()` lists every limiter alive in the process (for
 * metrics).
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ConcurrencyLimit from "./concurrencyLimit.js"
import { sleepUnlessStopped } from "./stop.js"

export interface RateLimiterOptions {
  /** The service's throttling window (default 60 s, Microsoft's sliding window; `--rate-limit-window`). */
  readonly window?: Duration.DurationInput | undefined
  /** The former name of `window` (the wait after a 117 is now at most the window's remainder); `window` wins. */
  readonly rateLimitWait?: Duration.DurationInput | undefined
  /** The bound of the adaptive concurrency (default 16; `--max-concurrency`). */
  readonly maxConcurrency?: number | undefined
  /** The customer this limiter is for, as a label for states and metrics. */
  readonly customerId?: string | undefined
}

/** A snapshot for progress displays, summaries, metrics and tests. */
export interface RateLimiterState {
  readonly customerId: string | null
  readonly windowMs: number
  /** Calls per window the service admitted, as learned from the last 117 (and grown since); null before any 117. */
  readonly admittedPerWindow: number | null
  /** The same as calls per minute, null when calls are not paced. */
  readonly callsPerMinute: number | null
  /** Until when (ms since the epoch) every caller waits after a 117; in the past when not paused. */
  readonly pausedUntil: number
  /** 117 (or HTTP 429) answers. */
  readonly throttles: number
  /** 117 episodes (each paused callers and taught the rate once). */
  readonly slowdowns: number
  /** Time callers spent waiting, summed over callers: after a 117, and paced. */
  readonly waitedMs: { readonly rateLimited: number; readonly paced: number }
  /** The customer's adaptive concurrency. */
  readonly concurrency: ConcurrencyLimit.ConcurrencySnapshot
}

/** What the limiter is waiting for: the pause after a 117, or the spacing of calls at the admitted rate. */
export type LimiterWait = "rateLimited" | "paced"

/** A call the limiter let start; report how it ended with `succeeded` or `rateLimited`. */
export interface Call {
  /** When it started (ms of the Effect clock). */
  readonly at: number
}

export interface RateLimiter {
  readonly customerId: string | undefined
  readonly windowMs: number
  /** The customer's adaptive concurrency (shared by every run that does not ask for a fixed number). */
  readonly concurrency: ConcurrencyLimit.ConcurrencyLimit
  /**
   * Waits until a call may start (after any pause, at the admitted rate), telling `onWait` about each wait before it
   * starts, and answers the call; undefined when `stop` aborts during a wait (the call must not start).
   */
  readonly begin: (
    stop: AbortSignal | undefined,
    onWait?: ((reason: LimiterWait, millis: number) => Effect.Effect<void>) | undefined
  ) => Effect.Effect<Call | undefined>
  /** `begin` without a stop signal, for callers that report no outcome. */
  readonly acquire: Effect.Effect<void>
  /** Reports a call that succeeded. */
  readonly succeeded: (call: Call) => Effect.Effect<void>
  /**
   * Reports a 117 (or HTTP 429) for `call` (default: a call starting now): learn the admitted rate and pause everyone
   * for the rest of the window, or for `retryAfter` when the service gave it.
   */
  readonly rateLimited: (retryAfter?: Duration.Duration | undefined, call?: Call | undefined) => Effect.Effect<void>
  readonly state: Effect.Effect<RateLimiterState>
  /** The state at `now` (ms), read synchronously (progress bars, metrics). */
  readonly stateAt: (now: number) => RateLimiterState
}

const MINUTE = 60_000
/** The least margin by which calls are kept apart beyond the window (timers and networks jitter by milliseconds). */
const MIN_MARGIN_MS = 25
/** Windows without a 117 after which the admitted rate grows by one call per window. */
const PROBE_AFTER_WINDOWS = 20

const PENDING = 0
const SUCCEEDED = 1
const REFUSED = 2
const CANCELLED = 3

class LoggedCall implements Call {
  /**
   * The latest time the service may have counted the call at: its start while it is in flight, the time of its answer
   * once answered (the service counts a call somewhere between the two; it leaves the window no earlier than this).
   */
  public seen: number
  constructor(
    public at: number,
    public status: number,
    /** Order of start (calls can share a millisecond). */
    public readonly seq: number
  ) {
    this.seen = at
  }
}

/** Every limiter alive in the process, for `liveStates` (weakly: a limiter no run holds any more goes away). */
const live = new Set<WeakRef<RateLimiter>>()
const forget = new FinalizationRegistry<WeakRef<RateLimiter>>((ref) => live.delete(ref))

/** A new limiter. */
export const make = (options: RateLimiterOptions = {}): RateLimiter => {
  const windowMs = Math.max(
    1,
    Duration.toMillis(Duration.decode(options.window ?? options.rateLimitWait ?? Duration.seconds(60)))
  )
  /** How much wider than the window we keep calls apart (see the module comment); grows when pacing was too tight. */
  let margin = Math.max(MIN_MARGIN_MS, Math.round(windowMs / 100))
  const maxMargin = Math.max(margin, Math.round(windowMs / 10))
  const concurrency = ConcurrencyLimit.adaptive({ max: options.maxConcurrency })

  /** Calls of the last window (and reserved slots), in order of `at`, from `head` on. */
  let log: Array<LoggedCall> = []
  let head = 0
  let admitted: number | null = null
  let seq = 0
  /** When the call whose 117 taught `admitted` started, and how many calls had started when it came. */
  let learnedAt = Number.NEGATIVE_INFINITY
  let learnedSeq = 0
  let lastThrottleAt = Number.NEGATIVE_INFINITY
  let pausedUntil = 0
  /** 117s of calls that started before this belong to the current episode. */
  let episodeEnd = Number.NEGATIVE_INFINITY
  let throttles = 0
  let slowdowns = 0
  const waited = { rateLimited: 0, paced: 0 }

  const prune = (now: number) => {
    while (head < log.length && log[head]!.seen <= now - windowMs - margin) head++
    if (head > 1024 && head * 2 > log.length) {
      log = log.slice(head)
      head = 0
    }
  }

  /** The admitted rate at `now`, grown by one per window after `PROBE_AFTER_WINDOWS` quiet ones. */
  const admittedAt = (now: number): number | null => {
    if (admitted === null) return null
    const quiet = Math.floor((now - lastThrottleAt) / windowMs)
    return admitted + Math.max(0, quiet - PROBE_AFTER_WINDOWS + 1)
  }

  const counts = (call: LoggedCall) => call.status === PENDING || call.status === SUCCEEDED

  /** When the last call that counts (started or reserved, not refused or given up) starts. */
  const lastStart = (): number => {
    for (let i = log.length - 1; i >= head; i--) if (counts(log[i]!)) return log[i]!.at
    return Number.NEGATIVE_INFINITY
  }

  /** The earliest time from `now` at which a call fits: spaced from the last one, and below `rate` per window. */
  const earliest = (now: number, rate: number): number => {
    let at = Math.max(now, lastStart() + Math.ceil((windowMs + margin) / rate))
    for (;;) {
      const inWindow: Array<number> = []
      for (let i = head; i < log.length; i++) {
        const call = log[i]!
        if (call.seen > at - windowMs - margin && counts(call)) inWindow.push(call.seen)
      }
      if (inWindow.length < rate) return at
      // The oldest calls must leave the window until one fewer than `rate` are left in it.
      inWindow.sort((a, b) => a - b)
      at = inWindow[inWindow.length - rate]! + windowMs + margin
    }
  }

  const reserve = (at: number): LoggedCall => {
    const call = new LoggedCall(at, PENDING, seq++)
    log.push(call)
    return call
  }

  const begin = (
    stop: AbortSignal | undefined,
    onWait?: ((reason: LimiterWait, millis: number) => Effect.Effect<void>) | undefined
  ): Effect.Effect<Call | undefined> =>
    Effect.gen(function* () {
      for (;;) {
        const now = yield* Clock.currentTimeMillis
        if (now < pausedUntil) {
          const millis = pausedUntil - now
          if (onWait !== undefined) yield* onWait("rateLimited", millis)
          const slept = yield* sleepUnlessStopped(millis, stop)
          waited.rateLimited += (yield* Clock.currentTimeMillis) - now
          if (!slept) return undefined
          continue
        }
        prune(now)
        const rate = admittedAt(now)
        if (rate === null) return reserve(now)
        const slot = earliest(now, rate)
        const call = reserve(slot)
        if (slot <= now) return call
        if (onWait !== undefined) yield* onWait("paced", slot - now)
        const slept = yield* sleepUnlessStopped(slot - now, stop)
        waited.paced += (yield* Clock.currentTimeMillis) - now
        if (!slept) {
          call.status = CANCELLED
          return undefined
        }
        // A 117 during the wait paused everyone past the reserved slot: give it up and wait again.
        if (pausedUntil <= slot) return call
        call.status = CANCELLED
      }
    })

  const succeeded = (call: Call) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.sync(() => {
        const logged = call as LoggedCall
        if (logged.status !== PENDING) return
        logged.status = SUCCEEDED
        if (now > logged.seen) logged.seen = now
      })
    )

  const rateLimited = (retryAfter?: Duration.Duration | undefined, call?: Call | undefined) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.sync(() => {
        throttles++
        const logged = call as LoggedCall | undefined
        const startedAt = logged?.at ?? now
        const wasCounted = logged !== undefined && counts(logged)
        if (logged !== undefined) logged.status = REFUSED
        const asked = retryAfter === undefined ? undefined : now + Duration.toMillis(retryAfter)
        if (startedAt < episodeEnd) {
          // A straggler of the current episode. If it had been counted as admitted, it was not.
          const counted = wasCounted && logged.seq < learnedSeq && startedAt > learnedAt - windowMs
          if (counted && admitted !== null && admitted > 1) admitted--
          if (asked !== undefined && asked > pausedUntil) pausedUntil = asked
          return
        }
        slowdowns++
        const paced = admittedAt(now)
        lastThrottleAt = now
        concurrency.throttled(startedAt, now)
        prune(now)
        // The calls of ours in the window that have started and were not refused (those in flight included).
        let admittedInWindow = 0
        let oldest: number | undefined
        for (let i = head; i < log.length; i++) {
          const entry = log[i]!
          if (entry.at > now || entry.at <= startedAt - windowMs || !counts(entry)) continue
          admittedInWindow++
          if (oldest === undefined || entry.seen < oldest) oldest = entry.seen
        }
        // Refused while paced at the rate learnt (not probing above it): our calls arrive with jitter, or someone else
        // takes a share of the window; either way keep calls further apart from now on.
        if (paced !== null && paced === admitted) margin = Math.min(maxMargin, margin * 2)
        if (admittedInWindow > 0) {
          admitted = admittedInWindow
          learnedAt = startedAt
          learnedSeq = seq
        }
        const remainder = oldest === undefined ? startedAt + windowMs : oldest + windowMs + margin
        pausedUntil = Math.max(pausedUntil, asked ?? remainder)
        episodeEnd = pausedUntil
      })
    )

  const stateAt = (now: number): RateLimiterState => {
    const rate = admittedAt(now)
    return {
      customerId: options.customerId ?? null,
      windowMs,
      admittedPerWindow: rate,
      callsPerMinute: rate === null ? null : (rate * MINUTE) / windowMs,
      pausedUntil,
      throttles,
      slowdowns,
      waitedMs: { ...waited },
      concurrency: concurrency.snapshot()
    }
  }

  const limiter: RateLimiter = {
    customerId: options.customerId,
    windowMs,
    concurrency,
    begin,
    acquire: Effect.asVoid(begin(undefined)),
    succeeded,
    rateLimited,
    state: Effect.map(Clock.currentTimeMillis, stateAt),
    stateAt
  }
  const ref = new WeakRef(limiter)
  live.add(ref)
  forget.register(limiter, ref)
  return limiter
}

/** The state of every limiter alive in the process at `now` (ms since the epoch), for metrics. */
export const liveStates = (now: number = Date.now()): ReadonlyArray<RateLimiterState> => {
  const states: Array<RateLimiterState> = []
  for (const ref of live) {
    const limiter = ref.deref()
    if (limiter === undefined) live.delete(ref)
    else states.push(limiter.stateAt(now))
  }
  return states
}
