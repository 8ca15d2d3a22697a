/**
 * Compiled REST JSON writers: for a struct type, a function that writes a value of it with the property reads and the
 * checks of each field spelled out, made once per type with `new Function` (the technique of fast-json-stringify,
 * Ajv and protobuf.js). The generic writer in `json.ts` reads every field by a computed name and dispatches on the
 * field's model for each value, which was most of the time of encoding a 1,000-item request; here each property read
 * is a plain one and the dispatch happened at compile time.
 *
 * A compiled writer only takes the common path. It returns false as soon as a value is not what the plain path
 * expects (a wrong type, a missing required value, a null where none is allowed, a number `JsonBytes.decimal` does not
 * write); it throws whatever a nested generic writer throws. Either way the caller rewinds the buffer and writes the
 * value again with the generic writer, which writes the same text or throws the precise `EncodeFailure`, so errors
 * and their paths are exactly the generic writer's. Fields of other kinds (nested structs, arrays, lists, repeated
 * elements, patterned strings) are written by the generic `putField` from inside the compiled function.
 *
 * Property names come from the wire model (XSD element names) and appear in the source only as JSON string literals.
 */
import type { FieldModel, Model, StructModel } from "../codec/wire-model.js"
import { asciiBytes, type JsonBytes } from "./json-bytes.js"

/** Writes `value` (an object) and returns true, or returns false having written part of it: rewind and go generic. */
export type CompiledWriter = (out: JsonBytes, value: Record<string, unknown>) => boolean

/** What the compiled code calls: the generic writer's pieces. */
export interface WriterParts {
  readonly putField: (out: JsonBytes, field: FieldModel, value: unknown) => void
  readonly putDateTime: (out: JsonBytes, value: unknown) => void
}

/** The code writing one present value `v` of `field` (index `i`), or undefined when the generic `putField` must. */
const valueCode = (field: FieldModel, model: Model, i: number): string | undefined => {
  if (field.repeated) return undefined
  switch (model.kind) {
    case "scalar":
      switch (model.scalar.kind) {
        case "string":
          return model.pattern === undefined ? `if (typeof v !== "string") return false; out.string(v);` : undefined
        case "double":
        case "decimal":
          return `if (typeof v !== "number" || !out.decimal(v)) return false;`
        case "dateTime":
          return "parts.putDateTime(out, v);"
        default:
          return undefined
      }
    case "enum":
      return `if (typeof v !== "string" || !enums[${i}].has(v)) return false; out.string(v);`
    default:
      return undefined
  }
}

/** Compiles the writer of a struct type that is not part of a type hierarchy (those keep the generic writer). */
export const compileStructWriter = (model: StructModel, parts: WriterParts): CompiledWriter => {
  const fields = model.fields
  const keys = fields.map((field) => asciiBytes(`${JSON.stringify(field.jsonName)}:`))
  const enums = fields.map((field) => {
    const m = field.model()
    return m.kind === "enum" ? m.values : undefined
  })
  const lines: Array<string> = ["out.byte(123);", "let first = true;", "let v;"]
  fields.forEach((field, i) => {
    const write = valueCode(field, field.model(), i) ?? `parts.putField(out, fields[${i}], v);`
    lines.push(
      `v = value[${JSON.stringify(field.name)}];`,
      "if (v === undefined || v === null) {",
      `  if (${absentIsError(field)}) return false;`,
      "} else {",
      "  if (first) first = false; else out.byte(44);",
      `  out.bytes(keys[${i}]);`,
      `  ${write}`,
      "}"
    )
  })
  lines.push("out.byte(125);", "return true;")
  const factory = new Function(
    "fields",
    "keys",
    "enums",
    "parts",
    `return function write${model.name.replace(/\W/g, "_")}(out, value) {\n${lines.join("\n")}\n}`
  ) as (
    fields: ReadonlyArray<FieldModel>,
    keys: ReadonlyArray<Uint8Array>,
    enums: ReadonlyArray<ReadonlySet<string> | undefined>,
    parts: WriterParts
  ) => CompiledWriter
  return factory(fields, keys, enums, parts)
}

/** The condition under which an absent (undefined) or null value of `field` is an error. */
const absentIsError = (field: FieldModel): string => {
  const undefinedIsError = !field.optional
  const nullIsError = !field.nillable
  if (undefinedIsError && nullIsError) return "true"
  if (undefinedIsError) return "v === undefined"
  if (nullIsError) return "v === null"
  return "false"
}
