/**
 * `RetryPolicy`: when a failed call is sent again, as a `Schedule` value users can replace. The default sends again
 * what the retry table (RetryTable.ts) calls `now` — with capped exponential backoff and jitter — and `afterWait` —
 * 117 CallRateExceeded or HTTP 429, after the documented wait (60 s, or the `Retry-After` the service gave); never
 * `later` or `never`. It is a `Context.Reference`, so it needs no layer; provide `RetryPolicy.layer(schedule)` to
 * `CampaignManagement.layer` to change it.
 *
 * The backoff curve is one function, `backoffMillis`: the schedules step it, and the server's outbox spaces the
 * attempts of a record it keeps for later with it.
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import type { CampaignManagementError } from "../errors/CampaignManagementError.js"
import { retriesInRun } from "./RetryTable.js"

/** A retry schedule over call failures. */
export type RetrySchedule = Schedule.Schedule<unknown, CampaignManagementError>

/** Knobs of the default policy. */
export interface RetryPolicyOptions {
  /** First backoff delay for transient failures (default 1 s), multiplied by `factor` (default 2) each time. */
  readonly base?: Duration.DurationInput | undefined
  readonly factor?: number | undefined
  /** Longest backoff delay (default 30 s). */
  readonly cap?: Duration.DurationInput | undefined
  /** How many times a call is sent again at most (default 5). */
  readonly maxRetries?: number | undefined
  /** The wait after 117 CallRateExceeded when the service names none (default 60 s, the documented guidance). */
  readonly rateLimitWait?: Duration.DurationInput | undefined
}

/** How a retry schedule judges one failure: send again or not, and a wait that replaces the backoff (117). */
export interface RetryVerdict {
  readonly retry: boolean
  readonly wait: Duration.Duration | undefined
}

/** The knobs of the backoff curve, in milliseconds. */
export interface Backoff {
  readonly baseMs: number
  readonly factor: number
  readonly capMs: number
}

/** The backoff of the default policy: 1 s, doubled each time, at most 30 s. */
export const defaultBackoff: Backoff = { baseMs: 1_000, factor: 2, capMs: 30_000 }

/**
 * The wait before attempt `attempt + 1` after `attempt` failed ones (1 is the first retry): `base·factor^(attempt−1)`,
 * jittered by ±20 % with `jitter` (a random number in [0, 1): 0 is −20 %, 1 is +20 %), then capped. The same curve as
 * Effect's `Schedule.exponential(base, factor)` with `Schedule.jittered`, capped afterwards.
 */
export const backoffMillis = (attempt: number, backoff: Backoff, jitter: number): number => {
  const exponential = backoff.baseMs * backoff.factor ** Math.max(0, Math.min(attempt - 1, 64))
  return Math.min(backoff.capMs, exponential * (0.8 + 0.4 * jitter))
}

/** The backoff knobs of `options` in milliseconds (defaults: `defaultBackoff`). */
export const backoffOf = (options: RetryPolicyOptions): Backoff => ({
  baseMs: options.base === undefined ? defaultBackoff.baseMs : Duration.toMillis(Duration.decode(options.base)),
  factor: options.factor ?? defaultBackoff.factor,
  capMs: options.cap === undefined ? defaultBackoff.capMs : Duration.toMillis(Duration.decode(options.cap))
})

/**
 * The schedule shape shared by the client's policy and the pipeline's delivery (`Deliver.retrySchedule`): the
 * `backoffMillis` curve, at most `maxRetries` times, only while `judge` says retry, with its wait (the 117 guidance)
 * in place of the backoff when it gives one.
 */
export const backoffSchedule = <E>(
  options: RetryPolicyOptions,
  judge: (error: E, rateLimitWait: Duration.Duration) => RetryVerdict
): Schedule.Schedule<unknown, E> => {
  const rateLimitWait = Duration.decode(options.rateLimitWait ?? Duration.seconds(60))
  const curve = backoffOf(options)
  const backoff = Schedule.forever.pipe(
    Schedule.addDelayEffect((recurrence) =>
      Effect.map(Random.next, (jitter) => Duration.millis(backoffMillis(recurrence + 1, curve, jitter)))
    )
  )
  return Schedule.identity<E>().pipe(
    Schedule.intersect(backoff),
    Schedule.intersect(Schedule.recurs(options.maxRetries ?? 5)),
    Schedule.whileInput((error: E) => judge(error, rateLimitWait).retry),
    Schedule.modifyDelay(([[error]], delay) => judge(error, rateLimitWait).wait ?? delay)
  )
}

/** The default policy with `options`: `now` and `afterWait` only; a rate limit waits its Retry-After or `rateLimitWait`. */
export const make = (options: RetryPolicyOptions = {}): RetrySchedule =>
  backoffSchedule<CampaignManagementError>(options, (error, rateLimitWait) => ({
    retry: retriesInRun(error.retry),
    wait: error.retry === "afterWait" ? (error.retryAfter ?? rateLimitWait) : undefined
  }))

/** Never retry. */
export const never: RetrySchedule = Schedule.stop

/** The policy `CampaignManagement.call` applies. */
export class RetryPolicy extends Context.Reference<RetryPolicy>()("@uplink/core/RetryPolicy", {
  defaultValue: (): RetrySchedule => make()
}) {
  /** The default policy with other knobs: `RetryPolicy.make({ rateLimitWait: "90 seconds" })`. */
  static readonly make = make

  /** A policy that never retries. */
  static readonly never = never

  /** The backoff curve of the schedules, for one attempt (the server's outbox spaces its attempts with it). */
  static readonly backoffMillis = backoffMillis

  /** Replaces the policy. */
  static layer(schedule: RetrySchedule): Layer.Layer<RetryPolicy> {
    return Layer.succeed(RetryPolicy, schedule)
  }
}
