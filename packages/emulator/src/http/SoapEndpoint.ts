/**
 * The SOAP endpoint (`/Api/Advertiser/CampaignManagement/v13/CampaignManagementService.svc`): SOAP 1.1 over HTTP,
 * decoded strictly by the codec of @uplink/campaign-management (an unknown or out-of-order body element is refused
 * with a fault that names it; the real service may silently ignore it). The operation comes from the body element and
 * must agree with the SOAPAction HTTP header, which WCF dispatches on (the docs' `Action` SOAP header is accepted and
 * ignored, as the service does). Unknown SOAP headers are ignored unless they carry `s:mustUnderstand="1"`.
 */
import { operations } from "@uplink/campaign-management/operations"
import { decodeSoapRequest, encodeSoapFault, encodeSoapResponse } from "@uplink/campaign-management/wire"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { type EmulatedService, emulatedOperationNames, isEmulatedOperation } from "../domain/EmulatedService.js"
import { apiRefusal } from "../domain/Outcome.js"
import type { DecodeResult, TransportWire } from "./CallPipeline.js"

export const SOAP_PATH = "/Api/Advertiser/CampaignManagement/v13/CampaignManagementService.svc"

const XML = "text/xml; charset=utf-8"

const unquote = (value: string): string => value.trim().replace(/^"(.*)"$/, "$1")

const protocolFault = (operation: string | undefined, faultCode: string, message: string): DecodeResult => ({
  _tag: "Fault",
  operation,
  refusal: { _tag: "ProtocolRefusal", faultCode, message }
})

const decode = (contentType: string | undefined, soapAction: string | undefined, text: string, maxBytes: number) => {
  if (contentType !== undefined && !/^text\/xml\b/i.test(contentType)) {
    return protocolFault(
      undefined,
      "s:Client",
      `Cannot process the message because the content type '${contentType}' was not the expected type 'text/xml; charset=utf-8'.`
    )
  }
  const decoded = decodeSoapRequest(text, { maxBytes, operations })
  if (decoded._tag === "Left") {
    const error = decoded.left
    return {
      _tag: "Fault",
      operation: undefined,
      refusal: apiRefusal(201, error.message),
      faultCode: "s:Client",
      message: error.message
    } satisfies DecodeResult
  }
  const { operation, headers, body, mustUnderstandUnknown } = decoded.right
  if (mustUnderstandUnknown.length > 0) {
    return protocolFault(
      operation,
      "s:MustUnderstand",
      `The header '${mustUnderstandUnknown[0]}' was not understood by the recipient of this message.`
    )
  }
  if (soapAction === undefined) {
    return protocolFault(
      operation,
      "s:Client",
      "The message with Action '' cannot be processed at the receiver: the SOAPAction HTTP header is missing."
    )
  }
  const action = unquote(soapAction)
  if (action !== operation) {
    return protocolFault(
      operation,
      "s:Client",
      `The SOAPAction '${action}' does not match the body element '${operation}Request'.`
    )
  }
  if (!isEmulatedOperation(operation)) {
    return {
      _tag: "Fault",
      operation,
      refusal: apiRefusal(204, `The emulator serves ${emulatedOperationNames.join(", ")}.`)
    } satisfies DecodeResult
  }
  return {
    _tag: "Call",
    call: {
      operation,
      body: body as never,
      credentials: {
        developerToken: headers.DeveloperToken,
        customerId: headers.CustomerId,
        accountId: headers.CustomerAccountId,
        accessToken: headers.AuthenticationToken
      }
    }
  } satisfies DecodeResult
}

/** The SOAP transport of the call pipeline. */
export const soapWire = (service: EmulatedService, maxBytes: number): TransportWire => ({
  transport: "soap",
  decode: (request, text) => decode(request.headers["content-type"], request.headers.soapaction, text, maxBytes),
  encodeBody: (operation, body, trackingId) => encodeSoapResponse(operations[operation], body as never, trackingId),
  faultResponse: (fault) =>
    HttpServerResponse.text(encodeSoapFault(fault), { status: service.faults.soapFaultStatus(), contentType: XML }),
  successResponse: (text) => HttpServerResponse.text(text, { status: 200, contentType: XML })
})
