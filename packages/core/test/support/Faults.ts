/** Fault values for tests, built with the codec's own fault model. */
import { makeWireFault, type WireFault } from "@uplink/campaign-management"

export const adApiFault = (code: number, errorCode: string, trackingId = "fault-track"): WireFault =>
  makeWireFault({
    message: `Invalid client data. Check the SOAP fault details for more information. TrackingId: ${trackingId}.`,
    trackingId,
    detail: {
      _tag: "AdApiFaultDetail",
      value: {
        _tag: "AdApiFaultDetail",
        TrackingId: trackingId,
        Errors: [{ Code: code, Detail: null, ErrorCode: errorCode, Message: `${errorCode} message` }]
      }
    }
  })

export const apiFault = (code: number, errorCode: string, trackingId = "fault-track"): WireFault =>
  makeWireFault({
    message: `Invalid client data. Check the SOAP fault details for more information. TrackingId: ${trackingId}.`,
    trackingId,
    detail: {
      _tag: "ApiFaultDetail",
      value: {
        _tag: "ApiFaultDetail",
        TrackingId: trackingId,
        BatchErrors: [],
        OperationErrors: [{ Code: code, Details: null, ErrorCode: errorCode, Message: `${errorCode} message` }]
      }
    }
  })
