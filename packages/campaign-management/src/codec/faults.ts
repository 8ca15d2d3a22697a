/**
 * One fault model for SOAP and REST. A SOAP `s:Fault` (whatever the HTTP status) and a REST error body both decode to
 * a `WireFault`; its `detail` is the typed fault detail matched by local name (`AdApiFaultDetail`, `ApiFaultDetail`,
 * `EditorialApiFaultDetail`). `faultErrorCodes` flattens every error list of a detail for classification.
 */
import type * as Schemas from "../generated/schemas.js"

/** The typed detail of a fault, by the local name of its element (SOAP) or its `Type` (REST). */
export type WireFaultDetail =
  | { readonly _tag: "AdApiFaultDetail"; readonly value: Schemas.AdApiFaultDetail }
  | { readonly _tag: "ApiFaultDetail"; readonly value: Schemas.ApiFaultDetail }
  | { readonly _tag: "EditorialApiFaultDetail"; readonly value: Schemas.EditorialApiFaultDetail }

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

/** The names of the fault detail elements this codec knows. */
export const faultDetailNames = ["AdApiFaultDetail", "ApiFaultDetail", "EditorialApiFaultDetail"] as const
export type FaultDetailName = (typeof faultDetailNames)[number]

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
 * `BatchErrors`, `EditorialErrors`. Empty when the fault has no typed detail.
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
  }
  return out
}
