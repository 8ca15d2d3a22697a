/**
 * Emits `schemas.ts`: an Effect Schema and a pair of TypeScript types (decoded `X`, encoded `XEncoded`) for every
 * type of the WSDL.
 *
 * Mapping: complex types → `Schema.Struct` with fields in XSD order (base fields first); minOccurs="0" →
 * `Schema.optional`; nillable → `Schema.NullOr`; `ArrayOfX` → `Schema.Array`; enumerations → literal unions;
 * `xs:list` → arrays of literals; `xs:long` → bigint (a decimal string when encoded); `xs:dateTime` →
 * `DateTime.Utc` (an ISO string when encoded). Types in an extension hierarchy carry `_tag` (their XSD type name, sent
 * as `xsi:type`), and a field declared with a base type accepts the `XUnion` of the base and every derived type.
 * References between complex types go through `Schema.suspend`, so declaration order and cycles do not matter.
 */
import type { Hierarchy } from "./hierarchy.js"
import type { BuiltinName, ComplexTypeModel, FieldModel, TypeModel, TypeRef, WsdlModel } from "./model.js"

interface BuiltinMapping {
  readonly schema: string
  readonly type: string
  readonly encoded: string
}

const STRING: BuiltinMapping = { schema: "Schema.String", type: "string", encoded: "string" }
const int = (schema: string): BuiltinMapping => ({ schema, type: "number", encoded: "number" })
const NUMBER: BuiltinMapping = { schema: "Schema.Number", type: "number", encoded: "number" }
const bigint = (schema: string): BuiltinMapping => ({ schema, type: "bigint", encoded: "string" })

export const BUILTIN_MAPPINGS: Readonly<Record<BuiltinName, BuiltinMapping>> = {
  string: STRING,
  anyURI: STRING,
  QName: STRING,
  ID: STRING,
  IDREF: STRING,
  base64Binary: STRING,
  duration: STRING,
  boolean: { schema: "Schema.Boolean", type: "boolean", encoded: "boolean" },
  byte: int("XsByte"),
  short: int("XsShort"),
  int: int("XsInt"),
  unsignedByte: int("XsUnsignedByte"),
  unsignedShort: int("XsUnsignedShort"),
  unsignedInt: int("XsUnsignedInt"),
  float: NUMBER,
  double: NUMBER,
  decimal: NUMBER,
  long: bigint("XsLong"),
  unsignedLong: bigint("XsUnsignedLong"),
  dateTime: { schema: "Schema.DateTimeUtc", type: "DateTime.Utc", encoded: "string" },
  anyType: { schema: "Schema.Unknown", type: "unknown", encoded: "unknown" }
}

/** The bounded XSD integer types, emitted once at the top of schemas.ts. */
const INTEGER_SCHEMAS = [
  "/** xs:byte */",
  "export const XsByte = Schema.Int.pipe(Schema.between(-128, 127))",
  "/** xs:short */",
  "export const XsShort = Schema.Int.pipe(Schema.between(-32768, 32767))",
  "/** xs:int */",
  "export const XsInt = Schema.Int.pipe(Schema.between(-2147483648, 2147483647))",
  "/** xs:unsignedByte */",
  "export const XsUnsignedByte = Schema.Int.pipe(Schema.between(0, 255))",
  "/** xs:unsignedShort */",
  "export const XsUnsignedShort = Schema.Int.pipe(Schema.between(0, 65535))",
  "/** xs:unsignedInt */",
  "export const XsUnsignedInt = Schema.Int.pipe(Schema.between(0, 4294967295))",
  "/** xs:long: a bigint in the signed 64-bit range, a decimal string when encoded. */",
  "export const XsLong = Schema.BigInt.pipe(Schema.betweenBigInt(-9223372036854775808n, 9223372036854775807n))",
  "/** xs:unsignedLong */",
  "export const XsUnsignedLong = Schema.BigInt.pipe(Schema.betweenBigInt(0n, 18446744073709551615n))",
  ""
]

const literal = (value: string) => JSON.stringify(value)

/** Names used by the emitters for a type: its schema/type name, the encoded type name and the union name. */
export interface Naming {
  readonly tsName: (key: string) => string
  /** The name to reference where a value of this type may appear (the union for a base type with derived types). */
  readonly refName: (key: string) => string
}

export const makeNaming = (model: WsdlModel, hierarchy: Hierarchy): Naming => {
  const taken = new Set([...model.types.values()].map((t) => t.tsName))
  const unionNames = new Map<string, string>()
  for (const type of model.types.values()) {
    if (!hierarchy.hasDerived(type.key)) continue
    let name = `${type.tsName}Union`
    for (let i = 2; taken.has(name); i++) name = `${type.tsName}Union${i}`
    taken.add(name)
    unionNames.set(type.key, name)
  }
  const tsName = (key: string) => model.types.get(key)!.tsName
  return { tsName, refName: (key) => unionNames.get(key) ?? tsName(key) }
}

/** True for types whose encoded form differs from the decoded one (so an `XEncoded` type exists). */
const hasEncodedForm = (type: TypeModel) => type.kind === "complex"

