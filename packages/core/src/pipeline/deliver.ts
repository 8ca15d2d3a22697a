/**
 * Delivery of one batch: take a permit of the concurrency limit (`ConcurrencyLimit`: fixed, or the customer's
 * adaptive one), wait for the customer's rate limiter (the pause after a 117, pacing at the admitted rate), send
 * through `Sender`, report how the call went (the round-trip time of a full batch to the concurrency limit, a 117 or
 * HTTP 429 to the rate limiter), and retry the whole request on retryable failures and on 117 as the retry `Schedule`
 * allows (re-sending is safe: the service ignores exact duplicates). After a 117 the wait is the rate limiter's (the
 * rest of the throttling window, or Retry-After), not the schedule's delay. Then the answer is mapped back to the
 * records — each `BatchError.Index` to its record (`Rejected`, all errors of the item kept), every other record
 * `Accepted`; when the request never succeeded, every record of the batch `Failed` with the cause (its `kind` says
 * which class of failure it was). Every wait is announced (`onWait`) and every request too (`onSend`). The permit is
 * held for one attempt (not during a backoff) and always given back. Once the run's `stop` signal has aborted, no new
 * attempt starts and waits are cut short: a batch never sent comes out `Failed` with the kind `NotSent`; a batch whose
 * last attempt failed keeps that failure. Delivery never fails: a lost batch is data (outcomes), not an error of the
 * stream.
 */
import type * as Schemas from "@uplink/campaign-management/schemas"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleIntervals from "effect/ScheduleIntervals"
import { backoffSchedule, type RetryPolicyOptions } from "../retry/RetryPolicy.js"
import { type ConcurrencyLimit, withPermit } from "./concurrencyLimit.js"
import type { Send, Wait, WaitCause } from "./deliveryEvents.js"
import { Accepted, Failed, type FailureCause, type ItemError, type Outcome, Rejected } from "./outcome.js"
import type { LimiterWait, RateLimiter } from "./rateLimiter.js"
import { type BatchErrorLike, type DeliveryFailure, Sender } from "./sender.js"
import { isStopped, reasonOf, sleepUnlessStopped } from "./stop.js"
import type { Prepared } from "./validate.js"
import { Warning } from "./warning.js"

/** Knobs of the default retry schedule (the client's `RetryPolicyOptions`). */
export type RetryOptions = RetryPolicyOptions

/**
 * The default retry schedule: transient failures after a jittered exponential backoff capped at `cap`; a 117 again
 * (delivery waits as the rate limiter says, not as the schedule); at most `maxRetries` times; never a permanent
 * failure. The same shape as the client's `RetryPolicy`, over the pipeline's `DeliveryFailure`.
 */
export const retrySchedule = (options: RetryOptions = {}): Schedule.Schedule<unknown, DeliveryFailure> =>
  backoffSchedule<DeliveryFailure>(options, (failure, rateLimitWait) => ({
    retry: failure.isRetryable || failure.isRateLimit,
    wait: failure.isRateLimit ? (failure.retryAfter ?? rateLimitWait) : undefined
  }))

/** The kind of the outcomes of records that were read but never sent because the run was stopped. */
export const NOT_SENT = "NotSent"

export interface DeliveryContext {
  readonly retrySchedule: Schedule.Schedule<unknown, DeliveryFailure>
  /** Attempts in all that `retrySchedule` allows, when known (the default schedule), for `Wait.maxAttempts`. */
  readonly maxAttempts: number | null
  readonly rateLimiter: RateLimiter
  /** The run's concurrency: fixed (`concurrency`), or the rate limiter's adaptive one. */
  readonly concurrency: ConcurrencyLimit
  /** The size of a full batch: only full batches give latency samples to the concurrency limit. */
  readonly batchSize: number
  readonly onWarning: (warning: Warning) => Effect.Effect<void>
  readonly onWait: ((wait: Wait) => Effect.Effect<void>) | undefined
  readonly onSend: ((send: Send) => void) | undefined
  readonly stop: AbortSignal | undefined
}

