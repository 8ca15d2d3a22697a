/**
 * Decoded values as REST JSON and back, driven by the wire model: PascalCase property names (the XSD names with an
 * upper-case first letter), long ids as strings, `xs:list` flags as one comma-separated string (`"Url, Event"`),
 * polymorphic values with their `"Type"` discriminator, null and absent properties omitted (array items keep their
 * nulls: positions matter), times in UTC with `Z`, numbers in plain decimal notation.
 *
 * The writer here is the generic one. Request and response bodies are written by the writers codegen emits per type
 * (`se_<Type>` in the generated type modules, through `writer-runtime.ts`); they hand polymorphic values (types in an
 * extension hierarchy, which carry `_tag`) to `putStruct` here, and the generic writer is also what fault bodies and
 * the tests use as the reference the generated writers must match byte for byte and error for error.
 *
 * Decoding is strict for requests (unknown properties, unknown enum values and unknown discriminators are errors) and
 * tolerant for responses, like the SOAP body reader. JSON has no difference between null and absent properties, so
 * a nillable property that is missing or null decodes as absent.
 */
import { DecodeFailure, EncodeFailure } from "../codec/errors.js"
import {
  clip,
  dateTimeMillis,
  describe,
  formatBoolean,
  formatDouble,
  formatInt,
  formatLong,
  parseDateTime,
  parseDecimalText,
  parseInt32,
  parseLong,
  utcFields
} from "../codec/scalars.js"
import type { ArrayModel, FieldModel, Model, StructModel } from "../codec/wire-model.js"
import { asciiBytes, JsonBytes } from "./json-bytes.js"
import { concreteByDiscriminator, discriminatorOf, typeFieldValue } from "./discriminators.js"

// ===== encoding =====

/**
 * The buffer the text and copying encoders write into: encoding is synchronous and not reentrant across top-level
 * calls, so one buffer serves them all and only the finished text (or bytes) is copied out.
 */
const shared = new JsonBytes()

const QUOTE = 34
const COMMA = 44

/** `"Name":` of every field of a struct type, as bytes, made once per type. */
const propertyKeys = new WeakMap<StructModel, ReadonlyArray<Uint8Array>>()
const keysOf = (model: StructModel): ReadonlyArray<Uint8Array> => {
  let keys = propertyKeys.get(model)
  if (keys === undefined) {
    keys = model.fields.map((field) => asciiBytes(`${JSON.stringify(field.jsonName)}:`))
    propertyKeys.set(model, keys)
  }
  return keys
}
const TYPE_KEY = asciiBytes(`"Type":`)

/** The JSON text `write` writes (into a buffer shared by all calls: encoding is synchronous). Throws what it throws. */
export const writeToText = (write: (out: JsonBytes) => void): string => {
  shared.reset()
  write(shared)
  return shared.toString()
}

/** The JSON text of a value of `model`. Throws EncodeFailure. */
export const writeJson = (model: Model, value: unknown): string => {
  shared.reset()
  putValue(shared, model, value)
  return shared.toString()
}

/**
 * A struct as a JSON object. `extra` is appended inside the object (used for REST fault bodies). Throws EncodeFailure.
 */
export const writeStruct = (declared: StructModel, value: unknown, extra: string | undefined): string => {
  shared.reset()
  putStruct(shared, declared, value, extra)
  return shared.toString()
}

/** `YYYY-MM-DDTHH:mm:ss[.sss]Z`, quoted, written digit by digit (the same text as `formatDateTime`). */
export const putDateTime = (out: JsonBytes, value: unknown): void => {
  const fields = utcFields(dateTimeMillis(value))
  out.byte(QUOTE)
  out.digits(fields[0]!, 4)
  out.byte(45)
  out.digits(fields[1]!, 2)
  out.byte(45)
  out.digits(fields[2]!, 2)
  out.byte(84)
  out.digits(fields[3]!, 2)
  out.byte(58)
  out.digits(fields[4]!, 2)
  out.byte(58)
  out.digits(fields[5]!, 2)
  const milli = fields[6]!
  if (milli !== 0) {
    out.byte(46)
    out.digits(milli, 3)
  }
  out.byte(90)
  out.byte(QUOTE)
}

