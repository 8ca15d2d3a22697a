/**
 * The REST JSON writers: one function `se_<Type>(out, value)` per complex type (smithy's `se_*` serializers), with the
 * property reads and the checks of each field spelled out. They write exactly what the generic writer of
 * `@uplink/campaign-management` (`src/rest/json.ts`) writes and fail with the same error and path: the checks and
 * messages live in that package's writer runtime (`src/rest/writer-runtime.ts`), which these functions call.
 *
 * - a struct writes `,"Name":value` per present field and turns the first comma into `{` at the end (`endObject`);
 *   the `,"Name":` keys are UTF-8 bytes made once per type on its first write (copying them is several times faster
 *   than writing the characters); `at` names the field being written, and one `catch` adds it to the path of any
 *   failure from inside;
 * - an `ArrayOfX` writes its items (null where the items are nillable), adding `[i]` to failures;
 * - a polymorphic type (one in an extension hierarchy) hands the value to the generic writer, which reads `_tag`,
 *   writes the `"Type"` discriminator and the concrete type's fields: the only place the generic writer is used;
 * - enumerations, `xs:list` and pattern restrictions are checked against their wire metadata by runtime helpers.
 */
import type { EmitContext } from "./emit-schemas.js"
import type { BuiltinName, ComplexTypeModel, FieldModel, TypeRef } from "./model.js"
import { writerName } from "./scope.js"

