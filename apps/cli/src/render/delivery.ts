/**
 * The delivery limiter made visible (DESIGN.md §5 "waits are shown"): the progress bar's status — the requests in
 * flight the run may have now ("concurrency 6") and, while Microsoft's rate limit pauses the run, a countdown
 * ("throttled, resuming in 12 s") — and the `delivery` object of the `--json` summary (concurrency, 117s, what the
 * throttling window admitted, the time spent waiting in seconds, the round-trip floor and median). Both read the
 * run's `RateLimiter` state; `fixed` is the `--concurrency` of the run, when it gave one.
 */
import type { RateLimiter } from "@uplink/core"

/** Whole seconds left until `until`, at least 1 while any time is left. */
const secondsLeft = (until: number, now: number): number => Math.max(1, Math.ceil((until - now) / 1000))

/** The progress bar's status at `now`: the concurrency, and the countdown of a pause after a 117. */
export const deliveryStatus = (
  state: RateLimiter.RateLimiterState,
  now: number,
  fixed?: number | undefined
): string => {
  const concurrency = `concurrency ${fixed ?? state.concurrency.limit}`
  return state.pausedUntil > now
    ? `${concurrency} | throttled, resuming in ${secondsLeft(state.pausedUntil, now)} s`
    : concurrency
}

const round3 = (seconds: number) => Math.round(seconds * 1000) / 1000

/** The `delivery` object of the `--json` summary. */
export const deliverySummary = (state: RateLimiter.RateLimiterState, fixed?: number | undefined) => ({
  concurrency:
    fixed === undefined
      ? {
          mode: "adaptive" as const,
          limit: state.concurrency.limit,
          max: state.concurrency.max,
          peak: state.concurrency.peak,
          backoffs: state.concurrency.backoffs
        }
      : { mode: "fixed" as const, limit: fixed, max: fixed, peak: fixed, backoffs: 0 },
  throttles: state.throttles,
  throttleEpisodes: state.slowdowns,
  admittedPerWindow: state.admittedPerWindow,
  windowSeconds: round3(state.windowMs / 1000),
  waitSeconds: {
    rateLimited: round3(state.waitedMs.rateLimited / 1000),
    paced: round3(state.waitedMs.paced / 1000)
  },
  latencyMs:
    fixed === undefined
      ? { floor: state.concurrency.floorMs, median: state.concurrency.latencyMs }
      : { floor: null, median: null }
})
