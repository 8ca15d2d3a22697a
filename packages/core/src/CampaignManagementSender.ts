/**
 * The pipeline's `Sender` backed by the `CampaignManagement` client: one ApplyOfflineConversions or
 * ApplyOfflineConversionAdjustments call per batch, partial errors as data, and every `CampaignManagementError`
 * turned into a `DeliveryFailure` carrying its row of the retry table (`retry`, `kind`) and its wait. It sends
 * each batch once (`callOnce`, which still refreshes the token on 109): the pipeline's retry schedule and rate limiter
 * decide what happens next, so retries are not stacked.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { CampaignManagement } from "./CampaignManagement.js"
import { emptied } from "./internal/emptied.js"
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
 * no status text), so that every failure of one kind is counted together (the `failureKind` of the retry table).
 */
export const failureKind = (error: CampaignManagementError): string => error.reason.failureKind

/** A `CampaignManagementError` as the pipeline sees it: its row of the retry table, its code, its wait. */
export const toDeliveryError = (error: CampaignManagementError): DeliveryError =>
  new DeliveryError({
    retry: error.retry,
    message: error.message,
    trackingId: error.trackingId ?? null,
    ...codeOf(error),
    kind: failureKind(error),
    retryAfter: error.retryAfter
  })

/**
 * Runs `call` with `batch` (the array delivery made for this call, which the Sender owns) and empties it when the call
 * ends (internal/emptied.ts): the client's fibers must not keep the request's items alive after it.
 */
const emptiedAfter = <T, A, E, R>(
  batch: ReadonlyArray<T>,
  call: (items: ReadonlyArray<T>) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.ensuring(
    Effect.suspend(() => call(batch)),
    Effect.sync(() => emptied(batch))
  )

export const makeCampaignManagementSender: Effect.Effect<SenderShape, never, CampaignManagement> = Effect.gen(
  function* () {
    const client = yield* CampaignManagement
    return Sender.of({
      applyConversions: (batch) =>
        emptiedAfter(batch, (items) =>
          client.callOnce("ApplyOfflineConversions", { OfflineConversions: items }).pipe(
            Effect.map(({ response }) => response.PartialErrors ?? []),
            Effect.mapError(toDeliveryError)
          )
        ),
      applyAdjustments: (batch) =>
        emptiedAfter(batch, (items) =>
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
