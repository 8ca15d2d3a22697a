/**
 * The Effect Schema part of the type modules: an Effect Schema and a pair of TypeScript types (decoded `X`, encoded
 * `XEncoded`) for every type of the WSDL, declared in the type module the plan puts it in (`plan.ts`).
 *
 * Mapping: complex types → `Schema.Struct` with fields in XSD order (base fields first); minOccurs="0" →
 * `Schema.optional`; nillable → `Schema.NullOr`; `ArrayOfX` → `Schema.Array`; enumerations → literal unions;
 * `xs:list` → arrays of literals; `xs:long` → bigint (a decimal string when encoded); `xs:dateTime` →
 * `DateTime.Utc` (an ISO string when encoded). Types in an extension hierarchy carry `_tag` (their XSD type name, sent
 * as `xsi:type`), and a field declared with a base type accepts the `XUnion` of the base and every derived type.
 * Every Schema is built on first use: its declaration is `Schema.suspend(() => …)`, so importing a type module
 * constructs no Schema (a program that only writes and reads the wire, like the emulator, never builds them), and
 * references to other types sit inside those thunks, so declaration order and cycles do not matter. Modules import
 * `effect/Schema` rather than the `effect` barrel, so loading one costs only what Schema needs.
 */
import type { Hierarchy } from "./hierarchy.js"
import type { BuiltinName, ComplexTypeModel, FieldModel, TypeModel, TypeRef, WsdlModel } from "./model.js"
import type { Naming } from "./naming.js"
import type { ModuleScope } from "./scope.js"

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

/** The bounded XSD integer types, emitted once in `builtins.ts`. */
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

/** The names `builtins.ts` exports. */
export const BUILTIN_SCHEMA_NAMES = [
  "XsByte",
  "XsShort",
  "XsInt",
  "XsUnsignedByte",
  "XsUnsignedShort",
  "XsUnsignedInt",
  "XsLong",
  "XsUnsignedLong"
] as const

/** `builtins.ts`: the Schemas of the bounded XSD integer types, shared by every type module. */
export const emitBuiltins = (header: string): string =>
  [header, 'import * as Schema from "effect/Schema"', "", ...INTEGER_SCHEMAS].join("\n")

const literal = (value: string) => JSON.stringify(value)

/** True for types whose encoded form differs from the decoded one (so an `XEncoded` type exists). */
const hasEncodedForm = (type: TypeModel) => type.kind === "complex"

/** What the declaration emitters of one module share. */
export interface EmitContext {
  readonly model: WsdlModel
  readonly hierarchy: Hierarchy
  readonly naming: Naming
  readonly scope: ModuleScope
}

/**
 * The Schema declarations of the types `keys` (one type module), in the order enumerations and restrictions, lists,
 * complex types, unions of polymorphic types. Each is a `Schema.suspend` built on first use; the types it refers to
 * are read inside that thunk (other modules' are imported).
 */