/** Writes a value of `model`. Throws EncodeFailure. */
export const putValue = (out: JsonBytes, model: Model, value: unknown): void => {
  switch (model.kind) {
    case "scalar":
      switch (model.scalar.kind) {
        case "string":
          if (typeof value !== "string") throw new EncodeFailure(`expected a string, got ${describe(value)}`)
          if (model.pattern !== undefined && !model.pattern.test(value)) {
            throw new EncodeFailure(`the text does not match the pattern of ${model.name}`)
          }
          out.string(value)
          return
        case "int":
          out.ascii(formatInt(value, model.scalar))
          return
        case "long":
          out.byte(QUOTE)
          out.ascii(formatLong(value, model.scalar))
          out.byte(QUOTE)
          return
        case "boolean":
          out.ascii(formatBoolean(value))
          return
        case "double":
        case "decimal":
          if (typeof value !== "number" || !out.decimal(value)) out.ascii(formatDouble(value))
          return
        case "dateTime":
          putDateTime(out, value)
          return
      }
      break
    case "enum":
      if (typeof value !== "string" || !model.values.has(value)) {
        throw new EncodeFailure(
          `${typeof value === "string" ? `"${clip(value)}"` : describe(value)} is not a value of ${model.name}`
        )
      }
      out.string(value)
      return
    case "list": {
      if (!Array.isArray(value))
        throw new EncodeFailure(`expected an array of ${model.name} values, got ${describe(value)}`)
      for (const item of value) {
        if (typeof item !== "string" || (model.values !== undefined && !model.values.has(item))) {
          throw new EncodeFailure(
            `${typeof item === "string" ? `"${clip(item)}"` : describe(item)} is not a value of ${model.name}`
          )
        }
      }
      out.string(value.join(", "))
      return
    }
    case "struct":
      putStruct(out, model, value, undefined)
      return
    case "array":
      putArray(out, model, value)
      return
  }
}

const putField = (out: JsonBytes, field: FieldModel, value: unknown): void => {
  if (!field.repeated) {
    putValue(out, field.model(), value)
    return
  }
  if (!Array.isArray(value)) throw new EncodeFailure(`expected an array, got ${describe(value)}`)
  const model = field.model()
  out.byte(91)
  for (let i = 0; i < value.length; i++) {
    try {
      const item = value[i]
      if (item === null && !field.nillable) throw new EncodeFailure("null is not allowed (the element is not nillable)")
      if (i !== 0) out.byte(COMMA)
      if (item === null) out.ascii("null")
      else putValue(out, model, item)
    } catch (e) {
      if (e instanceof EncodeFailure) e.segments.unshift(`[${i}]`)
      throw e
    }
  }
  out.byte(93)
}

/** Writes a struct value of declared type `declared` (its `_tag` picks a derived type); `extra` goes inside. */
export const putStruct = (out: JsonBytes, declared: StructModel, value: unknown, extra: string | undefined): void => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new EncodeFailure(`expected an object, got ${describe(value)}`)
  }
  const record = value as Record<string, unknown>
  let model = declared
  let discriminator: string | undefined
  if (declared.tagged) {
    const tag = record._tag === undefined ? declared.selfTag : record._tag
    const concrete = typeof tag === "string" ? declared.concrete.get(tag) : undefined
    if (concrete === undefined) {
      throw new EncodeFailure(
        tag === undefined
          ? `${declared.name} is abstract: _tag must name a derived type`
          : `_tag ${String(tag)} is not ${declared.name} or a type derived from it`
      )
    }
    if (concrete.type !== declared.name) model = concrete.struct()
    discriminator = discriminatorOf(concrete)
  }
  out.byte(123)
  let first = true
  if (discriminator !== undefined) {
    out.bytes(TYPE_KEY)
    out.string(discriminator)
    first = false
  }
  const fields = model.fields
  const keys = keysOf(model)
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!
    if (discriminator !== undefined && field.name === "Type") continue
    const v = record[field.name]
    if (v === undefined || v === null) {
      if (v === undefined && !field.optional) {
        const failure = new EncodeFailure("a value is required")
        failure.segments.push(field.name)
        throw failure
      }
      if (v === null && !field.nillable) {
        const failure = new EncodeFailure("null is not allowed (the element is not nillable)")
        failure.segments.push(field.name)
        throw failure
      }
      continue
    }
    if (!first) out.byte(COMMA)
    out.bytes(keys[i]!)
    try {
      putField(out, field, v)
    } catch (e) {
      if (e instanceof EncodeFailure) e.segments.unshift(field.name)
      throw e
    }
    first = false
  }
  if (extra !== undefined && extra !== "") {
    if (!first) out.byte(COMMA)
    out.raw(extra)
  }
  out.byte(125)
}

const putArray = (out: JsonBytes, model: ArrayModel, value: unknown): void => {
  if (!Array.isArray(value)) throw new EncodeFailure(`expected an array, got ${describe(value)}`)
  const item = model.item
  const itemModel = item.model()
  out.byte(91)
  for (let i = 0; i < value.length; i++) {
    const element = value[i]
    try {
      if (i !== 0) out.byte(COMMA)
      if (element === null) {
        if (!item.nillable) throw new EncodeFailure("null is not allowed (the items are not nillable)")
        out.ascii("null")
      } else if (element === undefined) {
        throw new EncodeFailure("an array item is undefined")
      } else putValue(out, itemModel, element)
    } catch (e) {
      if (e instanceof EncodeFailure) e.segments.unshift(`[${i}]`)
      throw e
    }
  }
  out.byte(93)
}

