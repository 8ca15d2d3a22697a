/**
 * Delivery of one batch: wait for the rate limiter, send through `Sender`, retry the whole request on retryable
 * failures and on 117 with the retry `Schedule` (re-sending is safe: the service ignores exact duplicates), then map
 * the answer back to the records — each `BatchError.Index` to its record (`Rejected`, all errors of the item kept),
 * every other record `Accepted`; when the request never succeeded, every record of the batch `Failed` with the cause.
 * Delivery never fails: a lost batch is data (outcomes), not an error of the stream.
 */
import type * as Schemas from "@uplink/campaign-management/schemas"
import { Effect, type Schedule } from "effect"
import { Accepted, Failed, type FailureCause, type ItemError, type Outcome, Rejected } from "./outcome.js"
import { backoffSchedule, type RetryPolicyOptions } from "../retry/RetryPolicy.js"
import type { RateLimiter } from "./rateLimiter.js"
import { type BatchErrorLike, type DeliveryFailure, Sender } from "./sender.js"
import type { Prepared } from "./validate.js"
import { Warning } from "./warning.js"

/** Knobs of the default retry schedule (the client's `RetryPolicyOptions`). */
export type RetryOptions = RetryPolicyOptions

/**
 * The default retry schedule: transient failures after a jittered exponential backoff capped at `cap`; a 117 after
 * `rateLimitWait` (or the service's Retry-After); at most `maxRetries` times; never a permanent failure. The same
 * shape as the client's `RetryPolicy`, over the pipeline's `DeliveryFailure`.
 */
export const retrySchedule = (options: RetryOptions = {}): Schedule.Schedule<unknown, DeliveryFailure> =>
  backoffSchedule<DeliveryFailure>(options, (failure, rateLimitWait) => ({
    retry: failure.isRetryable || failure.isRateLimit,
    wait: failure.isRateLimit ? (failure.retryAfter ?? rateLimitWait) : undefined
  }))

export interface DeliveryContext {
  readonly retrySchedule: Schedule.Schedule<unknown, DeliveryFailure>
  readonly rateLimiter: RateLimiter
  readonly onWarning: (warning: Warning) => Effect.Effect<void>
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

/** Sends `batch` (with retries) and returns one outcome per record, in batch order (in a new array). */
export const deliverBatch: (
  batch: ReadonlyArray<Prepared>,
  context: DeliveryContext
) => Effect.Effect<Array<Outcome>, never, Sender> = Effect.fn("OfflineConversions.deliverBatch")(function* (
  batch: ReadonlyArray<Prepared>,
  context: DeliveryContext
) {
  const limiter = context.rateLimiter
  let attempts = 0
  const attempt = Effect.suspend(() => {
    attempts++
    return limiter.acquire.pipe(
      Effect.zipRight(send(batch)),
      Effect.tap(() => limiter.succeeded),
      Effect.tapError((failure) => (failure.isRateLimit ? limiter.rateLimited(failure.retryAfter) : Effect.void))
    )
  })
  const result = yield* attempt.pipe(
    Effect.retry({
      schedule: context.retrySchedule,
      while: (failure: DeliveryFailure) => failure.isRetryable || failure.isRateLimit
    }),
    Effect.either
  )
  if (result._tag === "Left") {
    const failure = result.left
    const cause: FailureCause = {
      message: failure.message,
      trackingId: failure.trackingId ?? null,
      code: failure.code ?? null,
      errorCode: failure.errorCode ?? null,
      attempts
    }
    return batch.map((record) => Failed({ line: record.line, id: record.id, identity: record.identity, cause }))
  }

  const errorsByIndex = new Map<number, Array<ItemError>>()
  for (const error of result.right) {
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
