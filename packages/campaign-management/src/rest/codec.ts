/**
 * The REST JSON codec of the Campaign Management service (docs/microsoft-api.md §1, "REST"), for operations with a REST route: request
 * and response bodies both directions, and error bodies: Microsoft's `ApplicationFault` object discriminated by `Type`
 * (`{"TrackingId", "Type", "Errors"|"OperationErrors"|"BatchErrors", …}` or an `AdCenter*Fault` with `ErrorMessage`),
 * written top-level and read top-level or wrapped in `{"ApplicationFault": …}`.
 * The `TrackingId` of a successful call is an HTTP response header in REST, handled by the HTTP layer.
 */
import * as Either from "effect/Either"
import {
  DecodeFailure,
  EncodeFailure,
  toDecodeError,
  toEncodeError,
  WireDecodeError,
  WireEncodeError
} from "../codec/errors.js"
import {
  makeWireFault,
  type RestFaultDetailName,
  restFaultDetailNames,
  type WireFault,
  type WireFaultDetail
} from "../codec/faults.js"
import type { Operation, RequestOfOperation, ResponseOfOperation, RestWriter } from "../codec/types.js"
import { elementStruct } from "../codec/wire-model.js"
import { restFaultElements } from "../generated/faults.js"
import type { WireElement } from "../generated/wire-types.js"
import { readStruct, writeStruct, writeToText } from "./json.js"
import { JsonBytes } from "./json-bytes.js"

export interface RestDecodeOptions {
  /** Bodies larger than this (in UTF-16 code units, a lower bound of the bytes) are refused. Default 32 MiB. */
  readonly maxBytes?: number | undefined
}

const DEFAULT_MAX = 32 * 1024 * 1024

const noRoute = (op: Operation): string => `${op.name} has no REST route`

/** The buffer `encodeRestRequestBytes` writes into before copying out (encoding is synchronous). */
const shared = new JsonBytes()

const encodeBody = <A>(
  op: Operation,
  write: RestWriter,
  body: unknown,
  finish: (run: (out: JsonBytes) => void) => A
): Either.Either<A, WireEncodeError> => {
  if (op.rest === undefined) {
    return Either.left(new WireEncodeError({ reason: "InvalidValue", path: "", message: noRoute(op) }))
  }
  try {
    return Either.right(finish((out) => write(out, body)))
  } catch (e) {
    if (e instanceof EncodeFailure) return Either.left(toEncodeError(e))
    throw e
  }
}

const parse = (text: string, options: RestDecodeOptions | undefined): unknown => {
  const max = options?.maxBytes ?? DEFAULT_MAX
  if (text.length > max) throw new DecodeFailure("TooLarge", `the body is larger than ${max} bytes`)
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new DecodeFailure("NotWellFormed", `the body is not complete JSON (${(e as Error).message})`)
  }
}

const decodeBody = (
  op: Operation,
  element: WireElement,
  text: string,
  strict: boolean,
  options: RestDecodeOptions | undefined
): Either.Either<unknown, WireDecodeError> => {
  if (op.rest === undefined) {
    return Either.left(new WireDecodeError({ reason: "UnknownOperation", message: noRoute(op) }))
  }
  try {
    return Either.right(readStruct(elementStruct(element).model, parse(text, options), strict))
  } catch (e) {
    if (e instanceof DecodeFailure) return Either.left(toDecodeError(e))
    throw e
  }
}

/** The JSON request body of `op` (core side). */
export const encodeRestRequest = <O extends Operation>(
  op: O,
  body: RequestOfOperation<O>
): Either.Either<string, WireEncodeError> => encodeBody(op, op.restWriters.request, body, writeToText)

/** The JSON request body of `op` as the UTF-8 bytes to send (core side): no intermediate string. */
export const encodeRestRequestBytes = <O extends Operation>(
  op: O,
  body: RequestOfOperation<O>
): Either.Either<Uint8Array, WireEncodeError> =>
  encodeBody(op, op.restWriters.request, body, (run) => {
    shared.reset()
    run(shared)
    return shared.toBytes()
  })

/**
 * The JSON request body of `op` written into `out`: a view of its bytes, valid until `out` is written again (core side,
 * one buffer per request in flight).
 */
export const encodeRestRequestInto = <O extends Operation>(
  op: O,
  body: RequestOfOperation<O>,
  out: JsonBytes
): Either.Either<Uint8Array, WireEncodeError> =>
  encodeBody(op, op.restWriters.request, body, (run) => {
    out.reset()
    run(out)
    return out.view()
  })

/** Decodes a JSON request body of `op` strictly (emulator side): unknown properties are errors. */
export const decodeRestRequest = <O extends Operation>(
  op: O,
  text: string,
  options?: RestDecodeOptions
): Either.Either<RequestOfOperation<O>, WireDecodeError> =>
  decodeBody(op, op.wire.request, text, true, options) as Either.Either<RequestOfOperation<O>, WireDecodeError>

/** The JSON response body of `op` (emulator side). */
export const encodeRestResponse = <O extends Operation>(
  op: O,
  body: ResponseOfOperation<O>
): Either.Either<string, WireEncodeError> => encodeBody(op, op.restWriters.response, body, writeToText)

