/**
 * `CampaignManagement`: a typed call of any of the 190 operations (178 of the WSDL, 12 REST-only),
 * `call("ApplyOfflineConversions", request)`, with the request and response types of the generated contracts. Each
 * attempt takes an access token from `Auth`, sends through the `Transport`, and when the answer asks for a new token
 * (109, HTTP 401, an AdCenterAuthenticationFault: `AuthenticationError.refreshesToken`) asks `Auth` for a refresh and
 * sends once more; a static token cannot be refreshed, so only 109 then says so, the others stay as they were. Failed attempts are retried by
 * the `RetryPolicy` schedule (transient reasons with backoff, 117 after the documented wait; never permanent ones).
 * Partial errors (`PartialErrors`) are data in the response, not failures.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type { OperationName, RequestOf } from "@uplink/campaign-management/wire"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Auth } from "./auth/Auth.js"
import { TokenStore, type TokenStoreError } from "./auth/TokenStore.js"
import { MsadsConfig } from "./config/MsadsConfig.js"
import { type AuthenticationError, CampaignManagementError } from "./errors/CampaignManagementError.js"
import { RetryPolicy } from "./retry/RetryPolicy.js"
import { layerNodeHttpClient } from "./transport/NodeHttpClientLayer.js"
import * as RestTransport from "./transport/RestTransport.js"
import * as SoapTransport from "./transport/SoapTransport.js"
import { Transport, type TransportResponse } from "./transport/Transport.js"

/** The result of a call: the typed response, its TrackingId and the protocol that carried it. */
export type CallResult<Op extends OperationName> = TransportResponse<Op>

/** The service. */
export interface CampaignManagementShape {
  /** Calls `operation`, retrying per the `RetryPolicy` the layer was built with (the default one unless replaced). */
  readonly call: <Op extends OperationName>(
    operation: Op,
    request: RequestOf<Op>
  ) => Effect.Effect<CallResult<Op>, CampaignManagementError>
  /** One attempt, without the retry policy (109 still refreshes the token and sends once more). */
  readonly callOnce: <Op extends OperationName>(
    operation: Op,
    request: RequestOf<Op>
  ) => Effect.Effect<CallResult<Op>, CampaignManagementError>
}

const refreshesToken = (error: CampaignManagementError) =>
  error.reason._tag === "AuthenticationError" && error.reason.refreshesToken

/** Builds the service from an `Auth`, a `Transport` and the `RetryPolicy` in context (the default when none is). */
export const make: Effect.Effect<CampaignManagementShape, never, Auth | Transport> = Effect.gen(function* () {
  const auth = yield* Auth
  const transport = yield* Transport
  const policy = yield* RetryPolicy

  const callOnce = <Op extends OperationName>(
    operation: Op,
    request: RequestOf<Op>
  ): Effect.Effect<CallResult<Op>, CampaignManagementError> =>
    Effect.gen(function* () {
      const token = yield* auth.accessToken.pipe(
        Effect.mapError((reason) => new CampaignManagementError({ operation, trackingId: undefined, reason }))
      )
      return yield* transport.send(operation, request, token).pipe(
        Effect.catchIf(refreshesToken, (expired) =>
          Effect.gen(function* () {
            const expiredToken = expired.reason._tag === "AuthenticationError" && expired.reason.kind === "TokenExpired"
            // A static token cannot be refreshed: a 401 stays the refusal it was (109 says the token expired).
            if (auth.mode === "static" && !expiredToken) return yield* expired
            yield* Effect.logDebug(
              `${operation}: the service asked for a new access token (${expiredToken ? "109" : "HTTP 401 / authentication fault"}), refreshing and sending again`
            )
            const fresh = yield* auth
              .refreshAfterExpiry(token)
              .pipe(
                Effect.mapError(
                  (reason) => new CampaignManagementError({ operation, trackingId: expired.trackingId, reason })
                )
              )
            return yield* transport.send(operation, request, fresh)
          })
        )
      )
    })

  const call = <Op extends OperationName>(
    operation: Op,
    request: RequestOf<Op>
  ): Effect.Effect<CallResult<Op>, CampaignManagementError> =>
    callOnce(operation, request).pipe(
      Effect.tapError((error) =>
        Effect.logDebug(
          error.isRetryable ? `${error.message}; retrying if the policy allows` : `${error.message}; not retryable`
        )
      ),
      Effect.retry(policy),
      Effect.tap((result) =>
        Effect.annotateCurrentSpan({ trackingId: result.trackingId ?? "", transport: result.transport })
      ),
      Effect.withSpan("CampaignManagement.call", { attributes: { operation, transport: transport.kind } })
    )

  return { call, callOnce } satisfies CampaignManagementShape
})

/**
 * The transport `MsadsConfig.transport` names: REST unless it says SOAP. The one place that knows both
 * implementations; `Transport.ts` knows neither.
 */
const transportFromConfig: Layer.Layer<Transport, never, MsadsConfig | HttpClient.HttpClient> = Layer.unwrapEffect(
  Effect.map(MsadsConfig, (config) => (config.transport === "soap" ? SoapTransport.layer : RestTransport.layer))
)

/** The Campaign Management client service and its layers. */
export class CampaignManagement extends Context.Tag("@uplink/core/CampaignManagement")<
  CampaignManagement,
  CampaignManagementShape
>() {
  /** From an `Auth` and a `Transport` layer; provide `RetryPolicy.layer(schedule)` to it to change the policy. */
  static readonly layer: Layer.Layer<CampaignManagement, never, Auth | Transport> = Layer.effect(
    CampaignManagement,
    make
  )

  /**
   * `layer` over the transport `MsadsConfig.transport` names (REST unless it says SOAP); still needs `Auth`, the
   * configuration and an `HttpClient`.
   */
  static readonly layerTransportFromConfig: Layer.Layer<
    CampaignManagement,
    never,
    Auth | MsadsConfig | HttpClient.HttpClient
  > = CampaignManagement.layer.pipe(Layer.provide(transportFromConfig))

  /**
   * Everything from the environment: `MsadsConfig.layer`, `Auth.layerConfig` with `TokenStore.layerConfig`, the
   * transport `MSADS_TRANSPORT` names, over the keep-alive node HTTP client.
   */
  static readonly layerConfig: Layer.Layer<
    CampaignManagement,
    ConfigError.ConfigError | AuthenticationError | TokenStoreError
  > = CampaignManagement.layerTransportFromConfig.pipe(
    Layer.provide(Auth.layerConfig),
    Layer.provide(Layer.mergeAll(MsadsConfig.layer, TokenStore.layerConfig, layerNodeHttpClient))
  )
}
