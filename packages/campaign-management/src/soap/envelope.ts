/**
 * SOAP 1.1 envelopes of the Campaign Management service, both directions, generic over the operation entries:
 * `encodeSoapRequest` (core) / `decodeSoapRequest` (emulator) and `encodeSoapResponse` (emulator) /
 * `decodeSoapResponse` (core). Each takes the operation's table entry (`@uplink/campaign-management/operations/<Op>`),
 * and `decodeSoapRequest` the entries it accepts, so nothing here loads the contracts of operations nobody uses. The envelope declares only `s` and `i`; each body root declares its default namespace
 * and the few prefixes its type can reach (node-soap declares 187 namespaces, 13 KB, on every request).
 */
import * as Either from "effect/Either"
import {
  DecodeFailure,
  EncodeFailure,
  toDecodeError,
  toEncodeError,
  WireDecodeError,
  type WireEncodeError
} from "../codec/errors.js"
import type { WireFault } from "../codec/faults.js"
import type { Operation, RequestOfOperation, ResponseOfOperation } from "../codec/types.js"
import { elementStruct } from "../codec/wire-model.js"
import type { OperationName } from "../generated/operations.js"
import type { WireElement } from "../generated/wire-types.js"
import { CM_NS, SOAP_ENV, WCF_ADDRESSING_NONE, XSI } from "../xml/namespaces.js"
import { XmlReader, XmlSyntaxError } from "../xml/reader.js"
import { escapeText } from "../xml/text.js"
import { readStruct } from "./body-reader.js"
import { BodyWriter } from "./body-writer.js"
import { readFault } from "./fault.js"

/** The SOAP request headers Uplink sends (the WSDL's others — ApplicationToken, UserName, Password — are unused). */
export interface SoapRequestHeaders {
  readonly AuthenticationToken?: string | undefined
  readonly CustomerAccountId?: string | undefined
  readonly CustomerId?: string | undefined
  readonly DeveloperToken?: string | undefined
}

/** Size limit of a SOAP document to decode, by default. */
export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024

export interface DecodeOptions {
  /** Documents larger than this (in UTF-8 bytes) are refused with `TooLarge`. Default 32 MiB. */
  readonly maxBytes?: number | undefined
}

/** `decodeSoapRequest`'s options: the operations it accepts, and the size limit. */
export interface DecodeRequestOptions extends DecodeOptions {
  /** The operations whose requests are accepted (the full table, `operations`, for a service that answers all). */
  readonly operations: Readonly<Record<string, Operation>>
}

/** A decoded request envelope (emulator side). */
export interface DecodedSoapRequest {
  readonly operation: OperationName
  /** The known request headers that were present and not nil, by local name. */
  readonly headers: Record<string, string>
  /** The request body: a `RequestOf<operation>`. */
  readonly body: unknown
  /** Qualified names (as written) of unknown headers that carry `mustUnderstand="1"`. */
  readonly mustUnderstandUnknown: ReadonlyArray<string>
}

/** A decoded response envelope (client side). */
export interface SoapResponse<Response> {
  readonly body: Response
  readonly trackingId: string | undefined
}

const HEADER_ORDER = ["AuthenticationToken", "CustomerAccountId", "CustomerId", "DeveloperToken"] as const

/** What `decodeSoapRequest` looks up in a table of operations, made once per table. */
interface RequestIndex {
  /** The operation of each request element (local name). */
  readonly byRequestElement: ReadonlyMap<string, Operation>
  /** The request headers any of the operations declares. */
  readonly headers: ReadonlySet<string>
}

const indexes = new WeakMap<object, RequestIndex>()

const requestIndex = (operations: Readonly<Record<string, Operation>>): RequestIndex => {
  let index = indexes.get(operations)
  if (index === undefined) {
    // REST-only operations have no SOAP binding: their body elements are not requests of the SOAP service.
    const all = Object.values(operations).filter((op) => op.soapAction !== undefined)
    index = {
      byRequestElement: new Map(all.map((op) => [op.requestElement, op] as const)),
      headers: new Set(all.flatMap((op) => op.requestHeaders))
    }
    indexes.set(operations, index)
  }
  return index
}

/** A REST-only operation (from the REST overlay): it has no SOAP binding. */
const soapless = (op: Operation): EncodeFailure =>
  new EncodeFailure(`${op.name} is only available over REST (it is not in the WSDL)`)

const ENVELOPE_START = `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${SOAP_ENV}" xmlns:i="${XSI}">`
const ENVELOPE_END = "</s:Body></s:Envelope>"

const writeBody = (element: WireElement, value: unknown): string => {
  const { model, ns } = elementStruct(element)
  const writer = new BodyWriter(ns)
  try {
    writer.writeRoot(element.name, model, value)
  } catch (e) {
    if (e instanceof EncodeFailure) e.segments.unshift(element.name)
    throw e
  }
  return writer.out
}

