/**
 * What a run of the pipeline is given: its options (`PipelineOptions`, each checked against `Limits` before anything
 * is read), its input (`PipelineInput`: a file path, a byte stream or parsed records) and the one error that can end it
 * (`PipelineError`: bad options, or an input that cannot be read).
 */
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import type * as Stream from "effect/Stream"
import type * as ConcurrencyLimit from "./concurrencyLimit.js"
import type { RetryOptions } from "./deliver.js"
import type { Send, Wait } from "./deliveryEvents.js"
import type { GoalCheck } from "./goalCheck.js"
import type { Outcome } from "./outcome.js"
import type { Prepared } from "./Prepared.js"
import type * as RateLimiter from "./rateLimiter.js"
import type { InputFormat } from "./readers/format.js"
import type { SourceRecord } from "./readers/item.js"
import type { DeliveryFailure } from "./sender.js"
import type { Warning } from "./warning.js"

export interface PipelineOptions {
  /** Input format (default `auto`: JSON Lines when the input starts with `{`, else CSV or Bulk CSV). */
  readonly format?: InputFormat | undefined
  /** IANA time zone for times written without `Z` or an offset (default: such times are invalid). */
  readonly timeZone?: string | undefined
  /** Region (ISO 3166 alpha-2) for raw phone numbers without a country code. */
  readonly defaultRegion?: string | undefined
  /** The account's offline conversion goals: names matching none become `invalid` 5606. */
  readonly goals?: GoalCheck | undefined
  /** Items per request, 1–1,000 (default 1,000; `Limits.batchSize`). */
  readonly batchSize?: number | undefined
  /**
   * Requests in flight at once, exactly, 1–64 (`Limits.concurrency`), or a `ConcurrencyLimit` of the caller's (to read
   * its state while the run goes on). Without it, the customer's adaptive limit decides (starting at 4, up to
   * `maxConcurrency`; see concurrencyLimit.ts).
   */
  readonly concurrency?: number | ConcurrencyLimit.ConcurrencyLimit | undefined
  /**
   * The bound of the adaptive concurrency, 1–64 (default 16; `Limits.maxConcurrency`); used when the run makes its
   * limiter (a shared limiter keeps the bound it was made with).
   */
  readonly maxConcurrency?: number | undefined
  /** How failed requests are retried (default: backoff with jitter, per `retry`; after a 117, the rate limiter). */
  readonly retrySchedule?: Schedule.Schedule<unknown, DeliveryFailure> | undefined
  /** Knobs of the default retry schedule when `retrySchedule` is not given (`Limits.maxRetries`, `backoffDelay`). */
  readonly retry?: Omit<RetryOptions, "rateLimitWait"> | undefined
  /**
   * Microsoft's throttling window (default 60 s; 100 ms–10 min; `Limits.rateLimitWindow`): after a 117 delivery
   * waits at most what remains of it (or the service's Retry-After), then paces to what the window admitted. Used
   * when the run makes its limiter.
   */
  readonly rateLimitWindow?: Duration.DurationInput | undefined
  /** The former name of `rateLimitWindow`; `rateLimitWindow` wins when both are given. */
  readonly rateLimitWait?: Duration.DurationInput | undefined
  /**
   * The customer's rate limiter, to share one across runs. Default: when a `RateLimiters` service is provided, the
   * limiter of `customerId` from it, else a new one for this run.
   */
  readonly rateLimiter?: RateLimiter.RateLimiter | undefined
  /** Which customer the run sends for, to take its limiter from `RateLimiters` (default `"default"`). */
  readonly customerId?: string | undefined
  /** Where warnings go (default `Effect.logWarning`). */
  readonly onWarning?: ((warning: Warning) => Effect.Effect<void>) | undefined
  /** Longest input record in bytes (default 1 MiB). */
  readonly maxRecordBytes?: number | undefined
  /**
   * Called with the number of input bytes read so far, after each chunk is read (for progress displays: give the
   * file's path as input and count here, rather than adding a stage to a byte stream).
   */
  readonly onBytesRead?: ((bytesRead: number) => void) | undefined
  /**
   * Stops the run gently when it aborts: no more input is read (checked at each chunk boundary), no new request
   * starts, waits are cut short, requests in flight finish and give their outcomes, and every record already read but
   * not sent comes out `failed` with the kind `NotSent` (message "not sent: " and the signal's reason when it is a
   * string). The stream then ends normally. An `AbortController`'s signal, so that callers outside Effect can use it.
   */
  readonly stop?: AbortSignal | undefined
  /** Told about every wait before a request (117, backoff after a failure, the rate limiter's pacing). */
  readonly onWait?: ((wait: Wait) => Effect.Effect<void>) | undefined
  /** Called just before each request is sent (every attempt), with the input lines of its batch. */
  readonly onSend?: ((send: Send) => void) | undefined
  /**
   * Called with every record read and what validation made of it (the prepared item or its `invalid` outcome), before
   * the goal check and dedupe, at the chunk's "now"; warnings it adds are reported with the chunk's. For reports on
   * the run such as identifier hygiene (`Hygiene`) and goal settings (`GoalReadiness`). It must not keep the record.
   */
  readonly inspect?: Inspect | undefined
}

/** See `PipelineOptions.inspect`. */
export type Inspect = (
  record: SourceRecord,
  result: Prepared | Outcome,
  nowMs: number,
  warnings: Array<Warning>
) => void

/**
 * The run cannot start (bad options) or its input cannot be read. A numeric option out of its range names the
 * option (`option`, e.g. `concurrency`), what it must be (`expected`, from `Limits`) and what it was (`received`).
 */
export class PipelineError extends Data.TaggedError("PipelineError")<{
  readonly reason: "InvalidOptions" | "UnreadableInput"
  readonly message: string
  readonly option?: keyof PipelineOptions | undefined
  readonly expected?: string | undefined
  readonly received?: string | undefined
}> {
  get isRetryable(): boolean {
    return false
  }
}

/**
 * What a run reads: a file path (`-` is standard input), a byte stream, or records already parsed (each with the line
 * or index that identifies it in outcomes).
 */
export type PipelineInput<E = never, R = never> =
  | string
  | Stream.Stream<Uint8Array, E, R>
  | { readonly records: Stream.Stream<SourceRecord, E, R> }