const send = (batch: ReadonlyArray<Prepared>) =>
  Effect.flatMap(Sender, (sender) => {
    const conversions: Array<Schemas.OfflineConversion> = []
    const adjustments: Array<Schemas.OfflineConversionAdjustment> = []
    // A batch is all conversions or all adjustments: the array is made at its final size instead of grown.
    if (batch[0]?._tag === "Conversion") conversions.length = batch.length
    for (let i = 0; i < batch.length; i++) {
      const record = batch[i]!
      if (record._tag === "Conversion") conversions[i] = record.item
      else adjustments.push(record.item)
    }
    if (conversions.length > 0 && adjustments.length > 0) {
      return Effect.dieMessage("a batch mixes conversions and adjustments")
    }
    const request = conversions.length > 0 ? sender.applyConversions(conversions) : sender.applyAdjustments(adjustments)
    // The items are lent to the Sender for this attempt and emptied when it ends (see `emptied` in offlineConversions.ts).
    return Effect.ensuring(
      request,
      Effect.sync(() => {
        conversions.length = 0
        adjustments.length = 0
      })
    )
  })

const itemError = (error: BatchErrorLike): ItemError => ({
  code: error.Code ?? null,
  errorCode: error.ErrorCode ?? null,
  message: error.Message ?? null,
  fieldPath: error.FieldPath ?? null
})

const lineRange = (batch: ReadonlyArray<Prepared>): string =>
  batch.length === 0 ? "" : `${batch[0].line}–${batch[batch.length - 1].line}`

const causeOf = (failure: DeliveryFailure, attempts: number, note?: string): FailureCause => ({
  message: note === undefined ? failure.message : `${failure.message}; ${note}`,
  trackingId: failure.trackingId ?? null,
  code: failure.code ?? null,
  errorCode: failure.errorCode ?? null,
  kind: failure.kind ?? null,
  attempts
})

const waitCauseOf = (failure: DeliveryFailure): WaitCause => ({
  code: failure.code ?? null,
  errorCode: failure.errorCode ?? null,
  kind: failure.kind ?? null,
  message: failure.message
})

const failedAll = (batch: ReadonlyArray<Prepared>, cause: FailureCause): Array<Outcome> =>
  batch.map((record) => Failed({ line: record.line, id: record.id, identity: record.identity, cause }))

/**
 * The outcomes of a batch the stopped run will not send (again): `NotSent` when it was never sent, else the failure
 * of its last attempt, noting that it was not retried.
 */
const stoppedOutcomes = (
  batch: ReadonlyArray<Prepared>,
  context: DeliveryContext,
  attempts: number,
  failure: DeliveryFailure | undefined
): Array<Outcome> => {
  const reason = reasonOf(context.stop)
  return failedAll(
    batch,
    failure === undefined
      ? {
          message: `not sent: ${reason}`,
          trackingId: null,
          code: null,
          errorCode: null,
          kind: NOT_SENT,
          attempts: 0
        }
      : causeOf(failure, attempts, `not retried: ${reason}`)
  )
}

/** How one attempt ended: answered, failed, or not sent because the run stopped. */
type Attempt =
  | { readonly _tag: "Answered"; readonly errors: ReadonlyArray<BatchErrorLike | null> }
  | { readonly _tag: "Failed"; readonly failure: DeliveryFailure }
  | { readonly _tag: "Stopped" }

const stopped: Attempt = { _tag: "Stopped" }

/**
 * Sends `batch` (with retries) and returns one outcome per record, in batch order (in a new array). `waitAside` runs
 * each backoff before a retry (the delivery pool's, so that the batch does not count as one in delivery meanwhile).
 */
