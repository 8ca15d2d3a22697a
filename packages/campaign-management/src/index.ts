/**
 * @uplink/campaign-management: the typed contracts of the Campaign Management v13 service.
 *
 * Everything under `src/generated/` is written by `pnpm codegen` from the WSDL and never edited by hand; this index is
 * the only entry point downstream packages import. `Schemas` holds an Effect Schema per WSDL type, `wireTypes` /
 * `wireElements` the XML facts the codecs need, and `operations` the operation table.
 */
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

// ===== Wire codecs (hand-written, driven by the generated tables) =====

export type { RequestOf, ResponseOf } from "./codec/types.js"
export { WireDecodeError, type WireDecodeReason, WireEncodeError } from "./codec/errors.js"
export {
  type FaultDetailName,
  type FaultErrorCode,
  faultDetailNames,
  faultErrorCodes,
  isWireFault,
  makeWireFault,
  type WireFault,
  type WireFaultDetail
} from "./codec/faults.js"
export {
  decimalWidth,
  formatDateTime,
  formatNumber,
  parseDateTime,
  usualDateTimeMillis,
  utcFields,
  utcFromMillis
} from "./codec/scalars.js"
export {
  DEFAULT_MAX_BYTES,
  type DecodedSoapRequest,
  type DecodedSoapResponse,
  type DecodeOptions,
  decodeSoapRequest,
  decodeSoapResponse,
  encodeSoapRequest,
  encodeSoapResponse,
  type SoapRequestHeaders
} from "./soap/envelope.js"
export { encodeSoapFault } from "./soap/fault.js"
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
export { type UncarriableCharacter, uncarriableCharacter } from "./xml/text.js"
export {
  discriminatorOf as restDiscriminatorOf,
  discriminatorOverrides as restDiscriminatorOverrides
} from "./rest/discriminators.js"
