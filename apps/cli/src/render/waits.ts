/**
 * Waits made visible ("waits are shown"): the line printed on stderr for each wait of delivery — a 117
 * ("rate limited by Microsoft (117), waiting 60 s"), a backoff after a failure ("request for lines 2–1001 failed
 * (HTTP 503), retrying in 2 s (attempt 2 of 6)"), a long pacing wait — the short text the progress bar shows, and the
 * tally the `--json` summary carries. Concurrent requests that hit the same 117 give one line, not one each.
 */
import type { Wait, WaitCause } from "@uplink/core"

/** A duration for people: "850 ms", "2 s", "60 s". */
export const seconds = (millis: number): string =>
  millis < 1000 ? `${Math.max(0, Math.round(millis))} ms` : `${Math.round(millis / 1000)} s`

const kindLabels: Readonly<Record<string, string>> = {
  Timeout: "timeout",
  ConnectionFailed: "connection failed",
  ResponseCut: "response cut off",
  UnexpectedResponse: "unexpected response",
  RateLimit: "rate limited"
}

/** A failure as a few words: its code ("117", "0"), its HTTP status ("HTTP 503"), or its kind ("timeout"). */
export const causeLabel = (cause: WaitCause): string => {
  if (cause.code !== null) return String(cause.code)
  const http = cause.kind === null ? null : /^Http(\d{3})$/.exec(cause.kind)
  if (http !== null) return `HTTP ${http[1]}`
  if (cause.kind !== null) return kindLabels[cause.kind] ?? cause.kind
  return cause.errorCode ?? "failure"
}

/** Pacing waits shorter than this are not worth a line. */
const PACED_LINE_MILLIS = 5000

/** Turns waits into lines to print, at most one per rate-limit pause; counts them for `--json`. */
export const makeWaitReporter = (now: () => number = Date.now) => {
  let rateLimitedUntil = 0
  const tally = {
    rateLimited: { count: 0, seconds: 0 },
    backoff: { count: 0, seconds: 0 },
    paced: { count: 0, seconds: 0 }
  }
  return {
    tally,
    /** The line for `wait`, or undefined when it repeats one already shown (or is a short pacing wait). */
    line: (wait: Wait): string | undefined => {
      const entry = tally[wait.reason]
      entry.count++
      entry.seconds = Math.round((entry.seconds + wait.millis / 1000) * 1000) / 1000
      const attempt = wait.maxAttempts === null ? "" : ` (attempt ${wait.attempt} of ${wait.maxAttempts})`
      switch (wait.reason) {
        case "rateLimited": {
          const until = now() + wait.millis
          if (until <= rateLimitedUntil + 1000) return undefined
          rateLimitedUntil = until
          return `rate limited by Microsoft (${wait.cause === null ? "117" : causeLabel(wait.cause)}), waiting ${seconds(wait.millis)}`
        }
        case "backoff":
          return (
            `request for lines ${wait.firstLine}–${wait.lastLine} failed ` +
            `(${wait.cause === null ? "failure" : causeLabel(wait.cause)}), retrying in ${seconds(wait.millis)}${attempt}`
          )
        case "paced":
          return wait.millis < PACED_LINE_MILLIS
            ? undefined
            : `slowed down after Microsoft's rate limit: next request in ${seconds(wait.millis)}`
      }
    }
  }
}

/** The progress bar's note for a wait. */
export const progressNote = (wait: Wait): string =>
  wait.reason === "rateLimited"
    ? `rate limited (117), waiting ${seconds(wait.millis)}`
    : wait.reason === "backoff"
      ? `retrying in ${seconds(wait.millis)}`
      : `paced, next request in ${seconds(wait.millis)}`
