/**
 * The wire metadata: the XML facts the Effect Schemas cannot carry, as plain data for the schema-driven codecs —
 * every type's namespace and XSD name, element names and order (base fields first), optional / nillable /
 * repeated flags, `ArrayOfX` item elements, enumeration values, `xs:list` items, the concrete types a polymorphic
 * field may carry (for `xsi:type`), and the top-level elements (request, response, header and fault elements).
 *
 * Each type's metadata is a constant `wire_<Type>` in its type module. References to other types are functions
 * (`ref: () => wire_Other`), so a module can refer to types declared below it or in a cycle, and the codecs follow
 * them only when a value needs them. `wire-types.ts` declares the shapes and the namespaces; the compatibility table
 * `wire.ts` (`wireTypes`, `wireElements` by name) imports every type module and is for tools that want all of them.
 */
import type { EmitContext } from "./emit-schemas.js"
import type { Naming } from "./naming.js"
import type { Hierarchy } from "./hierarchy.js"
import type { ElementModel, FieldModel, TypeRef, WsdlModel } from "./model.js"
import type { ModulePlan } from "./plan.js"
import { ModuleScope, wireName } from "./scope.js"

const literal = (value: unknown) => JSON.stringify(value)

/** The constant name of a namespace URI (`NS<index>` in document order). */
const namespaceConstant = (model: WsdlModel, uri: string): string | undefined => {
  const index = model.namespaces.indexOf(uri)
  return index === -1 ? undefined : `NS${index}`
}

/** The expression of a namespace in a module: its `NS<i>` constant (imported) or the URI as a literal. */
const nsExpr = (model: WsdlModel, scope: ModuleScope, uri: string): string => {
  const constant = namespaceConstant(model, uri)
  return constant === undefined ? literal(uri) : scope.value("wire-types", constant)
}

const typeName = (naming: Naming, ref: TypeRef): string =>
  "builtin" in ref ? `xs:${ref.builtin}` : naming.tsName(ref.key)

const refExpr = (scope: ModuleScope, ref: TypeRef): string =>
  "builtin" in ref ? "undefined" : `() => ${scope.wireRef(ref.key)}`

const fieldExpr = (ctx: EmitContext, f: FieldModel): string =>
  `{ name: ${literal(f.name)}, ns: ${nsExpr(ctx.model, ctx.scope, f.ns)}, type: ${literal(typeName(ctx.naming, f.type))}, ref: ${refExpr(ctx.scope, f.type)}, optional: ${f.optional}, repeated: ${f.repeated}, nillable: ${f.nillable}${f.restOnly === true ? ", restOnly: true" : ""} }`

/** `, restOnlyValues: [...]` when the overlay added values to an enumeration or list, else nothing. */
const restOnlyValuesExpr = (values: ReadonlyArray<string> | undefined): string =>
  values === undefined || values.length === 0 ? "" : `, restOnlyValues: ${literal(values)}`

/** A top-level element as a `WireElement` literal. */
export const elementExpr = (ctx: EmitContext, element: ElementModel): string =>
  `{ name: ${literal(element.name)}, ns: ${nsExpr(ctx.model, ctx.scope, element.ns)}, type: ${literal(typeName(ctx.naming, element.type))}, ref: ${refExpr(ctx.scope, element.type)}, nillable: ${element.nillable} }`