/** Decodes a JSON response body of `op` tolerantly (core side): unknown properties are ignored. */
export const decodeRestResponse = <O extends Operation>(
  op: O,
  text: string,
  options?: RestDecodeOptions
): Either.Either<ResponseOfOperation<O>, WireDecodeError> =>
  decodeBody(op, op.wire.response, text, false, options) as Either.Either<ResponseOfOperation<O>, WireDecodeError>

const faultElement = (name: RestFaultDetailName): WireElement => {
  const element = restFaultElements[name]
  if (element === undefined) throw new Error(`unknown REST fault type ${name}`)
  return element
}

// ===== faults =====

/** The `Type` a detail-less fault is written with: the REST models' generic fault, which carries an ErrorMessage. */
const GENERIC_FAULT = "AdCenterFault"

/**
 * A REST error body as the service sends it: one top-level `ApplicationFault` object, the detail's properties and its
 * `"Type"` (`ApiFaultDetail`, `AdApiFaultDetail`, … `AdCenterSystemFault`), with the fault's TrackingId when the detail
 * has none. No property of Microsoft's REST models is added (no top-level `Message`: the .NET SDK refuses unknown
 * members); a fault without detail becomes an `AdCenterFault` whose `ErrorMessage` is the fault's message. Never
 * fails: a detail that cannot be written becomes that generic fault.
 */
export const encodeRestFault = (fault: WireFault): string => {
  const trackingId = fault.trackingId ?? null
  if (fault.detail !== undefined) {
    try {
      const { model } = elementStruct(faultElement(fault.detail._tag))
      const value = fault.detail.value as unknown as Record<string, unknown>
      return writeStruct(
        model,
        { ...value, TrackingId: value.TrackingId ?? trackingId, _tag: fault.detail._tag },
        undefined
      )
    } catch (e) {
      if (!(e instanceof EncodeFailure)) throw e
    }
  }
  const { model } = elementStruct(faultElement(GENERIC_FAULT))
  return writeStruct(model, { _tag: GENERIC_FAULT, TrackingId: trackingId, ErrorMessage: fault.message }, undefined)
}

const isRestDetailName = (name: unknown): name is RestFaultDetailName =>
  typeof name === "string" && (restFaultDetailNames as ReadonlyArray<string>).includes(name)

/** The detail type of an error body: its `Type`, or without one, which error lists it carries. */
const detailNameOf = (body: Record<string, unknown>): RestFaultDetailName | undefined => {
  if (isRestDetailName(body.Type)) return body.Type
  if (body.Type !== undefined) return undefined
  if (body.EditorialErrors !== undefined) return "EditorialApiFaultDetail"
  if (body.Errors !== undefined) return "AdApiFaultDetail"
  if (body.OperationErrors !== undefined || body.BatchErrors !== undefined) return "ApiFaultDetail"
  return undefined
}

interface ErrorLike {
  readonly Message?: string | null | undefined
}

/** The fault's message: the first error's Message, or an AdCenter fault's ErrorMessage. */
const messageOf = (detail: WireFaultDetail | undefined): string | undefined => {
  if (detail === undefined) return undefined
  const value = detail.value as unknown as Record<string, unknown>
  if (typeof value.ErrorMessage === "string") return value.ErrorMessage
  for (const key of ["Errors", "OperationErrors", "BatchErrors", "EditorialErrors"]) {
    const list = value[key] as ReadonlyArray<ErrorLike | null> | null | undefined
    const message = list?.find((item) => typeof item?.Message === "string")?.Message
    if (typeof message === "string") return message
  }
  return undefined
}

/**
 * Decodes a REST error body: a top-level `ApplicationFault` object, or the same wrapped in `{"ApplicationFault": …}`
 * (one docs page shows that form). The detail type comes from `"Type"` — any of Microsoft's eight fault types — or,
 * without one, from which error lists are present; an unknown `"Type"` gives a fault without typed detail. The message
 * is the first error's, or an AdCenter fault's `ErrorMessage`.
 */
export const decodeRestFault = (
  text: string,
  options?: RestDecodeOptions
): Either.Either<WireFault, WireDecodeError> => {
  try {
    const parsed = parse(text, options)
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new DecodeFailure("SchemaMismatch", "the error body is not a JSON object")
    }
    let body = parsed as Record<string, unknown>
    const wrapped = body.ApplicationFault
    if (typeof wrapped === "object" && wrapped !== null && !Array.isArray(wrapped))
      body = wrapped as Record<string, unknown>
    const name = detailNameOf(body)
    let detail: WireFaultDetail | undefined
    if (name !== undefined) {
      const value = readStruct(elementStruct(faultElement(name)).model, body, false, name)
      detail = { _tag: name, value } as unknown as WireFaultDetail
    }
    const trackingId = typeof body.TrackingId === "string" ? body.TrackingId : undefined
    const message = messageOf(detail) ?? "The service returned an error."
    return Either.right(makeWireFault({ message, trackingId, detail }))
  } catch (e) {
    if (e instanceof DecodeFailure) return Either.left(toDecodeError(e))
    throw e
  }
}
