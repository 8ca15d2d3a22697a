/**
 * The WSDL model: what codegen reads out of a WSDL 1.1 document with inline XML Schemas, independent of how it is
 * emitted. Types are keyed by `{namespace}name` (or `{namespace}#element` for anonymous element types) and carry a
 * unique TypeScript name chosen here, so that every emitter names things the same way.
 */

export const XS = "http://www.w3.org/2001/XMLSchema"
export const WSDL = "http://schemas.xmlsoap.org/wsdl/"
export const WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"

/** XSD built-in simple types Uplink maps (`xs:` local names). */
export type BuiltinName =
  | "string"
  | "anyURI"
  | "QName"
  | "ID"
  | "IDREF"
  | "base64Binary"
  | "duration"
  | "boolean"
  | "byte"
  | "short"
  | "int"
  | "unsignedByte"
  | "unsignedShort"
  | "unsignedInt"
  | "float"
  | "double"
  | "decimal"
  | "long"
  | "unsignedLong"
  | "dateTime"
  | "anyType"

export const BUILTINS: ReadonlySet<string> = new Set<BuiltinName>([
  "string",
  "anyURI",
  "QName",
  "ID",
  "IDREF",
  "base64Binary",
  "duration",
  "boolean",
  "byte",
  "short",
  "int",
  "unsignedByte",
  "unsignedShort",
  "unsignedInt",
  "float",
  "double",
  "decimal",
  "long",
  "unsignedLong",
  "dateTime",
  "anyType"
])

/** A reference to a type: an XSD built-in, or a type of the model by key. */
export type TypeRef = { readonly builtin: BuiltinName } | { readonly key: string }

/** One element of a complex type's sequence. */
export interface FieldModel {
  readonly name: string
  /** Namespace of the element (all schemas here are elementFormDefault="qualified": the declaring schema's). */
  readonly ns: string
  readonly type: TypeRef
  /** minOccurs="0". */
  readonly optional: boolean
  /** maxOccurs > 1 or "unbounded". */
  readonly repeated: boolean
  /** nillable="true": may be sent as `xsi:nil`. */
  readonly nillable: boolean
  /** Added by the REST overlay: not in the WSDL, so never written to (or accepted in) a SOAP envelope. */
  readonly restOnly?: boolean | undefined
}

interface TypeCommon {
  readonly key: string
  readonly ns: string
  /** The XSD name, used in `xsi:type`; undefined for an anonymous element type. */
  readonly xmlName: string | undefined
  /** The unique TypeScript identifier. */
  readonly tsName: string
  /** The XSD type name, or for an anonymous type the name of the element that declares it. */
  readonly sourceName: string
  /** Declared by the REST overlay: not in the WSDL (a REST-only operation's type, a REST-only derived type). */
  readonly restOnly?: boolean | undefined
}

export interface ComplexTypeModel extends TypeCommon {
  readonly kind: "complex"
  /** Key of the `complexContent/extension` base, if any. */
  readonly base: string | undefined
  readonly abstract: boolean
  /** The type's own sequence (base fields are not repeated here). */
  readonly fields: ReadonlyArray<FieldModel>
}

export interface EnumTypeModel extends TypeCommon {
  readonly kind: "enum"
  readonly values: ReadonlyArray<string>
  /** Values the REST overlay added (also in `values`): not in the WSDL, so REST only. */
  readonly restOnlyValues?: ReadonlyArray<string> | undefined
}

/** `xs:list`: a space-separated list of enumeration values (flags). */
export interface ListTypeModel extends TypeCommon {
  readonly kind: "list"
  readonly item: TypeRef | { readonly values: ReadonlyArray<string> }
  /** Inline values the REST overlay added (also in `item.values`): not in the WSDL, so REST only. */
  readonly restOnlyValues?: ReadonlyArray<string> | undefined
}

/** A restriction of a built-in that is not an enumeration (`char`, `guid`, `duration`). */
export interface RestrictionTypeModel extends TypeCommon {
  readonly kind: "restriction"
  readonly base: BuiltinName
  readonly pattern: string | undefined
}

export type TypeModel = ComplexTypeModel | EnumTypeModel | ListTypeModel | RestrictionTypeModel

/** A top-level `xs:element`. */
export interface ElementModel {
  readonly ns: string
  readonly name: string
  readonly type: TypeRef
  readonly nillable: boolean
}

export interface FaultModel {
  /** The `wsdl:fault` name, e.g. `AdApiFaultDetailFault`. */
  readonly name: string
  /** Key of the detail element (`{ns}name`). */
  readonly element: string
}

export interface OperationModel {
  readonly name: string
  /** The SOAPAction; undefined for an operation without a SOAP binding (REST only, from the overlay). */
  readonly soapAction: string | undefined
  /** Keys of the body elements (`{ns}name`). */
  readonly request: string
  readonly response: string
  /** Local names of the SOAP header elements, in binding order. */
  readonly requestHeaders: ReadonlyArray<string>
  readonly responseHeaders: ReadonlyArray<string>
  readonly faults: ReadonlyArray<FaultModel>
}

export interface WsdlModel {
  readonly serviceName: string
  readonly targetNamespace: string
  /** Every schema's targetNamespace, in document order. */
  readonly namespaces: ReadonlyArray<string>
  readonly types: ReadonlyMap<string, TypeModel>
  readonly elements: ReadonlyMap<string, ElementModel>
  readonly operations: ReadonlyArray<OperationModel>
  /** `soap:address` locations, in document order. */
  readonly addresses: ReadonlyArray<string>
  /**
   * The elements of the REST error bodies, by their `Type` (local name) — the fault details of the WSDL and the REST-only
   * ones of the overlay. Empty without an overlay.
   */
  readonly restFaults?: ReadonlyArray<string> | undefined
}

export const keyOf = (ns: string, name: string): string => `{${ns}}${name}`

/** The local part of a key. */
export const localOf = (key: string): string => key.slice(key.indexOf("}") + 1)
