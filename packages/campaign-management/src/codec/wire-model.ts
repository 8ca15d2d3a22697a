/**
 * The generated wire metadata (`wire_<Type>` constants, reached from an operation's `wire` elements) compiled into the
 * shapes the codecs walk: every field resolved to a kind (scalar, enum, list, struct, array), name → index maps,
 * concrete types by tag and by `xsi:type` local name, and the namespaces a type can reach. Compiled lazily per type
 * (the first time a value needs it) and cached by the metadata object, so a process compiles only the types it writes
 * or reads, and nothing here refers to a table of all types.
 */
import type { WireElement, WireField, WireStructType, WireType } from "../generated/wire-types.js"
import { dataPrefixes } from "../xml/namespaces.js"

/** How a value is written and read. Scalars carry the XSD builtin they come from. */
export type ScalarKind = "string" | "int" | "long" | "boolean" | "double" | "decimal" | "dateTime"

export interface ScalarInfo {
  readonly kind: ScalarKind
  /** Inclusive range for integer kinds. */
  readonly min?: number | bigint
  readonly max?: number | bigint
}

const scalars: Readonly<Record<string, ScalarInfo>> = {
  "xs:string": { kind: "string" },
  "xs:anyURI": { kind: "string" },
  "xs:base64Binary": { kind: "string" },
  "xs:duration": { kind: "string" },
  "xs:QName": { kind: "string" },
  "xs:int": { kind: "int", min: -2147483648, max: 2147483647 },
  "xs:short": { kind: "int", min: -32768, max: 32767 },
  "xs:byte": { kind: "int", min: -128, max: 127 },
  "xs:unsignedInt": { kind: "int", min: 0, max: 4294967295 },
  "xs:unsignedShort": { kind: "int", min: 0, max: 65535 },
  "xs:unsignedByte": { kind: "int", min: 0, max: 255 },
  "xs:long": { kind: "long", min: -(2n ** 63n), max: 2n ** 63n - 1n },
  "xs:unsignedLong": { kind: "long", min: 0n, max: 2n ** 64n - 1n },
  "xs:boolean": { kind: "boolean" },
  "xs:double": { kind: "double" },
  "xs:float": { kind: "double" },
  "xs:decimal": { kind: "decimal" },
  "xs:dateTime": { kind: "dateTime" }
}

/** The scalar info of an XSD builtin, or undefined when the codec does not support it. */
export const scalarInfo = (xsType: string): ScalarInfo | undefined => scalars[xsType]

/** A resolved type: what a field's `type` refers to. */
export type Model =
  | {
      readonly kind: "scalar"
      readonly name: string
      readonly scalar: ScalarInfo
      readonly pattern: RegExp | undefined
    }
  | {
      readonly kind: "enum"
      readonly name: string
      readonly values: ReadonlySet<string>
      /** Values of the REST overlay (also in `values`): refused by the SOAP codec. */
      readonly restOnlyValues: ReadonlySet<string> | undefined
    }
  | {
      readonly kind: "list"
      readonly name: string
      readonly values: ReadonlySet<string> | undefined
      /** Values of the REST overlay (also in `values`): refused by the SOAP codec. */
      readonly restOnlyValues: ReadonlySet<string> | undefined
      readonly item: Model
    }
  | StructModel
  | ArrayModel

/** The start, end, empty and nil tags of an element, precomputed because they are written for every value. */
export interface ElementTags {
  readonly qname: string
  readonly open: string
  readonly close: string
  readonly empty: string
  readonly nil: string
}

/** The tags of an element named `qname` (with its prefix, if any). */
export const elementTags = (qname: string): ElementTags => ({
  qname,
  open: `<${qname}>`,
  close: `</${qname}>`,
  empty: `<${qname}/>`,
  nil: `<${qname} i:nil="true"/>`
})

