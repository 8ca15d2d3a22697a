/**
 * `Sender`: the one thing delivery needs from the outside world — send a batch of conversions (or adjustments) and
 * get back the partial errors, or a failure that says whether sending it again can help (`retry`, a row of the retry
 * table: retry/RetryTable.ts). The pipeline is written against this small interface so it can be tested with a fake;
 * the application provides a `Sender` layer built on the `CampaignManagement` service (`CampaignManagementSender`). A
 * `Sender` should not retry by itself: the pipeline's retry schedule and rate limiter do that. Each call gets an array
 * of its own, made for it: the `Sender` may keep it.
 */
import type * as Schemas from "@uplink/campaign-management/schemas"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { Retry } from "../retry/RetryTable.js"

/** A BatchError as the pipeline reads it (`Schemas.BatchError` and `EditorialError` fit). */
export interface BatchErrorLike {
  readonly Index?: number | undefined
  readonly Code?: number | undefined
  readonly ErrorCode?: string | null | undefined
  readonly Message?: string | null | undefined
  readonly FieldPath?: string | null | undefined
}

/** Why a whole request failed. */
export interface DeliveryFailure {
  /**
   * What sending the same batch again can do: `now` (transient: transport error, timeout, 5xx, fault codes 0, 833,
   * 1010, 5612, a cut body: another attempt after a backoff), `afterWait` (117 CallRateExceeded or HTTP 429: another
   * attempt after the rate limiter's wait), `later` (refused credentials: not in this run, but the records may pass
   * once they are fixed) or `never`.
   */
  readonly retry: Retry
  /** What went wrong, for a person; never contains secrets or raw identifiers. */
  readonly message: string
  readonly trackingId?: string | null | undefined
  readonly code?: number | null | undefined
  readonly errorCode?: string | null | undefined
  /**
   * The class of the failure, a stable key for summaries when there is no service code (e.g. `Timeout`,
   * `ConnectionFailed`, `Http503`, `Authentication`; `toDeliveryError` names them). Outcomes and the summary fall back
   * to `DeliveryFailed` when a `Sender` gives none.
   */
  readonly kind?: string | null | undefined
  /** How long the service asked to wait, when it said. */
  readonly retryAfter?: Duration.Duration | undefined
}

/** A ready-made `DeliveryFailure` (fakes, adapters). */
export class DeliveryError
  extends Data.TaggedError("DeliveryError")<{
    readonly retry: Retry
    readonly message: string
    readonly trackingId?: string | null | undefined
    readonly code?: number | null | undefined
    readonly errorCode?: string | null | undefined
    readonly kind?: string | null | undefined
    readonly retryAfter?: Duration.Duration | undefined
  }>
  implements DeliveryFailure {}

export interface SenderShape {
  /** ApplyOfflineConversions with at most 1,000 items; the partial errors of a successful call. */
  readonly applyConversions: (
    batch: ReadonlyArray<Schemas.OfflineConversion>
  ) => Effect.Effect<ReadonlyArray<BatchErrorLike | null>, DeliveryFailure>
  /** ApplyOfflineConversionAdjustments with at most 1,000 items; the partial errors of a successful call. */
  readonly applyAdjustments: (
    batch: ReadonlyArray<Schemas.OfflineConversionAdjustment>
  ) => Effect.Effect<ReadonlyArray<BatchErrorLike | null>, DeliveryFailure>
}

/** The service that delivers batches (provided by the application; a fake in tests). */
export class Sender extends Context.Tag("@uplink/core/pipeline/Sender")<Sender, SenderShape>() {}