/** `wire-types.ts`: the shapes of the wire metadata, the namespace constants and the service's SOAP addresses. */
export const emitWireTypes = (model: WsdlModel, header: string): string => {
  const out: Array<string> = [
    header,
    "/** One element of a complex type's sequence. */",
    "export interface WireField {",
    "  readonly name: string",
    "  readonly ns: string",
    "  /** `xs:<builtin>`, or the name of the element's type (whose metadata is `ref()`). */",
    "  readonly type: string",
    "  /** The element's type; undefined for XSD built-ins. */",
    "  readonly ref: (() => WireType) | undefined",
    "  readonly optional: boolean",
    "  readonly repeated: boolean",
    "  readonly nillable: boolean",
    "  /** Added by the REST overlay (not in the WSDL): never written to, nor accepted in, a SOAP request. */",
    "  readonly restOnly?: true",
    "}",
    "",
    "/** A concrete type a value may have where its declared type has derived types. */",
    "export interface WireConcreteType {",
    "  /** The `_tag` value and the `xsi:type` local name. */",
    "  readonly tag: string",
    "  readonly type: string",
    "  readonly ns: string",
    "  readonly ref: () => WireStructType",
    "  /** A derived type of the REST overlay (not in the WSDL): REST only. */",
    "  readonly restOnly?: true",
    "}",
    "",
    "/** A complex type with a sequence. */",
    "export interface WireStructType {",
    '  readonly kind: "struct"',
    "  readonly name: string",
    "  readonly ns: string",
    "  readonly xmlName: string | undefined",
    "  /** True when values carry `_tag` (the type is in an extension hierarchy). */",
    "  readonly tagged: boolean",
    "  readonly base: string | undefined",
    "  readonly baseRef: (() => WireStructType) | undefined",
    "  /** Base fields first, then own fields: the wire order. */",
    "  readonly fields: ReadonlyArray<WireField>",
    "  /** This type (unless abstract) and every type derived from it. */",
    "  readonly concrete: ReadonlyArray<WireConcreteType>",
    "}",
    "",
    "/** A DataContract `ArrayOfX`: a sequence of one repeated element. */",
    "export interface WireArrayType {",
    '  readonly kind: "array"',
    "  readonly name: string",
    "  readonly ns: string",
    "  readonly xmlName: string | undefined",
    "  readonly item: WireField",
    "}",
    "",
    "/** An enumeration. */",
    "export interface WireEnumType {",
    '  readonly kind: "enum"',
    "  readonly name: string",
    "  readonly ns: string",
    "  readonly xmlName: string | undefined",
    "  readonly values: ReadonlyArray<string>",
    "  /** Values of the REST overlay (also in `values`, not in the WSDL): REST only. */",
    "  readonly restOnlyValues?: ReadonlyArray<string>",
    "}",
    "",
    "/** An `xs:list`: space-separated items (flags). */",
    "export interface WireListType {",
    '  readonly kind: "list"',
    "  readonly name: string",
    "  readonly ns: string",
    "  readonly xmlName: string | undefined",
    "  /** `xs:<builtin>` or the name of the item type; undefined when the items are the inline `values`. */",
    "  readonly item: string | undefined",
    "  readonly itemRef: (() => WireType) | undefined",
    "  readonly values: ReadonlyArray<string> | undefined",
    "  /** Values of the REST overlay (also in `values`, not in the WSDL): REST only. */",
    "  readonly restOnlyValues?: ReadonlyArray<string>",
    "}",
    "",
    "/** A restriction of a built-in that is not an enumeration (a pattern). */",
    "export interface WireRestrictionType {",
    '  readonly kind: "restriction"',
    "  readonly name: string",
    "  readonly ns: string",
    "  readonly xmlName: string | undefined",
    "  readonly base: string",
    "  readonly pattern: string | undefined",
    "}",
    "",
    "export type WireType = WireStructType | WireArrayType | WireEnumType | WireListType | WireRestrictionType",
    "",
    "/** A top-level element: body wrappers, SOAP headers and fault details. */",
    "export interface WireElement {",
    "  readonly name: string",
    "  readonly ns: string",
    "  /** `xs:<builtin>`, or the name of the element's type (whose metadata is `ref()`). */",
    "  readonly type: string",
    "  readonly ref: (() => WireType) | undefined",
    "  readonly nillable: boolean",
    "}",
    "",
    "// ===== Namespaces =====",
    ""
  ]
  for (const [i, uri] of model.namespaces.entries()) out.push(`export const NS${i} = ${literal(uri)}`)
  out.push(`export const namespaces = [${model.namespaces.map((_, i) => `NS${i}`).join(", ")}] as const`, "")
  const target = namespaceConstant(model, model.targetNamespace) ?? literal(model.targetNamespace)
  out.push(`export const targetNamespace = ${target}`, "")
  out.push(
    "/** The service's SOAP endpoints as published in the WSDL. */",
    `export const soapAddresses: ReadonlyArray<string> = ${literal(model.addresses)}`,
    ""
  )
  return out.join("\n")
}

