/**
 * The REST JSON codec of the Campaign Management service (api-facts.md §6), for operations with a REST route: request
 * and response bodies both directions, and error bodies in both documented forms — top-level
 * `{"TrackingId", "Type", "Errors"|"OperationErrors"|"BatchErrors", …}` and the same wrapped in `{"ApplicationFault": …}`.
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
  type FaultDetailName,
  faultDetailNames,
  makeWireFault,
  type WireFault,
  type WireFaultDetail
} from "../codec/faults.js"
import type { Operation, RequestOfOperation, ResponseOfOperation, RestWriter } from "../codec/types.js"
import { elementStruct } from "../codec/wire-model.js"
import { faultElements } from "../generated/faults.js"
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

const faultElement = (name: string): WireElement => {
  const element = faultElements[name]
  if (element === undefined) throw new Error(`unknown fault detail element ${name}`)
  return element
}

// ===== faults =====

/**
 * A REST error body, top-level form: the detail's properties with its `"Type"`, plus `"Message"` (the fault message)
 * and `"TrackingId"` when the detail has none. Never fails: a detail that cannot be written is left out.
 */
export const encodeRestFault = (fault: WireFault): string => {
  const message = `"Message":${JSON.stringify(fault.message)}`
  const tracking =
    fault.trackingId !== undefined && (fault.detail === undefined || typeof fault.detail.value.TrackingId !== "string")
      ? `"TrackingId":${JSON.stringify(fault.trackingId)}`
      : ""
  const extra = tracking === "" ? message : `${tracking},${message}`
  if (fault.detail !== undefined) {
    try {
      const { model } = elementStruct(faultElement(fault.detail._tag))
      return writeStruct(model, { ...fault.detail.value, _tag: fault.detail._tag }, extra)
    } catch (e) {
      if (!(e instanceof EncodeFailure)) throw e
    }
  }
  return `{${extra}}`
}

const isDetailName = (name: unknown): name is FaultDetailName =>
  typeof name === "string" && (faultDetailNames as ReadonlyArray<string>).includes(name)

const detailNameOf = (body: Record<string, unknown>): FaultDetailName | undefined => {
  if (isDetailName(body.Type)) return body.Type
  if (body.Type !== undefined) return undefined
  if (body.EditorialErrors !== undefined) return "EditorialApiFaultDetail"
  if (body.Errors !== undefined) return "AdApiFaultDetail"
  if (body.OperationErrors !== undefined || body.BatchErrors !== undefined) return "ApiFaultDetail"
  return undefined
}

interface ErrorLike {
  readonly Message?: string | null | undefined
}

const firstMessage = (detail: WireFaultDetail | undefined): string | undefined => {
  if (detail === undefined) return undefined
  const value = detail.value as unknown as Record<string, unknown>
  for (const key of ["Errors", "OperationErrors", "BatchErrors", "EditorialErrors"]) {
    const list = value[key] as ReadonlyArray<ErrorLike | null> | null | undefined
    const message = list?.find((item) => typeof item?.Message === "string")?.Message
    if (typeof message === "string") return message
  }
  return undefined
}

/**
 * Decodes a REST error body, top-level or wrapped in `{"ApplicationFault": …}`. The detail type comes from `"Type"`
 * (or, without one, from which error lists are present); an unknown `"Type"` gives a fault without typed detail.
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
    const message =
      typeof body.Message === "string" ? body.Message : (firstMessage(detail) ?? "The service returned an error.")
    return Either.right(makeWireFault({ message, trackingId, detail }))
  } catch (e) {
    if (e instanceof DecodeFailure) return Either.left(toDecodeError(e))
    throw e
  }
}
