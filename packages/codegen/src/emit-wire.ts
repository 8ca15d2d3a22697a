/**
 * Emits `wire.ts`: the XML facts the Effect Schemas cannot carry, as plain data for the schema-driven codecs —
 * every type's namespace and XSD name, element names and order (base fields first), optional / nillable /
 * repeated flags, `ArrayOfX` item elements, enumeration values, `xs:list` items, the concrete types a polymorphic
 * field may carry (for `xsi:type`), and the top-level elements (request, response, header and fault elements).
 */
import type { Hierarchy } from "./hierarchy.js"
import type { FieldModel, TypeRef, WsdlModel } from "./model.js"
import type { Naming } from "./emit-schemas.js"

const literal = (value: unknown) => JSON.stringify(value)

export const emitWire = (model: WsdlModel, hierarchy: Hierarchy, naming: Naming, header: string): string => {
  const nsConst = new Map(model.namespaces.map((ns, i) => [ns, `NS${i}`]))
  const ns = (uri: string) => nsConst.get(uri) ?? literal(uri)
  const typeName = (ref: TypeRef) => ("builtin" in ref ? `xs:${ref.builtin}` : naming.tsName(ref.key))
  const field = (f: FieldModel) =>
    `{ name: ${literal(f.name)}, ns: ${ns(f.ns)}, type: ${literal(typeName(f.type))}, optional: ${f.optional}, repeated: ${f.repeated}, nillable: ${f.nillable} }`

  const out: Array<string> = [
    header,
    "/** One element of a complex type's sequence. `type` is `xs:<builtin>` or a key of `wireTypes`. */",
    "export interface WireField {",
    "  readonly name: string",
    "  readonly ns: string",
    "  readonly type: string",
    "  readonly optional: boolean",
    "  readonly repeated: boolean",
    "  readonly nillable: boolean",
    "}",
    "",
    "/** A concrete type a value may have where its declared type has derived types. */",
    "export interface WireConcreteType {",
    "  /** The `_tag` value and the `xsi:type` local name. */",
    "  readonly tag: string",
    "  readonly type: string",
    "  readonly ns: string",
    "}",
    "",
    "export type WireType =",
    "  | {",
    '      readonly kind: "struct"',
    "      readonly ns: string",
    "      readonly xmlName: string | undefined",
    "      /** True when values carry `_tag` (the type is in an extension hierarchy). */",
    "      readonly tagged: boolean",
    "      readonly base: string | undefined",
    "      /** Base fields first, then own fields: the wire order. */",
    "      readonly fields: ReadonlyArray<WireField>",
    "      /** This type (unless abstract) and every type derived from it. */",
    "      readonly concrete: ReadonlyArray<WireConcreteType>",
    "    }",
    '  | { readonly kind: "array"; readonly ns: string; readonly xmlName: string | undefined; readonly item: WireField }',
    '  | { readonly kind: "enum"; readonly ns: string; readonly xmlName: string | undefined; readonly values: ReadonlyArray<string> }',
    "  | {",
    '      readonly kind: "list"',
    "      readonly ns: string",
    "      readonly xmlName: string | undefined",
    "      /** `xs:<builtin>` or a key of `wireTypes`; undefined when the items are the inline `values`. */",
    "      readonly item: string | undefined",
    "      readonly values: ReadonlyArray<string> | undefined",
    "    }",
    '  | { readonly kind: "restriction"; readonly ns: string; readonly xmlName: string | undefined; readonly base: string; readonly pattern: string | undefined }',
    "",
    "/** A top-level element: body wrappers, SOAP headers and fault details. */",
    "export interface WireElement {",
    "  readonly name: string",
    "  readonly ns: string",
    "  readonly type: string",
    "  readonly nillable: boolean",
    "}",
    "",
    "// ===== Namespaces =====",
    ""
  ]
  for (const [i, uri] of model.namespaces.entries()) out.push(`export const NS${i} = ${literal(uri)}`)
  out.push(`export const namespaces = [${model.namespaces.map((_, i) => `NS${i}`).join(", ")}] as const`, "")
  out.push(`export const targetNamespace = ${ns(model.targetNamespace)}`, "")

  out.push("// ===== Types =====", "", "export const wireTypes: Readonly<Record<string, WireType>> = {")
  for (const type of model.types.values()) {
    const common = `ns: ${ns(type.ns)}, xmlName: ${literal(type.xmlName)}`
    const key = literal(type.tsName)
    if (type.kind === "complex") {
      const item = hierarchy.arrayItem(type)
      if (item !== undefined) {
        out.push(`  ${key}: { kind: "array", ${common}, item: ${field(item)} },`)
        continue
      }
      const concrete = type.xmlName === undefined ? [] : hierarchy.concrete(type.key)
      out.push(`  ${key}: {`)
      out.push(`    kind: "struct", ${common}, tagged: ${hierarchy.isTagged(type.key)},`)
      out.push(`    base: ${literal(type.base === undefined ? undefined : naming.tsName(type.base))},`)
      out.push(`    fields: [`)
      for (const f of hierarchy.allFields(type)) out.push(`      ${field(f)},`)
      out.push(`    ],`)
      const concreteEntries = concrete.map((k) => {
        const t = model.types.get(k)!
        return `{ tag: ${literal(t.xmlName)}, type: ${literal(t.tsName)}, ns: ${ns(t.ns)} }`
      })
      out.push(`    concrete: [${concreteEntries.join(", ")}]`)
      out.push(`  },`)
    } else if (type.kind === "enum") {
      out.push(`  ${key}: { kind: "enum", ${common}, values: ${literal(type.values)} },`)
    } else if (type.kind === "list") {
      const item = "values" in type.item ? undefined : typeName(type.item)
      const values = "values" in type.item ? type.item.values : undefined
      out.push(`  ${key}: { kind: "list", ${common}, item: ${literal(item)}, values: ${literal(values)} },`)
    } else {
      out.push(
        `  ${key}: { kind: "restriction", ${common}, base: ${literal(`xs:${type.base}`)}, pattern: ${literal(type.pattern)} },`
      )
    }
  }
  out.push("}", "")

  out.push(
    "// ===== Top-level elements (by local name) =====",
    "",
    "export const wireElements: Readonly<Record<string, WireElement>> = {"
  )
  const seen = new Set<string>()
  for (const element of model.elements.values()) {
    // Local names are unique in the WSDLs this generator supports; the first wins if not.
    if (seen.has(element.name)) continue
    seen.add(element.name)
    out.push(
      `  ${literal(element.name)}: { name: ${literal(element.name)}, ns: ${ns(element.ns)}, type: ${literal(typeName(element.type))}, nillable: ${element.nillable} },`
    )
  }
  out.push("}", "")
  return out.join("\n")
}