export interface FieldModel {
  readonly name: string
  /** The REST JSON property name: the XSD name with an upper-case first letter (`key` → `Key`). */
  readonly jsonName: string
  readonly ns: string
  readonly type: string
  readonly optional: boolean
  readonly repeated: boolean
  readonly nillable: boolean
  /** A field of the REST overlay (not in the WSDL): the SOAP codec neither writes nor accepts it. */
  readonly restOnly: boolean
  /** Resolved on first use (types are recursive). */
  readonly model: () => Model
  /** XML tags when the element is in the document's default namespace (no prefix). */
  readonly tags: ElementTags
  /** XML tags with the fixed prefix of the element's namespace (when it is not the default one). */
  readonly prefixedTags: ElementTags
}

export interface ConcreteModel {
  readonly tag: string
  readonly type: string
  readonly ns: string
  /** A derived type of the REST overlay (not in the WSDL): the SOAP codec neither writes nor accepts it. */
  readonly restOnly: boolean
  /** The compiled model of this concrete type. */
  readonly struct: () => StructModel
}

export interface StructModel {
  readonly kind: "struct"
  readonly name: string
  /** The generated metadata this model was compiled from. */
  readonly wire: WireStructType
  readonly ns: string
  readonly tagged: boolean
  readonly fields: ReadonlyArray<FieldModel>
  /** Field index by XSD local name. */
  readonly byName: ReadonlyMap<string, number>
  /** Field index by REST property name (both `Key` and `key` spellings). */
  readonly byJsonName: ReadonlyMap<string, number>
  /** This type (unless abstract) and every type derived from it, by `_tag`. */
  readonly concrete: ReadonlyMap<string, ConcreteModel>
  /** The `_tag` of this type itself, or undefined when it is abstract (or not in a hierarchy). */
  readonly selfTag: string | undefined
  /** True when values of this declared type may be of several concrete types. */
  readonly polymorphic: boolean
}

export interface ArrayModel {
  readonly kind: "array"
  readonly name: string
  readonly ns: string
  readonly item: FieldModel
}

const cache = new WeakMap<WireType, Model>()
const builtins = new Map<string, Model>()

const upperFirst = (name: string): string => (name === "" ? name : name[0]!.toUpperCase() + name.slice(1))

const fieldModel = (field: WireField): FieldModel => {
  let resolved: Model | undefined
  return {
    name: field.name,
    jsonName: upperFirst(field.name),
    ns: field.ns,
    type: field.type,
    optional: field.optional,
    repeated: field.repeated,
    nillable: field.nillable,
    restOnly: field.restOnly === true,
    model: () => (resolved ??= field.ref === undefined ? builtinModel(field.type) : modelOf(field.ref())),
    tags: elementTags(field.name),
    prefixedTags: elementTags(`${dataPrefixes.get(field.ns) ?? "ns"}:${field.name}`)
  }
}

const restOnlySet = (values: ReadonlyArray<string> | undefined): ReadonlySet<string> | undefined =>
  values === undefined || values.length === 0 ? undefined : new Set(values)

