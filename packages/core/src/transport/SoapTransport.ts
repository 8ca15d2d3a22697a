/**
 * The SOAP 1.1 transport: the envelope from `encodeSoapRequest` (credentials in the SOAP headers), POSTed with a
 * quoted `SOAPAction` and `text/xml; charset=utf-8`. A `s:Fault` is recognised whatever the HTTP status (the service
 * has been seen sending faults with 200); HTTP 429 and 401 are classified by status first (`reasonFromReply`). A body
 * that is not well-formed XML is a transient decode error on 2xx and an HTTP status error otherwise. An operation that
 * is not in the WSDL (REST only) is refused with `RestOnlyOperationError` before anything is sent.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import {
  decodeSoapResponse,
  encodeSoapRequest,
  type OperationName,
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
  RestOnlyOperationError
} from "../errors/CampaignManagementError.js"
import { reasonFromReply } from "../errors/FaultClassification.js"
import { excerpt, isSuccessStatus, makeExchange, retryAfterHeader, trackingIdHeader } from "./HttpExchange.js"
import { operationContract } from "./operationContract.js"
import type { TransportResponse, TransportShape } from "./Transport.js"

/** Builds the SOAP transport from the configuration and an HTTP client. */
export const makeSoapTransport: Effect.Effect<TransportShape, never, MsadsConfig | HttpClient.HttpClient> = Effect.gen(
  function* () {
    const config = yield* MsadsConfig
    const client = yield* HttpClient.HttpClient
    const exchange = makeExchange(client, config.requestTimeout)

    const send = <Op extends OperationName>(
      operation: Op,
      request: RequestOf<Op>,
      accessToken: Redacted.Redacted<string>
    ): Effect.Effect<TransportResponse<Op>, CampaignManagementError> =>
      Effect.gen(function* () {
        const fail = (reason: CampaignManagementErrorReason, trackingId?: string | undefined) =>
          new CampaignManagementError({ operation, trackingId, reason })
        const contract = yield* operationContract(operation)
        if (contract.soapAction === undefined) {
          return yield* fail(
            new RestOnlyOperationError({
              detail: `${operation} is not in the WSDL and cannot be sent over SOAP; use the REST transport (MSADS_TRANSPORT=rest, the default)`
            })
          )
        }
        const envelope = encodeSoapRequest(contract, request, {
          AuthenticationToken: Redacted.value(accessToken),
          CustomerAccountId: config.accountId,
          CustomerId: config.customerId,
          DeveloperToken: Redacted.value(config.developerToken)
        })
        if (Either.isLeft(envelope)) {
          return yield* fail(new InvalidRequestError({ path: envelope.left.path, detail: envelope.left.message }))
        }
        const httpRequest = HttpClientRequest.post(config.endpoints.soap).pipe(
          HttpClientRequest.setHeaders({ SOAPAction: `"${contract.soapAction}"`, Accept: "text/xml" }),
          HttpClientRequest.bodyText(envelope.right, "text/xml; charset=utf-8")
        )
        const reply = yield* exchange(httpRequest).pipe(Effect.mapError((e) => fail(e)))
        const headerTrackingId = trackingIdHeader(reply.headers)
        const decoded = decodeSoapResponse(contract, reply.body)
        const fault = Either.isLeft(decoded) && decoded.left._tag === "WireFault" ? decoded.left : undefined
        if (fault !== undefined || !isSuccessStatus(reply.status)) {
          const trackingId =
            fault?.trackingId ?? (Either.isRight(decoded) ? decoded.right.trackingId : undefined) ?? headerTrackingId
          return yield* fail(
            reasonFromReply({
              protocol: "soap",
              status: reply.status,
              fault,
              retryAfter: retryAfterHeader(reply.headers),
              bodyExcerpt: excerpt(reply.body)
            }),
            trackingId
          )
        }
        if (Either.isRight(decoded)) {
          return {
            response: decoded.right.body,
            trackingId: decoded.right.trackingId ?? headerTrackingId,
            transport: "soap" as const
          }
        }
        const problem = decoded.left as Exclude<typeof decoded.left, { _tag: "WireFault" }>
        return yield* fail(
          new DecodeError({ wireReason: problem.reason, path: problem.path, detail: problem.message }),
          headerTrackingId
        )
      }).pipe(Effect.withSpan("SoapTransport.send", { attributes: { operation } }))

    return { kind: "soap", send } satisfies TransportShape
  }
)