/** The `wire_<Type>` declarations of the types `keys` (one type module). */
export const wireDeclarations = (ctx: EmitContext, keys: ReadonlyArray<string>): Array<string> => {
  const { model, hierarchy, scope } = ctx
  const out: Array<string> = []
  const shape = (name: string) => scope.type("wire-types", name)
  for (const key of keys) {
    const type = model.types.get(key)!
    const name = wireName(type.tsName)
    const common = `name: ${literal(type.tsName)}, ns: ${nsExpr(model, scope, type.ns)}, xmlName: ${literal(type.xmlName)}`
    if (type.kind === "complex") {
      const item = hierarchy.arrayItem(type)
      if (item !== undefined) {
        out.push(`export const ${name}: ${shape("WireArrayType")} = {`)
        out.push(`  kind: "array", ${common},`, `  item: ${fieldExpr(ctx, item)}`, "}", "")
        continue
      }
      const concrete = type.xmlName === undefined ? [] : hierarchy.concrete(key)
      out.push(`export const ${name}: ${shape("WireStructType")} = {`)
      out.push(`  kind: "struct", ${common}, tagged: ${hierarchy.isTagged(key)},`)
      if (type.base === undefined) out.push("  base: undefined, baseRef: undefined,")
      else out.push(`  base: ${literal(ctx.naming.tsName(type.base))}, baseRef: () => ${scope.wireRef(type.base)},`)
      out.push("  fields: [")
      for (const f of hierarchy.allFields(type)) out.push(`    ${fieldExpr(ctx, f)},`)
      out.push("  ],")
      const concreteEntries = concrete.map((k) => {
        const t = model.types.get(k)!
        const restOnly = t.restOnly === true ? ", restOnly: true" : ""
        return `{ tag: ${literal(t.xmlName)}, type: ${literal(t.tsName)}, ns: ${nsExpr(model, scope, t.ns)}, ref: () => ${scope.wireRef(k)}${restOnly} }`
      })
      out.push(`  concrete: [${concreteEntries.join(", ")}]`, "}", "")
    } else if (type.kind === "enum") {
      out.push(
        `export const ${name}: ${shape("WireEnumType")} = { kind: "enum", ${common}, values: ${literal(type.values)}${restOnlyValuesExpr(type.restOnlyValues)} }`
      )
    } else if (type.kind === "list") {
      const item = "values" in type.item ? undefined : type.item
      const values = "values" in type.item ? type.item.values : undefined
      out.push(
        `export const ${name}: ${shape("WireListType")} = { kind: "list", ${common}, item: ${literal(item === undefined ? undefined : typeName(ctx.naming, item))}, itemRef: ${item === undefined ? "undefined" : refExpr(scope, item)}, values: ${literal(values)}${restOnlyValuesExpr(type.restOnlyValues)} }`
      )
    } else {
      out.push(
        `export const ${name}: ${shape("WireRestrictionType")} = { kind: "restriction", ${common}, base: ${literal(`xs:${type.base}`)}, pattern: ${literal(type.pattern)} }`
      )
    }
  }
  return out
}

/**
 * `wire.ts`: the compatibility tables `wireTypes` (every type's metadata by name) and `wireElements` (every top-level
 * element by local name). Importing it loads every type module.
 */
export const emitWireIndex = (
  model: WsdlModel,
  hierarchy: Hierarchy,
  naming: Naming,
  plan: ModulePlan,
  header: string
): string => {
  const scope = new ModuleScope("wire", plan, naming, undefined)
  const ctx: EmitContext = { model, hierarchy, naming, scope }
  const types = [...model.types.values()].map((type) => `  ${literal(type.tsName)}: ${scope.wireRef(type.key)},`)
  const elements: Array<string> = []
  const seen = new Set<string>()
  for (const element of model.elements.values()) {
    // Local names are unique in the WSDLs this generator supports; the first wins if not.
    if (seen.has(element.name)) continue
    seen.add(element.name)
    elements.push(`  ${literal(element.name)}: ${elementExpr(ctx, element)},`)
  }
  scope.type("wire-types", "WireElement")
  scope.type("wire-types", "WireType")
  return [
    header,
    ...scope.render(),
    "",
    'export * from "./wire-types.js"',
    "",
    "/** Every type's wire metadata, by type name. Loads every type module: for tools that want all of them. */",
    "export const wireTypes: Readonly<Record<string, WireType>> = {",
    ...types,
    "}",
    "",
    "/** Every top-level element, by local name. */",
    "export const wireElements: Readonly<Record<string, WireElement>> = {",
    ...elements,
    "}",
    ""
  ].join("\n")
}