export const deliverBatch: (
  batch: ReadonlyArray<Prepared>,
  context: DeliveryContext,
  waitAside?: <X, E, R>(wait: Effect.Effect<X, E, R>) => Effect.Effect<X, E, R>
) => Effect.Effect<Array<Outcome>, never, Sender> = Effect.fn("OfflineConversions.deliverBatch")(function* (
  batch: ReadonlyArray<Prepared>,
  context: DeliveryContext,
  waitAside?: <X, E, R>(wait: Effect.Effect<X, E, R>) => Effect.Effect<X, E, R>
) {
  const limiter = context.rateLimiter
  const firstLine = batch.length === 0 ? 0 : batch[0].line
  const lastLine = batch.length === 0 ? 0 : batch[batch.length - 1].line
  const full = batch.length >= context.batchSize
  let attempts = 0
  let failure: DeliveryFailure | undefined
  /** This batch's 117, until the pause it caused has been announced. */
  let ownRateLimit: DeliveryFailure | undefined
  let scheduleState: unknown = context.retrySchedule.initial
  const announce = (reason: Wait["reason"], millis: number, cause: DeliveryFailure | undefined) =>
    context.onWait === undefined
      ? Effect.void
      : context.onWait({
          reason,
          millis,
          attempt: attempts + 1,
          maxAttempts: context.maxAttempts,
          cause: cause === undefined ? null : waitCauseOf(cause),
          firstLine,
          lastLine
        })
  // The pause after this batch's own 117 is announced with that 117 as its cause.
  const onLimiterWait =
    context.onWait === undefined
      ? undefined
      : (reason: LimiterWait, millis: number) => {
          const cause = reason === "rateLimited" ? ownRateLimit : undefined
          if (cause !== undefined) ownRateLimit = undefined
          return announce(reason, millis, cause)
        }

  /** One attempt, holding a permit: wait for the rate limiter, send, report how it went. */
  const attempt = (inFlight: number): Effect.Effect<Attempt, never, Sender> =>
    Effect.gen(function* () {
      const call = yield* limiter.begin(context.stop, onLimiterWait)
      if (call === undefined) return stopped
      attempts++
      context.onSend?.({ firstLine, lastLine, records: batch.length, attempt: attempts })
      const startedAt = yield* Clock.currentTimeMillis
      const result = yield* Effect.either(send(batch))
      const endedAt = yield* Clock.currentTimeMillis
      if (result._tag === "Right") {
        yield* limiter.succeeded(call)
        if (full) context.concurrency.succeeded({ startedAt, endedAt, inFlight })
        return { _tag: "Answered", errors: result.right }
      }
      if (result.left.isRateLimit) {
        yield* limiter.rateLimited(result.left.retryAfter, call)
        // The customer's adaptive limit learnt it from the rate limiter; a fixed one ignores it.
        if (context.concurrency !== limiter.concurrency) context.concurrency.throttled(startedAt, endedAt)
      }
      return { _tag: "Failed", failure: result.left }
    })

  let answer: ReadonlyArray<BatchErrorLike | null> | undefined
  while (answer === undefined) {
    if (isStopped(context.stop)) return stoppedOutcomes(batch, context, attempts, failure)
    const result = yield* withPermit(context.concurrency, context.stop, attempt, Effect.succeed(stopped), attempts > 0)
    if (result._tag === "Stopped") continue
    if (result._tag === "Answered") {
      answer = result.errors
      break
    }
    failure = result.failure
    if (!failure.isRetryable && !failure.isRateLimit) return failedAll(batch, causeOf(failure, attempts))
    const now = yield* Clock.currentTimeMillis
    const [state, , decision] = yield* context.retrySchedule.step(now, failure, scheduleState)
    scheduleState = state
    if (ScheduleDecision.isDone(decision)) return failedAll(batch, causeOf(failure, attempts))
    // After a 117 the rate limiter decides the wait (announced when the next attempt waits for it).
    if (failure.isRateLimit) {
      ownRateLimit = failure
      continue
    }
    const millis = ScheduleIntervals.start(decision.intervals) - now
    if (millis > 0) {
      yield* announce("backoff", millis, failure)
      const backoff = sleepUnlessStopped(millis, context.stop)
      yield* waitAside === undefined ? backoff : waitAside(backoff)
    }
  }

  const errorsByIndex = new Map<number, Array<ItemError>>()
  for (const error of answer) {
    if (error === null) continue
    const index = error.Index
    if (index === undefined || !Number.isInteger(index) || index < 0 || index >= batch.length) {
      yield* context.onWarning(
        Warning.UnmappedBatchError({
          index: index ?? null,
          code: error.Code ?? null,
          errorCode: error.ErrorCode ?? null,
          message: error.Message ?? null,
          batchLines: lineRange(batch)
        })
      )
      continue
    }
    const list = errorsByIndex.get(index)
    if (list === undefined) errorsByIndex.set(index, [itemError(error)])
    else list.push(itemError(error))
  }
  return batch.map((record, index) => {
    const errors = errorsByIndex.get(index)
    return errors === undefined
      ? Accepted({ line: record.line, id: record.id, identity: record.identity })
      : Rejected({
          line: record.line,
          id: record.id,
          identity: record.identity,
          errors: errors as [ItemError, ...Array<ItemError>]
        })
  })
})
