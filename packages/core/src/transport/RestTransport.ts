/**
 * The REST/JSON transport: the operation's table entry (loaded on its first call) gives the method and path; the body is JSON written straight into a
 * reusable byte buffer (`encodeRestRequestInto`, `BodyBufferPool`); credentials go in `Authorization: Bearer …` and the `DeveloperToken`, `CustomerId`, `CustomerAccountId` headers.
 * Faults are read in both documented forms (top level and `{"ApplicationFault": …}`) whatever the HTTP status; the
 * TrackingId comes from the fault or the `TrackingId` response header.
 *
 * Operations without a REST route fall back to SOAP (same credentials, same contract), so every one of the 178
 * operations can be called with the default transport; the response says which protocol carried it.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import {
  decodeRestFault,
  decodeRestResponse,
  encodeRestRequestInto,
  type OperationName,
  type Operations,
  type RequestOf
} from "@uplink/campaign-management/wire"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { MsadsConfig } from "../config/MsadsConfig.js"
import {
  CampaignManagementError,
  type CampaignManagementErrorReason,
  DecodeError,
  InvalidRequestError
} from "../errors/CampaignManagementError.js"
import { reasonFromFault } from "../errors/FaultClassification.js"
import { BodyBufferPool } from "./BodyBufferPool.js"
import { exchange, isSuccessStatus, reasonForStatus, retryAfterHeader, trackingIdHeader } from "./HttpExchange.js"
import { operationContract } from "./operationContract.js"
import { makeSoapTransport } from "./SoapTransport.js"
import type { TransportResponse, TransportShape } from "./Transport.js"

/** Builds the REST transport (with its SOAP fallback) from the configuration and an HTTP client. */
export const makeRestTransport: Effect.Effect<TransportShape, never, MsadsConfig | HttpClient.HttpClient> = Effect.gen(
  function* () {
    const config = yield* MsadsConfig
    const client = yield* HttpClient.HttpClient
    const soap = yield* makeSoapTransport
    const bodies = new BodyBufferPool()

    const send = <Op extends OperationName>(
      operation: Op,
      request: RequestOf<Op>,
      accessToken: Redacted.Redacted<string>
    ): Effect.Effect<TransportResponse<Op>, CampaignManagementError> =>
      Effect.flatMap(operationContract(operation), (contract) => sendWith(contract, operation, request, accessToken))

    const sendWith = <Op extends OperationName>(
      contract: Operations[Op],
      operation: Op,
      request: RequestOf<Op>,
      accessToken: Redacted.Redacted<string>
    ): Effect.Effect<TransportResponse<Op>, CampaignManagementError> => {
      const route = contract.rest
      if (route === undefined) return soap.send(operation, request, accessToken)
      return Effect.gen(function* () {
        const fail = (reason: CampaignManagementErrorReason, trackingId?: string | undefined) =>
          new CampaignManagementError({ operation, trackingId, reason })
        const body = bodies.take()
        const json = encodeRestRequestInto(contract, request, body)
        if (Either.isLeft(json)) {
          return yield* fail(new InvalidRequestError({ path: json.left.path, detail: json.left.message }))
        }
        const httpRequest = HttpClientRequest.make(route.method as "POST")(
          `${config.endpoints.restBase}${route.path}`
        ).pipe(
          HttpClientRequest.setHeaders({
            Authorization: `Bearer ${Redacted.value(accessToken)}`,
            DeveloperToken: Redacted.value(config.developerToken),
            CustomerId: config.customerId,
            CustomerAccountId: config.accountId
          }),
          HttpClientRequest.acceptJson,
          HttpClientRequest.bodyUint8Array(json.right, "application/json")
        )
        const reply = yield* exchange(client, httpRequest, config.requestTimeout).pipe(Effect.mapError((e) => fail(e)))
        const headerTrackingId = trackingIdHeader(reply.headers)
        // A fault is an error body with a known detail (`Type`, or its error lists), whatever the HTTP status.
        const fault = decodeRestFault(reply.body)
        if (Either.isRight(fault) && fault.right.detail !== undefined) {
          return yield* fail(
            reasonFromFault(fault.right, reply.status, retryAfterHeader(reply.headers)),
            fault.right.trackingId ?? headerTrackingId
          )
        }
        if (!isSuccessStatus(reply.status)) return yield* fail(reasonForStatus(reply), headerTrackingId)
        bodies.give(body)
        const decoded = decodeRestResponse(contract, reply.body)
        if (Either.isLeft(decoded)) {
          const problem = decoded.left
          return yield* fail(
            new DecodeError({ wireReason: problem.reason, path: problem.path, detail: problem.message }),
            headerTrackingId
          )
        }
        return { response: decoded.right, trackingId: headerTrackingId, transport: "rest" } as TransportResponse<Op>
      }).pipe(Effect.withSpan("RestTransport.send", { attributes: { operation } }))
    }

    return { kind: "rest", send } satisfies TransportShape
  }
)
