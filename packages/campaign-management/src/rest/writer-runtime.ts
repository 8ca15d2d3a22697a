/**
 * What the generated REST JSON writers (`se_<Type>` in `src/generated/types/*`) call: the value checks and their
 * messages, the scalar writers, and the generic writer for the values a generated writer does not spell out
 * (polymorphic structs, `xs:list`, pattern restrictions).
 *
 * Invariant: a generated writer plus these helpers write the same bytes as the generic writer (`json.ts`) and fail
 * with the same `EncodeFailure` message and path for the same value — every check and message here is the generic
 * writer's, and the scalar writers are the very functions it uses. `test/json-writers.test.ts` holds them to that.
 */
import { EncodeFailure } from "../codec/errors.js"
import { clip, describe, formatBoolean, formatDouble, formatInt, formatLong } from "../codec/scalars.js"
import { modelOf, type ScalarInfo, scalarInfo, structOf } from "../codec/wire-model.js"
import type { WireEnumType, WireListType, WireRestrictionType, WireStructType } from "../generated/wire-types.js"
import { putDateTime as putDateTimeValue, putStruct, putValue } from "./json.js"
import { asciiBytes, type JsonBytes } from "./json-bytes.js"

export type { JsonBytes } from "./json-bytes.js"

const QUOTE = 34

// ===== Ranges of the XSD integer types =====

const info = (type: string): ScalarInfo => scalarInfo(type)!

export const XS_BYTE = info("xs:byte")
export const XS_SHORT = info("xs:short")
export const XS_INT = info("xs:int")
export const XS_UNSIGNED_BYTE = info("xs:unsignedByte")
export const XS_UNSIGNED_SHORT = info("xs:unsignedShort")
export const XS_UNSIGNED_INT = info("xs:unsignedInt")
export const XS_LONG = info("xs:long")
export const XS_UNSIGNED_LONG = info("xs:unsignedLong")

/** The `,"Name":` prefix of each property, as UTF-8 bytes (the generated writers make them once per type). */
export const jsonKeys = (names: ReadonlyArray<string>): ReadonlyArray<Uint8Array> =>
  names.map((name) => asciiBytes(`,${JSON.stringify(name)}:`))

// ===== Shapes and absent values =====

/** The value as an object, or the generic writer's failure for anything else. */
export const asObject = (value: unknown): Record<string, unknown> => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new EncodeFailure(`expected an object, got ${describe(value)}`)
  }
  return value as Record<string, unknown>
}

/** The value as an array, or the generic writer's failure for anything else. */
export const asArray = (value: unknown): ReadonlyArray<unknown> => {
  if (!Array.isArray(value)) throw new EncodeFailure(`expected an array, got ${describe(value)}`)
  return value
}

/** A required element without a value. */
export const required = (): EncodeFailure => new EncodeFailure("a value is required")

/** Null for an element that is not nillable. */
export const notNillable = (): EncodeFailure => new EncodeFailure("null is not allowed (the element is not nillable)")

/** A null item of an `ArrayOfX` whose items are not nillable. */
export const nullItem = (): EncodeFailure => new EncodeFailure("null is not allowed (the items are not nillable)")

/** An undefined item of an `ArrayOfX`. */
export const undefinedItem = (): EncodeFailure => new EncodeFailure("an array item is undefined")

/** Adds the field being written (`at`) to the path of a failure and returns it to be thrown. */
export const atField = (e: unknown, at: string | undefined): unknown => {
  if (at !== undefined && e instanceof EncodeFailure) e.segments.unshift(at)
  return e
}

/** Adds the item index to the path of a failure and returns it to be thrown. */
export const atIndex = (e: unknown, i: number): unknown => {
  if (e instanceof EncodeFailure) e.segments.unshift(`[${i}]`)
  return e
}

// ===== Scalars =====

export const putString = (out: JsonBytes, value: unknown): void => {
  if (typeof value !== "string") throw new EncodeFailure(`expected a string, got ${describe(value)}`)
  out.string(value)
}

export const putInt = (out: JsonBytes, value: unknown, range: ScalarInfo): void => {
  out.ascii(formatInt(value, range))
}

/** xs:long as a JSON string of digits (JSON numbers lose precision beyond 2^53). */
export const putLong = (out: JsonBytes, value: unknown, range: ScalarInfo): void => {
  out.byte(QUOTE)
  out.ascii(formatLong(value, range))
  out.byte(QUOTE)
}

export const putBoolean = (out: JsonBytes, value: unknown): void => {
  out.ascii(formatBoolean(value))
}

/** xs:double and xs:decimal in plain decimal notation. */
export const putNumber = (out: JsonBytes, value: unknown): void => {
  if (typeof value !== "number" || !out.decimal(value)) out.ascii(formatDouble(value))
}

/** xs:dateTime in UTC with `Z`. */
export const putDateTime = (out: JsonBytes, value: unknown): void => {
  putDateTimeValue(out, value)
}

/** An XSD built-in the codecs do not support: the same Error as the generic writer's. */
export const putUnsupported = (type: string): never => {
  throw new Error(`unsupported XSD builtin ${type}`)
}

// ===== Types checked against their wire metadata =====

const enumValues = new WeakMap<WireEnumType, ReadonlySet<string>>()

/** A value of an enumeration. */
export const putEnum = (out: JsonBytes, value: unknown, wire: WireEnumType): void => {
  let values = enumValues.get(wire)
  if (values === undefined) {
    values = new Set(wire.values)
    enumValues.set(wire, values)
  }
  if (typeof value !== "string" || !values.has(value)) {
    throw new EncodeFailure(
      `${typeof value === "string" ? `"${clip(value)}"` : describe(value)} is not a value of ${wire.name}`
    )
  }
  out.string(value)
}

/** An `xs:list` value (an array of flags), written as one comma-separated string. */
export const putList = (out: JsonBytes, value: unknown, wire: WireListType): void => {
  putValue(out, modelOf(wire), value)
}

/** A value of a restriction of a built-in (a pattern). */
export const putRestricted = (out: JsonBytes, value: unknown, wire: WireRestrictionType): void => {
  putValue(out, modelOf(wire), value)
}

/** A value of a type in an extension hierarchy: the generic writer reads `_tag` and writes `"Type"`. */
export const putPolymorphic = (out: JsonBytes, value: unknown, wire: WireStructType): void => {
  putStruct(out, structOf(wire), value, undefined)
}