export const schemaDeclarations = (ctx: EmitContext, keys: ReadonlyArray<string>): Array<string> => {
  const { model, hierarchy, naming, scope } = ctx
  const types = keys.map((key) => model.types.get(key)!)
  // Every module that declares types uses the Schema namespace (declarations and their annotations).
  if (types.length > 0) scope.namespace("effect/Schema", "Schema")

  const builtinSchema = (name: BuiltinName): string => {
    const mapping = BUILTIN_MAPPINGS[name].schema
    return mapping.startsWith("Xs") ? scope.value("builtins", mapping) : mapping
  }
  const builtinType = (name: BuiltinName, encoded: boolean): string => {
    const mapping = BUILTIN_MAPPINGS[name]
    const type = encoded ? mapping.encoded : mapping.type
    if (type.startsWith("DateTime.")) scope.namespace("effect/DateTime", "DateTime", true)
    return type
  }
  const typeExpr = (ref: TypeRef, encoded: boolean): string => {
    if ("builtin" in ref) return builtinType(ref.builtin, encoded)
    const type = model.types.get(ref.key)!
    return scope.typeRef(ref.key, encoded && hasEncodedForm(type))
  }
  // Every reference is inside a thunk (`lazy`), evaluated after every module has been initialised.
  const schemaRef = (ref: TypeRef): string => ("builtin" in ref ? builtinSchema(ref.builtin) : scope.schemaRef(ref.key))
  const lazy = (expression: string) => `Schema.suspend(() => ${expression})`
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
      if (field.restOnly === true)
        lines.push("  /** REST only (rest-overlay.json): not in the WSDL, refused over SOAP. */")
      lines.push(`  readonly ${field.name}${optional}: ${fieldValueType(field, encoded)}${undef}`)
    }
    return lines.join("\n")
  }

  const out: Array<string> = []
  const simpleOrder = [
    ...types.filter((t) => t.kind === "enum" || t.kind === "restriction"),
    ...types.filter((t) => t.kind === "list")
  ]
  for (const type of simpleOrder) {
    const name = type.tsName
    const restValues = type.kind !== "restriction" ? (type.restOnlyValues ?? []) : []
    const comment =
      type.restOnly === true
        ? `/** REST-only ${type.kind === "list" ? "flags" : "enumeration"} \`${name}\` (rest-overlay.json). */`
        : restValues.length > 0
          ? `/** XSD ${type.kind === "list" ? "list" : "simple type"} \`${type.xmlName ?? name}\`; REST only (rest-overlay.json): ${restValues.join(", ")}. */`
          : `/** XSD ${type.kind === "list" ? "list" : "simple type"} \`${type.xmlName ?? name}\`. */`
    if (type.kind === "enum") {
      out.push(comment, `export type ${name} = ${type.values.map(literal).join(" | ")}`)
      out.push(
        `export const ${name}: Schema.Schema<${name}> = ${lazy(`Schema.Literal(${type.values.map(literal).join(", ")})`)}`,
        ""
      )
    } else if (type.kind === "restriction") {
      const mapping = BUILTIN_MAPPINGS[type.base]
      const base = builtinSchema(type.base)
      const pattern =
        type.pattern === undefined ? "" : `.pipe(Schema.pattern(new RegExp(${literal(`^(?:${type.pattern})$`)})))`
      out.push(comment, `export type ${name} = ${mapping.type}`)
      out.push(`export const ${name}: Schema.Schema<${name}, ${mapping.encoded}> = ${lazy(`${base}${pattern}`)}`, "")
    } else if (type.kind === "list") {
      const item = "values" in type.item ? type.item.values.map(literal).join(" | ") : typeExpr(type.item, false)
      const itemSchema =
        "values" in type.item ? `Schema.Literal(${type.item.values.map(literal).join(", ")})` : schemaRef(type.item)
      out.push(comment, `export type ${name} = ReadonlyArray<${item}>`)
      out.push(`export const ${name}: Schema.Schema<${name}> = ${lazy(`Schema.Array(${itemSchema})`)}`, "")
    }
  }

  for (const type of types) {
    if (type.kind !== "complex") continue
    const name = type.tsName
    const item = hierarchy.arrayItem(type)
    const what =
      type.restOnly === true
        ? `REST-only type \`${type.xmlName}\` (rest-overlay.json)`
        : type.xmlName === undefined
          ? `XSD element \`${type.sourceName}\``
          : `XSD complex type \`${type.xmlName}\``
    if (item !== undefined) {
      out.push(`/** ${what}: a sequence of \`${item.name}\`. */`)
      out.push(`export type ${name} = ${fieldValueType(item, false)}`)
      out.push(`export type ${name}Encoded = ${fieldValueType(item, true)}`)
      out.push(`export const ${name}: Schema.Schema<${name}, ${name}Encoded> = ${lazy(fieldValueSchema(item))}`, "")
      continue
    }
    const base = type.base === undefined ? "" : ` Extends \`${model.types.get(type.base)!.xmlName}\`.`
    out.push(`/** ${what}.${base} */`)
    out.push(`export interface ${name} {`, interfaceBody(type, false), "}")
    out.push(`export interface ${name}Encoded {`, interfaceBody(type, true), "}")
    const fields: Array<string> = []
    if (hierarchy.isTagged(type.key)) fields.push(`  _tag: Schema.Literal(${literal(type.xmlName!)})`)
    for (const field of hierarchy.allFields(type)) {
      const value = fieldValueSchema(field)
      fields.push(`  ${field.name}: ${field.optional ? `Schema.optional(${value})` : value}`)
    }
    out.push(
      `export const ${name}: Schema.Schema<${name}, ${name}Encoded> = Schema.suspend(() => Schema.Struct({`,
      fields.join(",\n"),
      `}).annotations({ identifier: ${literal(name)} }))`,
      ""
    )
  }

  for (const type of types) {
    if (!hierarchy.hasDerived(type.key)) continue
    const name = naming.refName(type.key)
    const members = hierarchy.concrete(type.key).map((key) => scope.schemaOf(key))
    out.push(`/** \`${type.xmlName}\` or any type derived from it. */`)
    out.push(`export type ${name} = ${members.join(" | ")}`)
    out.push(`export type ${name}Encoded = ${members.map((m) => `${m}Encoded`).join(" | ")}`)
    out.push(
      `export const ${name}: Schema.Schema<${name}, ${name}Encoded> = ${lazy(`Schema.Union(${members.join(", ")})`)}`,
      ""
    )
  }
  return out
}

/** The names a type module exports for the `Schemas` namespace: values (Schemas) and type-only names. */
export const schemaExports = (
  model: WsdlModel,
  hierarchy: Hierarchy,
  naming: Naming,
  key: string
): { readonly values: ReadonlyArray<string>; readonly types: ReadonlyArray<string> } => {
  const type = model.types.get(key)!
  const values = [type.tsName]
  const types: Array<string> = []
  if (hasEncodedForm(type)) types.push(`${type.tsName}Encoded`)
  if (hierarchy.hasDerived(key)) {
    const union = naming.refName(key)
    values.push(union)
    types.push(`${union}Encoded`)
  }
  return { values, types }
}
