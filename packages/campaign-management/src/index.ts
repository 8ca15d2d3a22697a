/**
 * @uplink/campaign-management: the typed contracts of the Campaign Management v13 service and their wire codecs, all
 * in one import: `Schemas` (an Effect Schema per WSDL type), `wireTypes` / `wireElements`, the full operation table
 * `operations`, and the codecs of `./wire.ts` taking operation names.
 *
 * Importing this module loads every contract (all 178 operations). Programs that use a few operations import the
 * entry points instead: `@uplink/campaign-management/operations/<Op>` (one operation and the types it reaches),
 * `@uplink/campaign-management/wire` (the codecs, taking those entries, and `loadOperation`), and, type-only,
 * `@uplink/campaign-management/schemas`. Everything under `src/generated/` is written by `pnpm codegen`.
 */
import type * as Either from "effect/Either"
import type { WireDecodeError, WireEncodeError } from "./codec/errors.js"
import type { WireFault } from "./codec/faults.js"
import type { RequestOf, ResponseOf } from "./codec/types.js"
import { type OperationName, operations } from "./generated/operations.js"
import type { JsonBytes } from "./rest/json-bytes.js"
import * as Rest from "./rest/codec.js"
import * as Soap from "./soap/envelope.js"

export * as Schemas from "./generated/schemas.js"
export {
  NS0,
  namespaces,
  targetNamespace,
  type WireConcreteType,
  type WireElement,
  type WireField,
  type WireType,
  wireElements,
  wireTypes
} from "./generated/wire.js"
export {
  type OperationName,
  type Operations,
  operationNames,
  operations,
  soapAddresses
} from "./generated/operations.js"

// Everything of the codec entry point; the codec functions below shadow its own (they take names, not entries).
export * from "./wire.js"

// ===== Codecs by operation name (compatibility: they look the name up in the full table) =====

/** A decoded response envelope of `Op` (client side). */
export type DecodedSoapResponse<Op extends OperationName> = Soap.SoapResponse<ResponseOf<Op>>

/** The request envelope of `op`: see `@uplink/campaign-management/wire`. */
export const encodeSoapRequest = <Op extends OperationName>(
  op: Op,
  body: RequestOf<Op>,
  headers: Soap.SoapRequestHeaders
): Either.Either<string, WireEncodeError> => Soap.encodeSoapRequest(operations[op], body as never, headers)

/** The response envelope of `op` with the `TrackingId` header (emulator side). */
export const encodeSoapResponse = <Op extends OperationName>(
  op: Op,
  body: ResponseOf<Op>,
  trackingId: string
): Either.Either<string, WireEncodeError> => Soap.encodeSoapResponse(operations[op], body as never, trackingId)

/** Decodes a request envelope of any operation strictly (emulator side). */
export const decodeSoapRequest = (
  xml: string,
  options?: Soap.DecodeOptions
): Either.Either<Soap.DecodedSoapRequest, WireDecodeError> =>
  Soap.decodeSoapRequest(xml, { maxBytes: options?.maxBytes, operations })

/** Decodes a response envelope of `op` tolerantly (client side); a `s:Fault` is a `WireFault` (Left). */
export const decodeSoapResponse = <Op extends OperationName>(
  op: Op,
  xml: string,
  options?: Soap.DecodeOptions
): Either.Either<DecodedSoapResponse<Op>, WireFault | WireDecodeError> =>
  Soap.decodeSoapResponse(operations[op], xml, options) as Either.Either<
    DecodedSoapResponse<Op>,
    WireFault | WireDecodeError
  >

/** The JSON request body of `op` (core side). */
export const encodeRestRequest = <Op extends OperationName>(
  op: Op,
  body: RequestOf<Op>
): Either.Either<string, WireEncodeError> => Rest.encodeRestRequest(operations[op], body as never)

/** The JSON request body of `op` as UTF-8 bytes. */
export const encodeRestRequestBytes = <Op extends OperationName>(
  op: Op,
  body: RequestOf<Op>
): Either.Either<Uint8Array, WireEncodeError> => Rest.encodeRestRequestBytes(operations[op], body as never)

/** The JSON request body of `op` written into `out` (a view valid until `out` is written again). */
export const encodeRestRequestInto = <Op extends OperationName>(
  op: Op,
  body: RequestOf<Op>,
  out: JsonBytes
): Either.Either<Uint8Array, WireEncodeError> => Rest.encodeRestRequestInto(operations[op], body as never, out)

/** Decodes a JSON request body of `op` strictly (emulator side). */
export const decodeRestRequest = <Op extends OperationName>(
  op: Op,
  text: string,
  options?: Rest.RestDecodeOptions
): Either.Either<RequestOf<Op>, WireDecodeError> =>
  Rest.decodeRestRequest(operations[op], text, options) as Either.Either<RequestOf<Op>, WireDecodeError>

/** The JSON response body of `op` (emulator side). */
export const encodeRestResponse = <Op extends OperationName>(
  op: Op,
  body: ResponseOf<Op>
): Either.Either<string, WireEncodeError> => Rest.encodeRestResponse(operations[op], body as never)

/** Decodes a JSON response body of `op` tolerantly (core side). */
export const decodeRestResponse = <Op extends OperationName>(
  op: Op,
  text: string,
  options?: Rest.RestDecodeOptions
): Either.Either<ResponseOf<Op>, WireDecodeError> =>
  Rest.decodeRestResponse(operations[op], text, options) as Either.Either<ResponseOf<Op>, WireDecodeError>
