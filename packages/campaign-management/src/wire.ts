/**
 * @uplink/campaign-management/wire: the SOAP 1.1 and REST JSON codecs, without the contracts. Every codec function
 * takes an operation's table entry — imported from its entry point `@uplink/campaign-management/operations/<Op>`,
 * loaded by name with `loadOperation`, or read from the full table `@uplink/campaign-management/operations` — so a
 * program loads and constructs the Schemas and wire metadata of the operations it uses and of no other. Importing this
 * module loads only the fault detail types (every operation can answer with a fault).
 *
 * The package root exports the same codecs taking operation names (it loads the full table).
 */

// ===== Operations =====

export type {
  Operation,
  RequestOf,
  RequestOfOperation,
  ResponseOf,
  ResponseOfOperation,
  RestWriter
} from "./codec/types.js"
export type { OperationName, Operations } from "./generated/operations.js"
export { isOperationName, loadOperation, operationNames, restRoutesWithoutContract } from "./generated/loader.js"
export type {
  WireArrayType,
  WireConcreteType,
  WireElement,
  WireEnumType,
  WireField,
  WireListType,
  WireRestrictionType,
  WireStructType,
  WireType
} from "./generated/wire-types.js"
export { namespaces, soapAddresses, targetNamespace } from "./generated/wire-types.js"

// ===== Errors and faults =====

export { WireDecodeError, type WireDecodeReason, WireEncodeError } from "./codec/errors.js"
export {
  type FaultDetailName,
  type FaultErrorCode,
  faultDetailNames,
  faultErrorCodes,
  isWireFault,
  makeWireFault,
  type RestFaultDetailName,
  restFaultDetailNames,
  type WireFault,
  type WireFaultDetail
} from "./codec/faults.js"

// ===== Scalars =====

export {
  decimalWidth,
  formatDateTime,
  formatNumber,
  parseDateTime,
  usualDateTimeMillis,
  utcFields,
  utcFromMillis
} from "./codec/scalars.js"
export { type UncarriableCharacter, uncarriableCharacter } from "./xml/text.js"

// ===== SOAP =====

export {
  DEFAULT_MAX_BYTES,
  type DecodedSoapRequest,
  type DecodeOptions,
  type DecodeRequestOptions,
  decodeSoapRequest,
  decodeSoapResponse,
  encodeSoapRequest,
  encodeSoapResponse,
  type SoapRequestHeaders,
  type SoapResponse
} from "./soap/envelope.js"
export { encodeSoapFault } from "./soap/fault.js"

// ===== REST =====

export {
  decodeRestFault,
  decodeRestRequest,
  decodeRestResponse,
  encodeRestFault,
  encodeRestRequest,
  encodeRestRequestBytes,
  encodeRestRequestInto,
  encodeRestResponse,
  type RestDecodeOptions
} from "./rest/codec.js"
export { JsonBytes } from "./rest/json-bytes.js"
export {
  discriminatorOf as restDiscriminatorOf,
  discriminatorOverrides as restDiscriminatorOverrides
} from "./rest/discriminators.js"
