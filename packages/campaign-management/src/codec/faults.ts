/**
 * One fault model for SOAP and REST. A SOAP `s:Fault` (whatever the HTTP status) and a REST error body both decode to
 * a `WireFault`; its `detail` is the typed fault detail: over SOAP matched by the detail element's local name
 * (`AdApiFaultDetail`, `ApiFaultDetail`, `EditorialApiFaultDetail`), over REST by the body's `Type`, which may also
 * name one of the REST-only `AdCenter*Fault` types of Microsoft's REST models (they carry an `ErrorMessage`, no error
 * list). `faultErrorCodes` flattens every error list of a detail for classification.
 */
import type * as Schemas from "../generated/schemas.js"

/** The typed detail of a fault, by the local name of its element (SOAP) or its `Type` (REST). */
export type WireFaultDetail =
  | { readonly _tag: "AdApiFaultDetail"; readonly value: Schemas.AdApiFaultDetail }
  | { readonly _tag: "ApiFaultDetail"; readonly value: Schemas.ApiFaultDetail }
  | { readonly _tag: "EditorialApiFaultDetail"; readonly value: Schemas.EditorialApiFaultDetail }
  | { readonly _tag: "AdCenterAuthenticationFault"; readonly value: Schemas.AdCenterAuthenticationFault }
  | { readonly _tag: "AdCenterAuthorizationFault"; readonly value: Schemas.AdCenterAuthorizationFault }
  | { readonly _tag: "AdCenterFault"; readonly value: Schemas.AdCenterFault }
  | { readonly _tag: "AdCenterInternalErrorFault"; readonly value: Schemas.AdCenterInternalErrorFault }
  | { readonly _tag: "AdCenterSystemFault"; readonly value: Schemas.AdCenterSystemFault }

/** A service fault received over SOAP or REST. */
export interface WireFault {
  readonly _tag: "WireFault"
  /** SOAP `faultcode`, e.g. `s:Server`; REST faults use `s:Server` too. */
  readonly faultCode: string
  /** SOAP `faultstring`; REST: the body's `Message`, else the first error message. */
  readonly message: string
  readonly trackingId: string | undefined
  readonly detail: WireFaultDetail | undefined
}

/** The fault detail elements of the WSDL (SOAP `<detail>` children; also REST `Type` values). */
export const faultDetailNames = ["AdApiFaultDetail", "ApiFaultDetail", "EditorialApiFaultDetail"] as const
export type FaultDetailName = (typeof faultDetailNames)[number]

/** Every `Type` of a REST error body: the WSDL's fault details and the REST-only `AdCenter*Fault` types. */
export const restFaultDetailNames = [
  ...faultDetailNames,
  "AdCenterAuthenticationFault",
  "AdCenterAuthorizationFault",
  "AdCenterFault",
  "AdCenterInternalErrorFault",
  "AdCenterSystemFault"
] as const
export type RestFaultDetailName = (typeof restFaultDetailNames)[number]

/** Builds a `WireFault`; `faultCode` defaults to `s:Server` and `trackingId` to the detail's TrackingId. */
export const makeWireFault = (fields: {
  readonly faultCode?: string | undefined
  readonly message: string
  readonly trackingId?: string | undefined
  readonly detail?: WireFaultDetail | undefined
}): WireFault => ({
  _tag: "WireFault",
  faultCode: fields.faultCode ?? "s:Server",
  message: fields.message,
  trackingId: fields.trackingId ?? fields.detail?.value.TrackingId ?? undefined,
  detail: fields.detail
})

/** True for a `WireFault` (as opposed to a `WireDecodeError` in the same `Either`). */
export const isWireFault = (u: unknown): u is WireFault =>
  typeof u === "object" && u !== null && (u as { _tag?: unknown })._tag === "WireFault"

/** One error code carried by a fault. */
export interface FaultErrorCode {
  readonly code: number
  readonly errorCode: string
  readonly message: string
}

interface ErrorLike {
  readonly Code?: number | undefined
  readonly ErrorCode?: string | null | undefined
  readonly Message?: string | null | undefined
}

const collect = (out: Array<FaultErrorCode>, items: ReadonlyArray<ErrorLike | null> | null | undefined): void => {
  if (items === null || items === undefined) return
  for (const item of items) {
    if (item === null) continue
    out.push({ code: item.Code ?? 0, errorCode: item.ErrorCode ?? "", message: item.Message ?? "" })
  }
}

/**
 * Every error of a fault's detail, flattened in this order: `Errors` (AdApiFaultDetail), `OperationErrors`,
 * `BatchErrors`, `EditorialErrors`. Empty when the fault has no typed detail or is an `AdCenter*Fault` (no codes).
 */
export const faultErrorCodes = (fault: WireFault): ReadonlyArray<FaultErrorCode> => {
  const out: Array<FaultErrorCode> = []
  const detail = fault.detail
  if (detail === undefined) return out
  switch (detail._tag) {
    case "AdApiFaultDetail":
      collect(out, detail.value.Errors)
      break
    case "ApiFaultDetail":
      collect(out, detail.value.OperationErrors)
      collect(out, detail.value.BatchErrors)
      break
    case "EditorialApiFaultDetail":
      collect(out, detail.value.OperationErrors)
      collect(out, detail.value.BatchErrors)
      collect(out, detail.value.EditorialErrors)
      break
    default:
      break
  }
  return out
}