const encoding = (build: () => string): Either.Either<string, WireEncodeError> => {
  try {
    return Either.right(build())
  } catch (e) {
    if (e instanceof EncodeFailure) return Either.left(toEncodeError(e))
    throw e
  }
}

/**
 * The request envelope of `op`: the four headers (those given) in the v13 namespace, then the body element in XSD
 * order. Fails with a `WireEncodeError` naming the field when a value cannot be written.
 */
export const encodeSoapRequest = <O extends Operation>(
  op: O,
  body: RequestOfOperation<O>,
  headers: SoapRequestHeaders
): Either.Either<string, WireEncodeError> =>
  encoding(() => {
    if (op.soapAction === undefined) throw soapless(op)
    let header = ""
    for (const name of HEADER_ORDER) {
      const value = headers[name]
      if (value === undefined) continue
      if (typeof value !== "string") {
        const failure = new EncodeFailure("a header value must be a string")
        failure.segments.push("Header", name)
        throw failure
      }
      try {
        header += `<${name}>${escapeText(value)}</${name}>`
      } catch (e) {
        if (e instanceof EncodeFailure) e.segments.unshift("Header", name)
        throw e
      }
    }
    const bodyXml = writeBody(op.wire.request, body)
    return (
      ENVELOPE_START +
      (header === "" ? "" : `<s:Header xmlns="${CM_NS}">${header}</s:Header>`) +
      `<s:Body>${bodyXml}${ENVELOPE_END}`
    )
  })

/** The response envelope of `op` with the `TrackingId` header (emulator side). */
export const encodeSoapResponse = <O extends Operation>(
  op: O,
  body: ResponseOfOperation<O>,
  trackingId: string
): Either.Either<string, WireEncodeError> =>
  encoding(() => {
    if (op.soapAction === undefined) throw soapless(op)
    let tracking: string
    try {
      tracking = escapeText(trackingId)
    } catch (e) {
      if (e instanceof EncodeFailure) e.segments.unshift("Header", "TrackingId")
      throw e
    }
    const bodyXml = writeBody(op.wire.response, body)
    return (
      ENVELOPE_START +
      `<s:Header><TrackingId xmlns="${CM_NS}">${tracking}</TrackingId></s:Header>` +
      `<s:Body>${bodyXml}${ENVELOPE_END}`
    )
  })

// ===== decoding =====

const tooLarge = (xml: string, maxBytes: number): boolean =>
  xml.length > maxBytes || (xml.length * 3 > maxBytes && Buffer.byteLength(xml, "utf8") > maxBytes)

const failure = (reason: DecodeFailure["reason"], message: string): never => {
  throw new DecodeFailure(reason, message)
}

const decoding = <A>(reader: XmlReader, run: () => A): Either.Either<A, WireDecodeError> => {
  try {
    return Either.right(run())
  } catch (e) {
    if (e instanceof XmlSyntaxError) {
      const { line, column } = reader.position(e.offset)
      const error = toDecodeError(e)
      return Either.left(
        new WireDecodeError({
          reason: error.reason,
          path: error.path,
          message: `${error.message} (line ${line}, column ${column})`
        })
      )
    }
    if (e instanceof DecodeFailure) return Either.left(toDecodeError(e))
    throw e
  }
}

const openEnvelope = (r: XmlReader): void => {
  r.openRoot()
  if (r.localName !== "Envelope" || r.ns !== SOAP_ENV) {
    failure("NotAnEnvelope", `the document is <${r.qname}>, not a SOAP 1.1 Envelope`)
  }
}

/**
 * Decodes a request envelope strictly (emulator side). The operation is chosen from the body element among
 * `options.operations`. Unknown or out-of-order body elements are errors naming the element path; unknown SOAP headers
 * are ignored (those with `mustUnderstand="1"` are returned), and the WCF `Action` header of the docs' template is
 * understood.
 */
