/**
 * The pipeline's `Sender` backed by the `CampaignManagement` client: one ApplyOfflineConversions or
 * ApplyOfflineConversionAdjustments call per batch, partial errors as data, and every `CampaignManagementError`
 * turned into a `DeliveryFailure` that says whether it is worth retrying and whether it was the rate limit. It sends
 * each batch once (`callOnce`, which still refreshes the token on 109): the pipeline's retry schedule and rate limiter
 * decide what happens next, so retries are not stacked.
 */
import { Effect, Layer } from "effect"
import { CampaignManagement } from "./CampaignManagement.js"
import type { CampaignManagementError } from "./errors/CampaignManagementError.js"
import { DeliveryError, Sender, type SenderShape } from "./pipeline/sender.js"

/** The first service code of an error, when it has one. */
const codeOf = (error: CampaignManagementError): { code: number | null; errorCode: string | null } => {
  const reason = error.reason
  switch (reason._tag) {
    case "RateLimitError":
      return { code: reason.code, errorCode: reason.errorCode }
    case "AuthenticationError":
      return { code: reason.code ?? null, errorCode: reason.errorCode ?? null }
    case "ApiFaultError": {
      const first = reason.errors[0]
      return { code: first?.code ?? null, errorCode: first?.errorCode ?? null }
    }
    default:
      return { code: null, errorCode: null }
  }
}

/** A `CampaignManagementError` as the pipeline sees it. */
export const toDeliveryError = (error: CampaignManagementError): DeliveryError =>
  new DeliveryError({
    isRetryable: error.isRetryable,
    isRateLimit: error.reason._tag === "RateLimitError",
    message: error.message,
    trackingId: error.trackingId ?? null,
    ...codeOf(error),
    retryAfter: error.reason._tag === "RateLimitError" ? error.reason.retryAfter : undefined
  })

export const makeCampaignManagementSender: Effect.Effect<SenderShape, never, CampaignManagement> = Effect.gen(
  function* () {
    const client = yield* CampaignManagement
    return Sender.of({
      applyConversions: (batch) =>
        client.callOnce("ApplyOfflineConversions", { OfflineConversions: batch }).pipe(
          Effect.map(({ response }) => response.PartialErrors ?? []),
          Effect.mapError(toDeliveryError)
        ),
      applyAdjustments: (batch) =>
        client.callOnce("ApplyOfflineConversionAdjustments", { OfflineConversionAdjustments: batch }).pipe(
          Effect.map(({ response }) => response.PartialErrors ?? []),
          Effect.mapError(toDeliveryError)
        )
    })
  }
)

/** The `Sender` layer over a `CampaignManagement` client. */
export const CampaignManagementSender: Layer.Layer<Sender, never, CampaignManagement> = Layer.effect(
  Sender,
  makeCampaignManagementSender
)