// ===== decoding =====

const fail = (reason: DecodeFailure["reason"], message: string, segment?: string): never => {
  const failure = new DecodeFailure(reason, message)
  if (segment !== undefined) failure.segments.push(segment)
  throw failure
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** Reads a parsed JSON value as a value of `model`. Throws DecodeFailure. */
export const readJson = (model: Model, u: unknown, strict: boolean): unknown => {
  switch (model.kind) {
    case "scalar": {
      let value: unknown
      switch (model.scalar.kind) {
        case "string":
          if (typeof u !== "string") return fail("SchemaMismatch", `expected a string, got ${describe(u)}`)
          if (strict && model.pattern !== undefined && !model.pattern.test(u)) {
            return fail("SchemaMismatch", `the text does not match the pattern of ${model.name}`)
          }
          return u
        case "int":
          if (typeof u === "number")
            value = Number.isInteger(u) ? parseInt32(String(u), model.scalar) : `${u} is not an integer`
          else if (typeof u === "string" && !strict) value = parseInt32(u.trim(), model.scalar)
          else value = `expected an integer, got ${describe(u)}`
          break
        case "long":
          if (typeof u === "string") value = parseLong(u.trim(), model.scalar)
          else if (typeof u === "number" && Number.isSafeInteger(u)) value = BigInt(u)
          else
            value =
              typeof u === "number"
                ? `${u} is not an exact integer: send long ids as strings`
                : `expected a string of digits, got ${describe(u)}`
          break
        case "boolean":
          if (typeof u === "boolean") return u
          if (!strict && (u === "true" || u === "false")) return u === "true"
          return fail("SchemaMismatch", `expected a boolean, got ${describe(u)}`)
        case "double":
        case "decimal":
          if (typeof u === "number") return u
          if (!strict && typeof u === "string") value = parseDecimalText(u.trim(), model.scalar.kind === "decimal")
          else value = `expected a number, got ${describe(u)}`
          break
        case "dateTime":
          value = typeof u === "string" ? parseDateTime(u.trim()) : `expected a date-time string, got ${describe(u)}`
          break
      }
      return typeof value === "string" ? fail("SchemaMismatch", value) : value
    }
    case "enum":
      if (typeof u !== "string") return fail("SchemaMismatch", `expected a ${model.name} value, got ${describe(u)}`)
      if (strict && !model.values.has(u)) return fail("SchemaMismatch", `"${clip(u)}" is not a value of ${model.name}`)
      return u
    case "list": {
      let items: Array<string>
      if (typeof u === "string") {
        items = []
        for (const part of u.split(",")) {
          const item = part.trim()
          if (item !== "") items.push(item)
        }
      } else if (Array.isArray(u) && u.every((item) => typeof item === "string")) {
        items = u as Array<string>
      } else return fail("SchemaMismatch", `expected a comma-separated ${model.name} string, got ${describe(u)}`)
      if (strict && model.values !== undefined) {
        for (const item of items) {
          if (!model.values.has(item)) fail("SchemaMismatch", `"${clip(item)}" is not a value of ${model.name}`)
        }
      }
      return items
    }
    case "struct":
      return readStruct(model, u, strict)
    case "array": {
      if (!Array.isArray(u)) return fail("SchemaMismatch", `expected an array, got ${describe(u)}`)
      const item = model.item
      const itemModel = item.model()
      const out: Array<unknown> = []
      for (let i = 0; i < u.length; i++) {
        const element = u[i]
        if (element === null) {
          if (item.nillable) out.push(null)
          else if (strict) fail("SchemaMismatch", "null is not allowed (the items are not nillable)", `[${i}]`)
          continue
        }
        try {
          out.push(readJson(itemModel, element, strict))
        } catch (e) {
          if (e instanceof DecodeFailure) e.segments.unshift(`[${i}]`)
          throw e
        }
      }
      return out
    }
  }
}

const readFieldValue = (field: FieldModel, u: unknown, strict: boolean): unknown => {
  if (!field.repeated) return readJson(field.model(), u, strict)
  if (!Array.isArray(u)) return fail("SchemaMismatch", `expected an array, got ${describe(u)}`)
  const model = field.model()
  return u.map((item, i) => {
    try {
      return item === null
        ? field.nillable
          ? null
          : fail("SchemaMismatch", "null is not allowed")
        : readJson(model, item, strict)
    } catch (e) {
      if (e instanceof DecodeFailure) e.segments.unshift(`[${i}]`)
      throw e
    }
  })
}

/** True when `value` is a value of the type's own enum or list `Type` field (the root of an enum hierarchy). */
const ownTypeAccepts = (model: StructModel, value: string): boolean => {
  const index = model.byName.get("Type")
  if (index === undefined) return false
  const typeModel = model.fields[index]!.model()
  if (typeModel.kind === "enum") return typeModel.values.has(value)
  return typeModel.kind === "list" && typeModel.item.kind === "enum" && typeModel.item.values.has(value)
}

/**
 * `readStruct` of an untagged struct when the object is already in the decoded shape: its properties are fields, spelled
 * as in the XSD and in field order, none null, every required one present. The struct is then a copy of the object
 * with the values that reading changes (times, longs, nested structs and arrays) replaced: the same properties in the
 * same order as the field-by-field read gives, without adding them one by one (the usual request item, 1,000 per
 * request). Answers undefined for any other object, which the field-by-field read then handles (and reports).
 */
const readAsCopy = (
  model: StructModel,
  u: Record<string, unknown>,
  strict: boolean
): Record<string, unknown> | undefined => {
  const keys = Object.keys(u)
  const fields = model.fields
  let f = 0
  for (const key of keys) {
    while (f < fields.length && fields[f]!.name !== key) {
      if (!fields[f]!.optional) return undefined
      f++
    }
    const v = u[key]
    if (f === fields.length || v === null || v === undefined) return undefined
    f++
  }
  for (; f < fields.length; f++) if (!fields[f]!.optional) return undefined
  const out: Record<string, unknown> = { ...u }
  f = 0
  for (const key of keys) {
    while (fields[f]!.name !== key) f++
    const field = fields[f]!
    const v = u[key]
    try {
      const value = readFieldValue(field, v, strict)
      if (value !== v) out[key] = value
    } catch (e) {
      if (e instanceof DecodeFailure) e.segments.unshift(field.name)
      throw e
    }
  }
  return out
}

/**
 * Reads a JSON object as a struct of declared type `declared` (the `"Type"` property selects a derived type).
 * `force` names the concrete type to use regardless of `"Type"` (REST fault bodies).
 */
export const readStruct = (
  declared: StructModel,
  u: unknown,
  strict: boolean,
  force?: string
): Record<string, unknown> => {
  if (!isObject(u)) return fail("SchemaMismatch", `expected an object, got ${describe(u)}`)
  let model = declared
  let tag = declared.selfTag
  let discriminator: string | undefined
  if (declared.tagged) {
    const typeValue = force ?? u.Type
    const concrete = typeof typeValue === "string" ? concreteByDiscriminator(declared, typeValue) : undefined
    if (concrete !== undefined) {
      if (concrete.type !== declared.name) model = concrete.struct()
      tag = concrete.tag
      discriminator = discriminatorOf(concrete)
    } else if (
      typeof typeValue === "string" &&
      strict &&
      declared.polymorphic &&
      !ownTypeAccepts(declared, typeValue)
    ) {
      fail("SchemaMismatch", `"Type": "${clip(typeValue)}" is not ${declared.name} or a type derived from it`, "Type")
    } else if (tag === undefined) {
      fail("SchemaMismatch", `${declared.name} is abstract: "Type" must name a derived type`, "Type")
    }
  }
  if (!model.tagged) {
    const copy = readAsCopy(model, u, strict)
    if (copy !== undefined) return copy
  }
  const out: Record<string, unknown> = {}
  if (model.tagged) out._tag = tag ?? model.name
  const fields = model.fields
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!
    if (discriminator !== undefined && field.name === "Type") {
      out.Type = typeFieldValue(model, discriminator)
      continue
    }
    let v = u[field.jsonName]
    if (v === undefined && field.jsonName !== field.name) v = u[field.name]
    if (v === undefined || v === null) {
      if (!field.optional) {
        if (field.nillable) out[field.name] = null
        else if (!strict && (field.repeated || field.model().kind === "array")) out[field.name] = []
        else fail("SchemaMismatch", `required property ${field.jsonName} is missing`, field.name)
      }
      continue
    }
    try {
      out[field.name] = readFieldValue(field, v, strict)
    } catch (e) {
      if (e instanceof DecodeFailure) e.segments.unshift(field.name)
      throw e
    }
  }
  if (strict) {
    for (const key of Object.keys(u)) {
      if (!model.byJsonName.has(key) && !(key === "Type" && model.tagged)) {
        fail("UnknownElement", `unknown property ${clip(key)} in ${model.name}`, key)
      }
    }
  }
  return out
}