export const decodeSoapRequest = (
  xml: string,
  options: DecodeRequestOptions
): Either.Either<DecodedSoapRequest, WireDecodeError> => {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
  const index = requestIndex(options.operations)
  if (tooLarge(xml, maxBytes)) {
    return Either.left(
      new WireDecodeError({ reason: "TooLarge", message: `the document is larger than ${maxBytes} bytes` })
    )
  }
  const r = new XmlReader(xml, true)
  return decoding(r, () => {
    openEnvelope(r)
    const headers: Record<string, string> = {}
    const mustUnderstandUnknown: Array<string> = []
    let operation: OperationName | undefined
    let body: unknown
    let seenHeader = false
    while (r.nextChild()) {
      const part = r.localName
      const partNs: string = r.ns
      if (partNs === SOAP_ENV && part === "Header" && !seenHeader && operation === undefined) {
        seenHeader = true
        while (r.nextChild()) {
          const name = r.localName
          const ns: string = r.ns
          if (ns === CM_NS && index.headers.has(name)) {
            if (r.isNil()) r.skip()
            else headers[name] = r.readText(false)
          } else if (name === "Action" && ns === WCF_ADDRESSING_NONE) {
            r.skip()
          } else {
            if (r.mustUnderstand()) mustUnderstandUnknown.push(r.qname)
            r.skip()
          }
        }
      } else if (partNs === SOAP_ENV && part === "Body" && operation === undefined) {
        if (!r.nextChild()) failure("UnknownOperation", "the SOAP Body is empty")
        const element = r.localName
        const elementNs: string = r.ns
        const op = elementNs === CM_NS ? index.byRequestElement.get(element) : undefined
        if (op === undefined)
          failure("UnknownOperation", `<${r.qname}> (namespace "${r.ns}") is not a request of this service`)
        operation = op!.name as OperationName
        const { model } = elementStruct(op!.wire.request)
        try {
          if (r.isNil()) failure("SchemaMismatch", "the request element is nil")
          body = readStruct(r, model, true)
        } catch (e) {
          if (e instanceof DecodeFailure) e.segments.unshift(element)
          throw e
        }
        if (r.nextChild()) failure("UnknownElement", `a second element <${r.qname}> in the SOAP Body`)
      } else {
        failure("UnknownElement", `unexpected <${r.qname}> in the SOAP Envelope`)
      }
    }
    r.finish()
    if (operation === undefined) failure("NotAnEnvelope", "the Envelope has no Body")
    return { operation: operation!, headers, body, mustUnderstandUnknown }
  })
}

/**
 * Decodes a response envelope of `op` tolerantly (client side): the `TrackingId` header and the body by the
 * response schema; unknown elements are ignored. A `s:Fault` in the body is returned as a `WireFault` (Left),
 * whatever the HTTP status was.
 */
export const decodeSoapResponse = <O extends Operation>(
  op: O,
  xml: string,
  options?: DecodeOptions
): Either.Either<SoapResponse<ResponseOfOperation<O>>, WireFault | WireDecodeError> => {
  const maxBytes = options?.maxBytes ?? DEFAULT_MAX_BYTES
  if (op.soapAction === undefined) {
    return Either.left(
      new WireDecodeError({ reason: "UnknownOperation", message: `${op.name} is only available over REST` })
    )
  }
  if (tooLarge(xml, maxBytes)) {
    return Either.left(
      new WireDecodeError({ reason: "TooLarge", message: `the document is larger than ${maxBytes} bytes` })
    )
  }
  const responseElement = op.responseElement
  const r = new XmlReader(xml, false)
  const result = decoding(r, (): SoapResponse<ResponseOfOperation<O>> | WireFault => {
    openEnvelope(r)
    let trackingId: string | undefined
    let body: Record<string, unknown> | undefined
    let fault: WireFault | undefined
    let seenBody = false
    while (r.nextChild()) {
      const part = r.localName
      const partNs: string = r.ns
      if (partNs === SOAP_ENV && part === "Header" && !seenBody) {
        while (r.nextChild()) {
          const name: string = r.localName
          if (name === "TrackingId" && trackingId === undefined) {
            if (r.isNil()) r.skip()
            else trackingId = r.readText(true).trim()
          } else r.skip()
        }
      } else if (partNs === SOAP_ENV && part === "Body" && !seenBody) {
        seenBody = true
        if (!r.nextChild()) failure("SchemaMismatch", `the SOAP Body is empty (expected ${responseElement})`)
        const element: string = r.localName
        const elementNs: string = r.ns
        if (elementNs === SOAP_ENV && element === "Fault") {
          fault = readFault(r, trackingId)
        } else if (element === responseElement) {
          const { model } = elementStruct(op.wire.response)
          try {
            body = readStruct(r, model, false)
          } catch (e) {
            if (e instanceof DecodeFailure) e.segments.unshift(responseElement)
            throw e
          }
        } else {
          failure("SchemaMismatch", `expected <${responseElement}> or a Fault in the SOAP Body, found <${r.qname}>`)
        }
        while (r.nextChild()) r.skip()
      } else r.skip()
    }
    r.finish()
    if (fault !== undefined) return fault
    if (body === undefined) failure("NotAnEnvelope", "the Envelope has no Body")
    return { body: body as ResponseOfOperation<O>, trackingId }
  })
  if (Either.isLeft(result)) return Either.left(result.left)
  const value = result.right
  return "_tag" in value ? Either.left(value) : Either.right(value)
}
