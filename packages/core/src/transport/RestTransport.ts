/**
 * The REST/JSON transport: the operation's table entry (loaded on its first call) gives the method and path (Microsoft's
 * route table: every operation has one, the REST-only ones of the overlay included); the body is JSON written straight
 * into a reusable byte buffer (`encodeRestRequestInto`, `BodyBufferPool`); credentials go in `Authorization: Bearer …`
 * and the `DeveloperToken`, `CustomerId`, `CustomerAccountId` headers.
 *
 * A failed answer is classified by `reasonFromReply`: HTTP 429 is a rate limit and 401 a refresh-and-resend whatever
 * the body, 404 and 501 mean the operation is not served over REST; otherwise the error body — Microsoft's
 * `ApplicationFault` discriminated by `Type` (the eight fault types), top-level or wrapped in `{"ApplicationFault": …}` —
 * is recognised whatever the HTTP status. The TrackingId comes from the fault or the `TrackingId` response header.
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
  InvalidRequestError,
  NotAvailableOverRestError
} from "../errors/CampaignManagementError.js"
import { reasonFromReply } from "../errors/FaultClassification.js"
import { BodyBufferPool } from "./BodyBufferPool.js"
import { excerpt, isSuccessStatus, makeExchange, retryAfterHeader, trackingIdHeader } from "./HttpExchange.js"
import { operationContract } from "./operationContract.js"
import type { TransportResponse, TransportShape } from "./Transport.js"

/** Builds the REST transport from the configuration and an HTTP client. */
export const makeRestTransport: Effect.Effect<TransportShape, never, MsadsConfig | HttpClient.HttpClient> = Effect.gen(
  function* () {
    const config = yield* MsadsConfig
    const client = yield* HttpClient.HttpClient
    const exchange = makeExchange(client, config.requestTimeout)
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
      return Effect.gen(function* () {
        const fail = (reason: CampaignManagementErrorReason, trackingId?: string | undefined) =>
          new CampaignManagementError({ operation, trackingId, reason })
        if (route === undefined) {
          return yield* fail(
            new NotAvailableOverRestError({ status: undefined, detail: `${operation} has no REST route` })
          )
        }
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
        const reply = yield* exchange(httpRequest).pipe(Effect.mapError((e) => fail(e)))
        const headerTrackingId = trackingIdHeader(reply.headers)
        // A fault is an error body with a known detail (`Type`, or its error lists), whatever the HTTP status.
        const decodedFault = decodeRestFault(reply.body)
        const fault =
          Either.isRight(decodedFault) && decodedFault.right.detail !== undefined ? decodedFault.right : undefined
        if (fault !== undefined || !isSuccessStatus(reply.status)) {
          return yield* fail(
            reasonFromReply({
              protocol: "rest",
              status: reply.status,
              fault,
              retryAfter: retryAfterHeader(reply.headers),
              bodyExcerpt: excerpt(reply.body),
              route: `${route.method} ${route.path}`
            }),
            fault?.trackingId ?? headerTrackingId
          )
        }
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