export const emitSchemas = (model: WsdlModel, hierarchy: Hierarchy, naming: Naming, header: string): string => {
  const types = [...model.types.values()]

  const typeExpr = (ref: TypeRef, encoded: boolean): string => {
    if ("builtin" in ref) return encoded ? BUILTIN_MAPPINGS[ref.builtin].encoded : BUILTIN_MAPPINGS[ref.builtin].type
    const type = model.types.get(ref.key)!
    const name = naming.refName(ref.key)
    return encoded && hasEncodedForm(type) ? `${name}Encoded` : name
  }
  const schemaRef = (ref: TypeRef): string => {
    if ("builtin" in ref) return BUILTIN_MAPPINGS[ref.builtin].schema
    const type = model.types.get(ref.key)!
    const name = naming.refName(ref.key)
    if (!hasEncodedForm(type)) return name
    return `Schema.suspend((): Schema.Schema<${name}, ${name}Encoded> => ${name})`
  }
  const fieldValueType = (field: FieldModel, encoded: boolean) => {
    let t = typeExpr(field.type, encoded)
    if (field.nillable) t = `${t} | null`
    if (field.repeated) t = `ReadonlyArray<${t}>`
    return t
  }
  const fieldValueSchema = (field: FieldModel) => {
    let s = schemaRef(field.type)
    if (field.nillable) s = `Schema.NullOr(${s})`
    if (field.repeated) s = `Schema.Array(${s})`
    return s
  }
  const interfaceBody = (type: ComplexTypeModel, encoded: boolean) => {
    const lines: Array<string> = []
    if (hierarchy.isTagged(type.key)) lines.push(`  readonly _tag: ${literal(type.xmlName!)}`)
    for (const field of hierarchy.allFields(type)) {
      const optional = field.optional ? "?" : ""
      const undef = field.optional ? " | undefined" : ""
      lines.push(`  readonly ${field.name}${optional}: ${fieldValueType(field, encoded)}${undef}`)
    }
    return lines.join("\n")
  }

  const out: Array<string> = [header, 'import { Schema } from "effect"', 'import type { DateTime } from "effect"', ""]

  out.push("// ===== XSD built-in integer types =====", "", ...INTEGER_SCHEMAS)
  out.push("// ===== Simple types =====", "")
  const simpleOrder = [
    ...types.filter((t) => t.kind === "enum" || t.kind === "restriction"),
    ...types.filter((t) => t.kind === "list")
  ]
  for (const type of simpleOrder) {
    const name = type.tsName
    const comment = `/** XSD ${type.kind === "list" ? "list" : "simple type"} \`${type.xmlName ?? name}\`. */`
    if (type.kind === "enum") {
      out.push(comment, `export type ${name} = ${type.values.map(literal).join(" | ")}`)
      out.push(
        `export const ${name}: Schema.Schema<${name}> = Schema.Literal(${type.values.map(literal).join(", ")})`,
        ""
      )
    } else if (type.kind === "restriction") {
      const mapping = BUILTIN_MAPPINGS[type.base]
      const pattern =
        type.pattern === undefined ? "" : `.pipe(Schema.pattern(new RegExp(${literal(`^(?:${type.pattern})$`)})))`
      out.push(comment, `export type ${name} = ${mapping.type}`)
      out.push(`export const ${name}: Schema.Schema<${name}, ${mapping.encoded}> = ${mapping.schema}${pattern}`, "")
    } else if (type.kind === "list") {
      const item = "values" in type.item ? type.item.values.map(literal).join(" | ") : typeExpr(type.item, false)
      const itemSchema =
        "values" in type.item ? `Schema.Literal(${type.item.values.map(literal).join(", ")})` : schemaRef(type.item)
      out.push(comment, `export type ${name} = ReadonlyArray<${item}>`)
      out.push(`export const ${name}: Schema.Schema<${name}> = Schema.Array(${itemSchema})`, "")
    }
  }

  out.push("// ===== Complex types =====", "")
  for (const type of types) {
    if (type.kind !== "complex") continue
    const name = type.tsName
    const item = hierarchy.arrayItem(type)
    const what = type.xmlName === undefined ? `element \`${type.sourceName}\`` : `complex type \`${type.xmlName}\``
    if (item !== undefined) {
      out.push(`/** XSD ${what}: a sequence of \`${item.name}\`. */`)
      out.push(`export type ${name} = ${fieldValueType(item, false)}`)
      out.push(`export type ${name}Encoded = ${fieldValueType(item, true)}`)
      out.push(`export const ${name}: Schema.Schema<${name}, ${name}Encoded> = ${fieldValueSchema(item)}`, "")
      continue
    }
    const base = type.base === undefined ? "" : ` Extends \`${model.types.get(type.base)!.xmlName}\`.`
    out.push(`/** XSD ${what}.${base} */`)
    out.push(`export interface ${name} {`, interfaceBody(type, false), "}")
    out.push(`export interface ${name}Encoded {`, interfaceBody(type, true), "}")
    const fields: Array<string> = []
    if (hierarchy.isTagged(type.key)) fields.push(`  _tag: Schema.Literal(${literal(type.xmlName!)})`)
    for (const field of hierarchy.allFields(type)) {
      const value = fieldValueSchema(field)
      fields.push(`  ${field.name}: ${field.optional ? `Schema.optional(${value})` : value}`)
    }
    out.push(
      `export const ${name}: Schema.Schema<${name}, ${name}Encoded> = Schema.Struct({`,
      fields.join(",\n"),
      `}).annotations({ identifier: ${literal(name)} })`,
      ""
    )
  }

  out.push("// ===== Polymorphic unions (a base type or any type derived from it, told apart by _tag) =====", "")
  for (const type of types) {
    if (!hierarchy.hasDerived(type.key)) continue
    const name = naming.refName(type.key)
    const members = hierarchy.concrete(type.key).map(naming.tsName)
    out.push(`/** \`${type.xmlName}\` or any type derived from it. */`)
    out.push(`export type ${name} = ${members.join(" | ")}`)
    out.push(`export type ${name}Encoded = ${members.map((m) => `${m}Encoded`).join(" | ")}`)
    out.push(`export const ${name}: Schema.Schema<${name}, ${name}Encoded> = Schema.Union(${members.join(", ")})`, "")
  }
  return out.join("\n")
}