/** The runtime helper writing a value of an XSD built-in, and the range constant it takes if any. */
const BUILTIN_WRITERS: Readonly<Record<BuiltinName, { readonly put: string; readonly info?: string }>> = {
  string: { put: "putString" },
  anyURI: { put: "putString" },
  QName: { put: "putString" },
  ID: { put: "putString" },
  IDREF: { put: "putString" },
  base64Binary: { put: "putString" },
  duration: { put: "putString" },
  boolean: { put: "putBoolean" },
  byte: { put: "putInt", info: "XS_BYTE" },
  short: { put: "putInt", info: "XS_SHORT" },
  int: { put: "putInt", info: "XS_INT" },
  unsignedByte: { put: "putInt", info: "XS_UNSIGNED_BYTE" },
  unsignedShort: { put: "putInt", info: "XS_UNSIGNED_SHORT" },
  unsignedInt: { put: "putInt", info: "XS_UNSIGNED_INT" },
  float: { put: "putNumber" },
  double: { put: "putNumber" },
  decimal: { put: "putNumber" },
  long: { put: "putLong", info: "XS_LONG" },
  unsignedLong: { put: "putLong", info: "XS_UNSIGNED_LONG" },
  dateTime: { put: "putDateTime" },
  anyType: { put: "putUnsupported" }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** The module-level name of a struct writer's property keys. */
const keysName = (tsName: string) => `keys_${tsName}`

const property = (object: string, name: string) =>
  IDENTIFIER.test(name) ? `${object}.${name}` : `${object}[${JSON.stringify(name)}]`

const upperFirst = (name: string): string => (name === "" ? name : name[0]!.toUpperCase() + name.slice(1))

/** The writer functions of the complex types among `keys` (one type module). */
export const writerDeclarations = (ctx: EmitContext, keys: ReadonlyArray<string>, runtime: string): Array<string> => {
  const { model, hierarchy, scope } = ctx
  const rt = (name: string) => scope.external(runtime, name)
  const jsonBytes = () => scope.external(runtime, "JsonBytes", true)

  /** The statement writing the present value `v` of type `ref`. */
  const valueCode = (ref: TypeRef, v: string): string => {
    if ("builtin" in ref) {
      const writer = BUILTIN_WRITERS[ref.builtin]
      if (writer.put === "putUnsupported") return `${rt("putUnsupported")}(${JSON.stringify(`xs:${ref.builtin}`)})`
      return writer.info === undefined
        ? `${rt(writer.put)}(out, ${v})`
        : `${rt(writer.put)}(out, ${v}, ${rt(writer.info)})`
    }
    const type = model.types.get(ref.key)!
    switch (type.kind) {
      case "enum":
        return `${rt("putEnum")}(out, ${v}, ${scope.wireRef(ref.key)})`
      case "list":
        return `${rt("putList")}(out, ${v}, ${scope.wireRef(ref.key)})`
      case "restriction":
        return `${rt("putRestricted")}(out, ${v}, ${scope.wireRef(ref.key)})`
      case "complex":
        return `${scope.writerRef(ref.key)}(out, ${v})`
    }
  }

  /** A repeated element (maxOccurs > 1 outside an `ArrayOfX`): a JSON array of its values. */
  const repeatedCode = (field: FieldModel): Array<string> => [
    `      const items = ${rt("asArray")}(v)`,
    "      out.byte(91)",
    "      for (let i = 0; i < items.length; i++) {",
    "        const x = items[i]",
    "        try {",
    ...(field.nillable
      ? [
          "          if (i !== 0) out.byte(44)",
          `          if (x === null) out.ascii("null")`,
          `          else ${valueCode(field.type, "x")}`
        ]
      : [
          `          if (x === null) throw ${rt("notNillable")}()`,
          "          if (i !== 0) out.byte(44)",
          `          ${valueCode(field.type, "x")}`
        ]),
    "        } catch (e) {",
    `          throw ${rt("atIndex")}(e, i)`,
    "        }",
    "      }",
    "      out.byte(93)"
  ]

  const fieldCode = (field: FieldModel, index: number): Array<string> => {
    const write = [
      `      out.bytes(key[${index}])`,
      ...(field.repeated ? repeatedCode(field) : [`      ${valueCode(field.type, "v")}`])
    ]
    const lines = [`    at = ${JSON.stringify(field.name)}`, `    v = ${property("value", field.name)}`]
    if (!field.optional) lines.push(`    if (v === undefined) throw ${rt("required")}()`)
    if (!field.nillable) lines.push(`    if (v === null) throw ${rt("notNillable")}()`)
    const present =
      field.optional && field.nillable
        ? "v !== undefined && v !== null"
        : field.optional
          ? "v !== undefined"
          : field.nillable
            ? "v !== null"
            : undefined
    if (present === undefined) lines.push(...write.map((line) => line.slice(2)))
    else lines.push(`    if (${present}) {`, ...write, "    }")
    return lines
  }

  const structWriter = (type: ComplexTypeModel): Array<string> => {
    const name = writerName(type.tsName)
    const fields = hierarchy.allFields(type)
    if (hierarchy.isTagged(type.key)) {
      return [
        `/** Writes \`${type.tsName}\` or a type derived from it as REST JSON: polymorphic, so the generic writer. */`,
        `export function ${name}(out: ${jsonBytes()}, value: unknown): void {`,
        `  ${rt("putPolymorphic")}(out, value, ${scope.wireRef(type.key)})`,
        "}",
        ""
      ]
    }
    const lines = [
      `/** Writes \`${type.tsName}\` as a REST JSON object. */`,
      `export function ${name}(out: ${jsonBytes()}, input: unknown): void {`,
      `  const value = ${rt("asObject")}(input)`
    ]
    if (fields.length === 0) return [...lines, '  out.ascii("{}")', "}", ""]
    const keys = keysName(type.tsName)
    const names = fields.map((field) => JSON.stringify(upperFirst(field.name)))
    return [
      `/** \`,"Name":\` of each field of \`${type.tsName}\` as UTF-8 bytes, made on the first write. */`,
      `let ${keys}: ReadonlyArray<Uint8Array> | undefined`,
      "",
      ...lines,
      `  if (${keys} === undefined) ${keys} = ${rt("jsonKeys")}([${names.join(", ")}])`,
      `  const key = ${keys}`,
      "  const start = out.length",
      "  let at: string | undefined",
      "  let v: unknown",
      "  try {",
      ...fields.flatMap((field, index) => fieldCode(field, index)),
      "  } catch (e) {",
      `    throw ${rt("atField")}(e, at)`,
      "  }",
      "  out.endObject(start)",
      "}",
      ""
    ]
  }

  const arrayWriter = (type: ComplexTypeModel, item: FieldModel): Array<string> => [
    `/** Writes \`${type.tsName}\` (items \`${item.name}\`) as a REST JSON array. */`,
    `export function ${writerName(type.tsName)}(out: ${jsonBytes()}, value: unknown): void {`,
    `  const items = ${rt("asArray")}(value)`,
    "  out.byte(91)",
    "  let i = 0",
    "  try {",
    "    for (; i < items.length; i++) {",
    "      const x = items[i]",
    "      if (i !== 0) out.byte(44)",
    `      if (x === null) ${item.nillable ? 'out.ascii("null")' : `throw ${rt("nullItem")}()`}`,
    `      else if (x === undefined) throw ${rt("undefinedItem")}()`,
    `      else ${valueCode(item.type, "x")}`,
    "    }",
    "  } catch (e) {",
    `    throw ${rt("atIndex")}(e, i)`,
    "  }",
    "  out.byte(93)",
    "}",
    ""
  ]

  const out: Array<string> = []
  for (const key of keys) {
    const type = model.types.get(key)!
    if (type.kind !== "complex") continue
    const item = hierarchy.arrayItem(type)
    out.push(...(item === undefined ? structWriter(type) : arrayWriter(type, item)))
  }
  return out
}
