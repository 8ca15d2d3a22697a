/**
 * The delivery limiter made visible ("waits are shown"): the progress bar's status — the requests in
 * flight the run may have now ("concurrency 6") and, while Microsoft's rate limit pauses the run, a countdown
 * ("throttled, resuming in 12 s") — and the `delivery` object of the `--json` summary (concurrency, 117s, what the
 * throttling window admitted, the time spent waiting in seconds, the round-trip floor and median). Both read the
 * run's `RateLimiter` state and its concurrency limit's (the adaptive one, or the fixed one of `--concurrency`).
 */
import type { ConcurrencySnapshot, RateLimiter } from "@uplink/core"

/** Whole seconds left until `until`, at least 1 while any time is left. */
const secondsLeft = (until: number, now: number): number => Math.max(1, Math.ceil((until - now) / 1000))

/** The progress bar's status at `now`: the concurrency, and the countdown of a pause after a 117. */
export const deliveryStatus = (
  state: RateLimiter.RateLimiterState,
  concurrency: ConcurrencySnapshot,
  now: number
): string => {
  const limit = `concurrency ${concurrency.limit}`
  return state.pausedUntil > now ? `${limit} | throttled, resuming in ${secondsLeft(state.pausedUntil, now)} s` : limit
}

const round3 = (seconds: number) => Math.round(seconds * 1000) / 1000

/** The `delivery` object of the `--json` summary. */
export const deliverySummary = (state: RateLimiter.RateLimiterState, concurrency: ConcurrencySnapshot) => ({
  concurrency: {
    mode: concurrency.mode,
    limit: concurrency.limit,
    max: concurrency.max,
    peak: concurrency.peak,
    backoffs: concurrency.backoffs
  },
  throttles: state.throttles,
  throttleEpisodes: state.slowdowns,
  admittedPerWindow: state.admittedPerWindow,
  windowSeconds: round3(state.windowMs / 1000),
  waitSeconds: {
    rateLimited: round3(state.waitedMs.rateLimited / 1000),
    paced: round3(state.waitedMs.paced / 1000)
  },
  latencyMs: { floor: concurrency.floorMs, median: concurrency.latencyMs }
})
