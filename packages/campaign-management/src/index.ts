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
