/**
 * The pipeline's `Sender` backed by the `CampaignManagement` client: one ApplyOfflineConversions or
 * ApplyOfflineConversionAdjustments call per batch, partial errors as data, and every `CampaignManagementError`
 * turned into a `DeliveryFailure` that says whether it is worth retrying and whether it was the rate limit. It sends
 * each batch once (`callOnce`, which still refreshes the token on 109): the pipeline's retry schedule and rate limiter
 * decide what happens next, so retries are not stacked.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
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

/**
 * The class of a failure, the key summaries count it under when it has no code: what went wrong, not where (no URL,
 * no status text), so that every failure of one kind is counted together.
 */
export const failureKind = (error: CampaignManagementError): string => {
  const reason = error.reason
  switch (reason._tag) {
    case "TransportError":
      return reason.kind === "Timeout"
        ? "Timeout"
        : reason.kind === "RequestFailed"
          ? "ConnectionFailed"
          : reason.kind === "ResponseBodyFailed"
            ? "ResponseCut"
            : "InvalidUrl"
    case "HttpStatusError":
      return `Http${reason.status}`
    case "RateLimitError":
      return "RateLimit"
    case "AuthenticationError":
      return "Authentication"
    case "ApiFaultError":
      return "ApiFault"
    case "DecodeError":
      return reason.isRetryable ? "ResponseCut" : "UnexpectedResponse"
    case "InvalidRequestError":
      return "UnencodableRequest"
    case "RestOnlyOperationError":
    case "NotAvailableOverRestError":
      return "NotAvailable"
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
    kind: failureKind(error),
    retryAfter: error.reason._tag === "RateLimitError" ? error.reason.retryAfter : undefined
  })

/**
 * Runs `call` on a copy of `batch` that is emptied when the call ends. The client's fibers outlive the call in the old
 * generation and keep pointing at the request they carried; through an emptied copy they keep no item alive (see
 * `emptied` in pipeline/offlineConversions.ts). The caller's `batch` is left as it is.
 */
const lent = <T, A, E, R>(
  batch: ReadonlyArray<T>,
  call: (items: ReadonlyArray<T>) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    const items = batch.slice()
    return Effect.ensuring(
      call(items),
      Effect.sync(() => {
        items.length = 0
      })
    )
  })

export const makeCampaignManagementSender: Effect.Effect<SenderShape, never, CampaignManagement> = Effect.gen(
  function* () {
    const client = yield* CampaignManagement
    return Sender.of({
      applyConversions: (batch) =>
        lent(batch, (items) =>
          client.callOnce("ApplyOfflineConversions", { OfflineConversions: items }).pipe(
            Effect.map(({ response }) => response.PartialErrors ?? []),
            Effect.mapError(toDeliveryError)
          )
        ),
      applyAdjustments: (batch) =>
        lent(batch, (items) =>
          client.callOnce("ApplyOfflineConversionAdjustments", { OfflineConversionAdjustments: items }).pipe(
            Effect.map(({ response }) => response.PartialErrors ?? []),
            Effect.mapError(toDeliveryError)
          )
        )
    })
  }
)

/** The `Sender` layer over a `CampaignManagement` client. */
export const CampaignManagementSender: Layer.Layer<Sender, never, CampaignManagement> = Layer.effect(
  Sender,
  makeCampaignManagementSender
)
