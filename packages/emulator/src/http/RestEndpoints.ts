/**
 * The REST endpoints (`/CampaignManagement/v13/...`, method and path from the operation table of
 * @uplink/campaign-management): JSON bodies decoded and encoded with its REST codec, credentials from the HTTP headers
 * `Authorization: Bearer <token>`, `DeveloperToken`, `CustomerId`, `CustomerAccountId`, errors as Microsoft's top-level
 * `ApplicationFault` body (`{TrackingId, …, Type}`, nothing else) with the status of `restFaultStatus`, and `TrackingId`
 * as an HTTP header on every answer.
 */
import { operations } from "@uplink/campaign-management/operations"
import { decodeRestRequest, encodeRestFault, encodeRestResponse } from "@uplink/campaign-management/wire"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type { EmulatedOperationName } from "../domain/EmulatedService.js"
import { apiRefusal } from "../domain/Outcome.js"
import type { DecodeResult, TransportWire } from "./CallPipeline.js"
import { restFaultStatus } from "./WireFaults.js"

const JSON_TYPE = "application/json; charset=utf-8"

/** The REST route of an operation (every emulated operation has one in the operation table). */
export const restRoute = (operation: EmulatedOperationName): { readonly method: string; readonly path: string } => {
  const rest = operations[operation].rest
  if (rest === undefined) throw new Error(`${operation} has no REST route in the operation table`)
  return rest
}

const bearer = (authorization: string | undefined): string | undefined =>
  authorization?.startsWith("Bearer ") ? authorization.slice("Bearer ".length) : undefined

/** The REST transport of the call pipeline for one operation. */
export const restWire = (operation: EmulatedOperationName, maxBytes: number): TransportWire => ({
  transport: "rest",
  decode: (request, text): DecodeResult => {
    const contentType = request.headers["content-type"]
    if (contentType !== undefined && !/^application\/json\b/i.test(contentType)) {
      const message = `The content type '${contentType}' is not supported; send application/json.`
      return { _tag: "Fault", operation, refusal: apiRefusal(201, message), faultCode: "s:Client", message }
    }
    const decoded = decodeRestRequest(operations[operation], text, { maxBytes })
    if (decoded._tag === "Left") {
      const message = decoded.left.message
      return { _tag: "Fault", operation, refusal: apiRefusal(201, message), faultCode: "s:Client", message }
    }
    return {
      _tag: "Call",
      call: {
        operation,
        body: decoded.right as never,
        credentials: {
          developerToken: request.headers.developertoken,
          customerId: request.headers.customerid,
          accountId: request.headers.customeraccountid,
          accessToken: bearer(request.headers.authorization)
        }
      }
    }
  },
  encodeBody: (op, body) => encodeRestResponse(operations[op], body as never),
  faultResponse: (fault, refusal) =>
    HttpServerResponse.text(encodeRestFault(fault), {
      status: restFaultStatus(refusal),
      contentType: JSON_TYPE,
      headers: fault.trackingId === undefined ? {} : { TrackingId: fault.trackingId }
    }),
  successResponse: (text, trackingId) =>
    HttpServerResponse.text(text, { status: 200, contentType: JSON_TYPE, headers: { TrackingId: trackingId } })
})
