/**
 * Turns the domain's refusals into the codec's fault model (docs/microsoft-api.md §1, "SOAP"): AdApiFaultDetail with Errors for
 * 105/106/109, ApiFaultDetail with OperationErrors for service errors, a bare fault for SOAP protocol errors; the
 * generic faultstring the service is observed to send; and the HTTP status of a REST error body.
 */
import type { WireFault } from "@uplink/campaign-management/wire"
import type { Refusal } from "../domain/Outcome.js"

/** The faultstring the service sends with every typed fault; the reason is only in the detail. */
export const genericFaultString = (trackingId: string): string =>
  `Invalid client data. Check the SOAP fault details for more information. TrackingId: ${trackingId}.`

/** The fault for a refusal, carrying the call's TrackingId in the fault and in its detail. */
export const refusalFault = (refusal: Refusal, trackingId: string): WireFault => {
  switch (refusal._tag) {
    case "AdApiRefusal":
      return {
        _tag: "WireFault",
        faultCode: "s:Server",
        message: genericFaultString(trackingId),
        trackingId,
        detail: {
          _tag: "AdApiFaultDetail",
          value: {
            _tag: "AdApiFaultDetail",
            TrackingId: trackingId,
            Errors: refusal.errors.map(({ error, details }) => ({
              Code: error.code,
              Detail: details ?? null,
              ErrorCode: error.errorCode,
              Message: error.message
            }))
          }
        }
      }
    case "ApiRefusal":
      return {
        _tag: "WireFault",
        faultCode: "s:Server",
        message: genericFaultString(trackingId),
        trackingId,
        detail: {
          _tag: "ApiFaultDetail",
          value: {
            _tag: "ApiFaultDetail",
            TrackingId: trackingId,
            OperationErrors: refusal.errors.map(({ error, details }) => ({
              Code: error.code,
              Details: details ?? null,
              ErrorCode: error.errorCode,
              Message: error.message
            }))
          }
        }
      }
    case "ProtocolRefusal":
      return {
        _tag: "WireFault",
        faultCode: refusal.faultCode,
        message: refusal.message,
        trackingId,
        detail: undefined
      }
  }
}

/**
 * The HTTP status of a REST error body. The service's mapping is unconfirmed (docs/microsoft-api.md §7); the emulator uses
 * the plausible one: 401 for 105/109, 403 for 106, 429 for 117, 500 for 0, 400 for everything else.
 */
export const restFaultStatus = (refusal: Refusal): number => {
  if (refusal._tag === "ProtocolRefusal") return 400
  const code = refusal.errors[0]?.error.code
  switch (code) {
    case 105:
    case 109:
      return 401
    case 106:
      return 403
    case 117:
      return 429
    case 0:
      return 500
    default:
      return 400
  }
}
