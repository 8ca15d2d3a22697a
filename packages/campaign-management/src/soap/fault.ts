/**
 * SOAP 1.1 faults: writing an `s:Fault` envelope from a `WireFault` (emulator) and reading one (core). The detail
 * element is matched by local name (`AdApiFaultDetail`, `ApiFaultDetail`, `EditorialApiFaultDetail`) and read
 * tolerantly, so `TrackingId` is accepted in the adapi or the v13 namespace. The REST-only `AdCenter*Fault` details
 * have no SOAP element: a fault carrying one is written without its detail.
 */
import { EncodeFailure } from "../codec/errors.js"
import {
  type FaultDetailName,
  faultDetailNames,
  makeWireFault,
  type WireFault,
  type WireFaultDetail
} from "../codec/faults.js"
import { elementStruct } from "../codec/wire-model.js"
import { faultElements } from "../generated/faults.js"
import { SOAP_ENV, XSI } from "../xml/namespaces.js"
import type { XmlReader } from "../xml/reader.js"
import { escapeTextLossy } from "../xml/text.js"
import { readStruct } from "./body-reader.js"
import { BodyWriter } from "./body-writer.js"

const isDetailName = (name: string): name is FaultDetailName =>
  (faultDetailNames as ReadonlyArray<string>).includes(name)

const TRACKING_ID_IN_TEXT = /TrackingId:\s*([0-9A-Za-z-]{8,64})/

/** The local part of a fault code: SOAP 1.1 codes are written in the envelope namespace (`s:Server`). */
const faultCodeLocal = (code: string): string => {
  const colon = code.lastIndexOf(":")
  const local = colon === -1 ? code : code.slice(colon + 1)
  return /^[A-Za-z_][\w.-]*$/.test(local) ? local : "Server"
}

/** The struct model of a fault detail element, by local name. */
const detailStruct = (name: FaultDetailName) => {
  const element = faultElements[name]
  if (element === undefined) throw new Error(`the operations declare no fault detail element ${name}`)
  return elementStruct(element)
}

const writeDetail = (detail: WireFaultDetail, lossy: boolean): string => {
  if (!isDetailName(detail._tag)) return ""
  const { model, ns } = detailStruct(detail._tag)
  const writer = new BodyWriter(ns, lossy)
  writer.writeRoot(detail._tag, model, { ...detail.value, _tag: detail._tag })
  return writer.out
}

/**
 * A SOAP 1.1 fault envelope. Never fails: text XML cannot carry becomes U+FFFD, and a detail that still cannot be
 * written (e.g. a NaN in an int field) is left out.
 */
export const encodeSoapFault = (fault: WireFault): string => {
  let detail = ""
  if (fault.detail !== undefined) {
    try {
      const written = writeDetail(fault.detail, true)
      if (written !== "") detail = `<detail>${written}</detail>`
    } catch (e) {
      if (!(e instanceof EncodeFailure)) throw e
    }
  }
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<s:Envelope xmlns:s="${SOAP_ENV}" xmlns:i="${XSI}"><s:Body><s:Fault>` +
    `<faultcode>s:${faultCodeLocal(fault.faultCode)}</faultcode>` +
    `<faultstring>${escapeTextLossy(fault.message)}</faultstring>` +
    detail +
    `</s:Fault></s:Body></s:Envelope>`
  )
}

/** Reads the `s:Fault` element opened last (and closes it). `headerTrackingId` is the SOAP header's, if any. */
export const readFault = (r: XmlReader, headerTrackingId: string | undefined): WireFault => {
  let faultCode = ""
  let message = ""
  let detail: WireFaultDetail | undefined
  while (r.nextChild()) {
    switch (r.localName) {
      case "faultcode":
        faultCode = r.readText(true).trim()
        break
      case "faultstring":
        message = r.readText(true)
        break
      case "detail":
        while (r.nextChild()) {
          const name = r.localName
          if (detail === undefined && isDetailName(name)) {
            const value = readStruct(r, detailStruct(name).model, false)
            value._tag = name
            detail = { _tag: name, value } as unknown as WireFaultDetail
          } else r.skip()
        }
        break
      default:
        r.skip()
    }
  }
  const trackingId = detail?.value.TrackingId ?? headerTrackingId ?? TRACKING_ID_IN_TEXT.exec(message)?.[1] ?? undefined
  return makeWireFault({ faultCode: faultCode === "" ? "s:Server" : faultCode, message, trackingId, detail })
}