const compile = (wire: WireType): Model => {
  const name = wire.name
  switch (wire.kind) {
    case "enum":
      return { kind: "enum", name, values: new Set(wire.values), restOnlyValues: restOnlySet(wire.restOnlyValues) }
    case "list": {
      const restOnlyValues = restOnlySet(wire.restOnlyValues)
      const item: Model =
        wire.item === undefined
          ? { kind: "enum", name: `${name}Item`, values: new Set(wire.values ?? []), restOnlyValues }
          : wire.itemRef === undefined
            ? builtinModel(wire.item)
            : modelOf(wire.itemRef())
      return {
        kind: "list",
        name,
        values: wire.values === undefined ? undefined : new Set(wire.values),
        restOnlyValues,
        item
      }
    }
    case "restriction": {
      const scalar = scalarInfo(wire.base)
      if (scalar === undefined) throw new Error(`unsupported restriction base ${wire.base} of ${name}`)
      return {
        kind: "scalar",
        name,
        scalar,
        pattern: wire.pattern === undefined ? undefined : new RegExp(`^(?:${wire.pattern})$`)
      }
    }
    case "array":
      return { kind: "array", name, ns: wire.ns, item: fieldModel(wire.item) }
    case "struct": {
      const fields = wire.fields.map(fieldModel)
      const byName = new Map<string, number>()
      const byJsonName = new Map<string, number>()
      fields.forEach((field, index) => {
        byName.set(field.name, index)
        byJsonName.set(field.jsonName, index)
        byJsonName.set(field.name, index)
      })
      const concrete = new Map(
        wire.concrete.map((c) => {
          let struct: StructModel | undefined
          const model: ConcreteModel = {
            tag: c.tag,
            type: c.type,
            ns: c.ns,
            restOnly: c.restOnly === true,
            struct: () => (struct ??= structOf(c.ref()))
          }
          return [c.tag, model] as const
        })
      )
      return {
        kind: "struct",
        name,
        wire,
        ns: wire.ns,
        tagged: wire.tagged,
        fields,
        byName,
        byJsonName,
        concrete,
        selfTag: wire.concrete.find((c) => c.type === name)?.tag,
        polymorphic: wire.concrete.length > 1
      }
    }
  }
}

/** The model of an XSD built-in (`xs:string`, …). Throws for built-ins the codecs do not support. */
export const builtinModel = (type: string): Model => {
  const cached = builtins.get(type)
  if (cached !== undefined) return cached
  const scalar = scalarInfo(type)
  if (scalar === undefined) throw new Error(`unsupported XSD builtin ${type}`)
  const model: Model = { kind: "scalar", name: type, scalar, pattern: undefined }
  builtins.set(type, model)
  return model
}

/** The compiled model of a type's wire metadata. */
export const modelOf = (wire: WireType): Model => {
  let model = cache.get(wire)
  if (model === undefined) {
    model = compile(wire)
    cache.set(wire, model)
  }
  return model
}

/** The struct model of a type's wire metadata; throws when the type is not a struct. */
export const structOf = (wire: WireType): StructModel => {
  const model = modelOf(wire)
  if (model.kind !== "struct") throw new Error(`${wire.name} is not a complex type with a sequence`)
  return model
}

/** The struct model of a top-level element (a request/response wrapper or a fault detail). */
export const elementStruct = (element: WireElement): { readonly ns: string; readonly model: StructModel } => {
  if (element.ref === undefined) throw new Error(`element ${element.name} has the built-in type ${element.type}`)
  return { ns: element.ns, model: structOf(element.ref()) }
}

/** The wire metadata of the root of a type's extension hierarchy (the type itself when it has no base). */
export const rootOf = (wire: WireStructType): WireStructType => {
  let root = wire
  while (root.baseRef !== undefined) root = root.baseRef()
  return root
}

// ===== Namespaces reachable from a type (to declare exactly the prefixes a document needs) =====

const reachableCache = new WeakMap<StructModel, ReadonlySet<string>>()

/** Every namespace an element of struct type `root` or its descendants (including derived types) can be written in. */
export const reachableNamespaces = (root: StructModel): ReadonlySet<string> => {
  const cached = reachableCache.get(root)
  if (cached !== undefined) return cached
  const seen = new Set<Model>()
  const out = new Set<string>()
  const visit = (model: Model): void => {
    if (model.kind === "scalar" || seen.has(model)) return
    seen.add(model)
    if (model.kind === "struct") {
      for (const c of model.concrete.values()) {
        out.add(c.ns)
        if (c.type !== model.name) visit(c.struct())
      }
      for (const field of model.fields) {
        out.add(field.ns)
        visit(field.model())
      }
    } else if (model.kind === "array") {
      out.add(model.item.ns)
      visit(model.item.model())
    }
  }
  visit(root)
  reachableCache.set(root, out)
  return out
}
