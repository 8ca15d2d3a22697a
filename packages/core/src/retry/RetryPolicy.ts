/**
 * `RetryPolicy`: when a failed call is sent again, as a `Schedule` value users can replace. The default retries only
 * retryable reasons: transient ones with capped exponential backoff and jitter, and 117 CallRateExceeded after the
 * documented wait (60 s, or the `Retry-After` the service gave). Permanent reasons are never retried. It is a
 * `Context.Reference`, so it needs no layer; provide `RetryPolicy.layer(schedule)` to `CampaignManagement.layer` to
 * change it.
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import type { CampaignManagementError } from "../errors/CampaignManagementError.js"

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

/**
 * The schedule shape shared by the client's policy and the pipeline's delivery (`Deliver.retrySchedule`): capped,
 * jittered exponential backoff, at most `maxRetries` times, only while `judge` says retry, with its wait (the 117
 * guidance) in place of the backoff when it gives one.
 */
export const backoffSchedule = <E>(
  options: RetryPolicyOptions,
  judge: (error: E, rateLimitWait: Duration.Duration) => RetryVerdict
): Schedule.Schedule<unknown, E> => {
  const cap = Duration.decode(options.cap ?? Duration.seconds(30))
  const rateLimitWait = Duration.decode(options.rateLimitWait ?? Duration.seconds(60))
  const backoff = Schedule.exponential(options.base ?? Duration.seconds(1), options.factor ?? 2).pipe(
    Schedule.jittered,
    Schedule.modifyDelay((_, delay) => Duration.min(delay, cap))
  )
  return Schedule.identity<E>().pipe(
    Schedule.intersect(backoff),
    Schedule.intersect(Schedule.recurs(options.maxRetries ?? 5)),
    Schedule.whileInput((error: E) => judge(error, rateLimitWait).retry),
    Schedule.modifyDelay(([[error]], delay) => judge(error, rateLimitWait).wait ?? delay)
  )
}

/** The default policy with `options`: retryable reasons only; 117 waits `rateLimitWait` or the service's Retry-After. */
export const make = (options: RetryPolicyOptions = {}): RetrySchedule =>
  backoffSchedule<CampaignManagementError>(options, (error, rateLimitWait) => ({
    retry: error.isRetryable,
    wait: error.reason._tag === "RateLimitError" ? (error.reason.retryAfter ?? rateLimitWait) : undefined
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

  /** Replaces the policy. */
  static layer(schedule: RetrySchedule): Layer.Layer<RetryPolicy> {
    return Layer.succeed(RetryPolicy, schedule)
  }
}
