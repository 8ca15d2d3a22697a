/**
 * Scalar values on the wire, shared by the SOAP and REST codecs: numbers in plain decimal notation (never an exponent,
 * never a locale; `-0` kept; NaN and ±Infinity rejected), xs:int and xs:long range checks, dateTime always in UTC with
 * `Z` (milliseconds only when not zero), and the XSD lexical forms accepted when reading.
 */
import * as DateTime from "effect/DateTime"
import { EncodeFailure } from "./errors.js"
import { makeUtc } from "../internal/utc.js"
import type { ScalarInfo } from "./wire-model.js"

// ===== Numbers =====

/**
 * A finite number in plain decimal notation, valid as xs:double, xs:decimal and a JSON number: `1e21` is written
 * `1000000000000000000000`, `1e-7` as `0.0000001`. The digits are JavaScript's shortest round-trip digits, so reading
 * the text back gives the same number. `-0` is written `-0`.
 */
export const formatNumber = (n: number): string => {
  if (!Number.isFinite(n)) throw new EncodeFailure(`${n} is not a finite number`)
  if (n === 0) return Object.is(n, -0) ? "-0" : "0"
  const s = String(n)
  const e = s.indexOf("e")
  if (e === -1) return s
  const negative = s.charCodeAt(0) === 45
  const mantissa = s.slice(negative ? 1 : 0, e)
  const exponent = Number(s.slice(e + 1))
  const dot = mantissa.indexOf(".")
  const digits = dot === -1 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1)
  const point = (dot === -1 ? mantissa.length : dot) + exponent
  let out: string
  if (point >= digits.length) out = digits + "0".repeat(point - digits.length)
  else if (point <= 0) out = "0." + "0".repeat(-point) + digits
  else out = digits.slice(0, point) + "." + digits.slice(point)
  return negative ? "-" + out : out
}

/** How many decimal digits a non-negative integer has (1 for 0). */
export const decimalWidth = (n: number): number => {
  let width = 1
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) width++
  return width
}

/** An integer of an XSD integer type (xs:int, …) after its range check. */
export const formatInt = (n: unknown, info: ScalarInfo): string => {
  if (typeof n !== "number" || !Number.isInteger(n)) throw new EncodeFailure(`expected an integer, got ${describe(n)}`)
  if (n < (info.min as number) || n > (info.max as number)) {
    throw new EncodeFailure(`${n} is outside the range ${info.min}..${info.max}`)
  }
  return n === 0 ? "0" : String(n)
}

/** A bigint of xs:long after its range check. */
export const formatLong = (n: unknown, info: ScalarInfo): string => {
  if (typeof n !== "bigint") throw new EncodeFailure(`expected a bigint, got ${describe(n)}`)
  if (n < (info.min as bigint) || n > (info.max as bigint)) {
    throw new EncodeFailure(`${n} is outside the range ${info.min}..${info.max}`)
  }
  return n.toString()
}

/** A number field (xs:double / xs:decimal). */
export const formatDouble = (n: unknown): string => {
  if (typeof n !== "number") throw new EncodeFailure(`expected a number, got ${describe(n)}`)
  return formatNumber(n)
}

export const formatBoolean = (b: unknown): string => {
  if (typeof b !== "boolean") throw new EncodeFailure(`expected a boolean, got ${describe(b)}`)
  return b ? "true" : "false"
}

const INTEGER = /^[+-]?\d+$/
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/
const DOUBLE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/

/** Reads an XSD integer type; returns an error message or the number. */
export const parseInt32 = (text: string, info: ScalarInfo): number | string => {
  if (!INTEGER.test(text)) return `"${clip(text)}" is not an integer`
  const n = Number(text)
  if (n < (info.min as number) || n > (info.max as number))
    return `${text} is outside the range ${info.min}..${info.max}`
  return n === 0 ? 0 : n
}

/** Reads xs:long into a bigint; returns an error message or the value. */
export const parseLong = (text: string, info: ScalarInfo): bigint | string => {
  if (!INTEGER.test(text)) return `"${clip(text)}" is not an integer`
  const n = BigInt(text)
  if (n < (info.min as bigint) || n > (info.max as bigint))
    return `${text} is outside the range ${info.min}..${info.max}`
  return n
}

/** Reads xs:double (finite values only: INF and NaN are refused) or xs:decimal. */
export const parseDecimalText = (text: string, decimal: boolean): number | string => {
  if (!(decimal ? DECIMAL : DOUBLE).test(text))
    return `"${clip(text)}" is not ${decimal ? "an xs:decimal" : "a finite xs:double"}`
  const n = Number(text)
  if (!Number.isFinite(n)) return `${clip(text)} is not a finite number`
  return n
}

/** Reads xs:boolean. */
export const parseBoolean = (text: string): boolean | string => {
  switch (text) {
    case "true":
    case "1":
      return true
    case "false":
    case "0":
      return false
    default:
      return `"${clip(text)}" is not a boolean`
  }
}

// ===== dateTime =====

const minMillis = (() => {
  const d = new Date(0)
  d.setUTCFullYear(1, 0, 1)
  d.setUTCHours(0, 0, 0, 0)
  return d.getTime()
})()
const maxMillis = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

/**
 * `DateTime.isDateTime` without its allocation: it goes through `Predicate.hasProperty`, a `dual` function that
 * copies its arguments on every call, and this runs for every time of every item encoded.
 */
const isDateTime = (value: unknown): value is DateTime.DateTime =>
  typeof value === "object" && value !== null && DateTime.TypeId in value

/** The epoch milliseconds of a DateTime to be written as xs:dateTime; throws EncodeFailure outside 0001–9999. */
export const dateTimeMillis = (value: unknown): number => {
  if (!isDateTime(value)) throw new EncodeFailure(`expected a DateTime.Utc, got ${describe(value)}`)
  const ms = value.epochMillis
  if (!(ms >= minMillis && ms <= maxMillis)) throw new EncodeFailure("the time is outside the years 0001–9999")
  return ms
}

/**
 * A DateTime as xs:dateTime in UTC: `YYYY-MM-DDTHH:mm:ssZ`, or `YYYY-MM-DDTHH:mm:ss.sssZ` when the milliseconds are
 * not zero. A zoned DateTime is written as its UTC instant. Years outside 0001–9999 are refused.
 */
export const formatDateTime = (value: unknown): string => isoFromMillis(dateTimeMillis(value))

const pad2 = (n: number): string => (n < 10 ? "0" + n : "" + n)

/**
 * The UTC calendar fields of an instant, filled in by `utcFields`: year, month (1–12), day, hour, minute, second,
 * millisecond. One shared array rather than an object per call: this runs for every time of a 1,000-item batch.
 */
export const UTC_FIELDS = new Int32Array(7)

/**
 * Fills `UTC_FIELDS` from epoch milliseconds, arithmetically (civil-from-days, H. Hinnant) rather than through a Date
 * object.
 */
export const utcFields = (ms: number): Int32Array => {
  let days = Math.floor(ms / 86400000)
  let rest = ms - days * 86400000
  const hour = Math.floor(rest / 3600000)
  rest -= hour * 3600000
  const minute = Math.floor(rest / 60000)
  rest -= minute * 60000
  const second = Math.floor(rest / 1000)
  const milli = rest - second * 1000
  days += 719468
  const era = Math.floor(days / 146097)
  const dayOfEra = days - era * 146097
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365
  )
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100))
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153)
  const fields = UTC_FIELDS
  fields[2] = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
  fields[0] = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
  fields[1] = month
  fields[3] = hour
  fields[4] = minute
  fields[5] = second
  fields[6] = milli
  return fields
}

/** `YYYY-MM-DDTHH:mm:ss[.sss]Z` from epoch milliseconds. */
const isoFromMillis = (ms: number): string => {
  const fields = utcFields(ms)
  const year = fields[0]!
  const milli = fields[6]!
  const yyyy = year >= 1000 ? "" + year : ("000" + year).slice(-4)
  const fraction =
    milli === 0 ? "Z" : milli < 10 ? ".00" + milli + "Z" : milli < 100 ? ".0" + milli + "Z" : "." + milli + "Z"
  return `${yyyy}-${pad2(fields[1]!)}-${pad2(fields[2]!)}T${pad2(fields[3]!)}:${pad2(fields[4]!)}:${pad2(fields[5]!)}${fraction}`
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/
const daysIn = (year: number, month: number): number =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : month === 4 || month === 6 || month === 9 || month === 11
      ? 30
      : 31

/**
 * A `DateTime.Utc` for an instant in ms since the epoch, made without a `Date` or Effect's property definition
 * (`utc.ts`): this runs once per time of every item encoded or decoded.
 */
export const utcFromMillis: (epochMs: number) => DateTime.Utc = makeUtc

/**
 * Reads xs:dateTime (also the ISO form with an offset that REST clients send): any number of fractional digits
 * (truncated to milliseconds), `Z`, an offset, or no zone (read as UTC). Returns an error message or the instant.
 *
 * This runs for every time of every item received, so the usual form (`YYYY-MM-DDTHH:mm:ss[.f…][Z]`, a valid date
 * and time) is read by hand; anything else (offsets, `24:00:00`, every invalid text) goes through the pattern, which
 * gives the same instants and all the error messages.
 */
export const parseDateTime = (text: string): DateTime.Utc | string => {
  const ms = usualDateTimeMillis(text)
  return ms === undefined ? parseDateTimeByPattern(text) : utcFromMillis(ms)
}

/** The value of the two decimal digits at `at`, or -1. */
const twoDigits = (text: string, at: number): number => {
  const tens = text.charCodeAt(at) - 48
  const ones = text.charCodeAt(at + 1) - 48
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (days-from-civil, H. Hinnant); year ≥ 1. */
const daysFromCivil = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146097 + dayOfEra - 719468
}

/**
 * The epoch milliseconds of `YYYY-MM-DDTHH:mm:ss`, optionally `.` and fraction digits, optionally `Z`, when that is a
 * valid date and time (years 0001–9999, hours 00–23); undefined for any other text. Exported for the tests that compare it
 * with the pattern.
 */
export const usualDateTimeMillis = (text: string): number | undefined => {
  const length = text.length
  if (
    length < 19 ||
    text.charCodeAt(4) !== 45 || // -
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 || // T
    text.charCodeAt(13) !== 58 || // :
    text.charCodeAt(16) !== 58
  ) {
    return undefined
  }
  const century = twoDigits(text, 0)
  const yearOfCentury = twoDigits(text, 2)
  const month = twoDigits(text, 5)
  const day = twoDigits(text, 8)
  const hour = twoDigits(text, 11)
  const minute = twoDigits(text, 14)
  const second = twoDigits(text, 17)
  if ((century | yearOfCentury | month | day | hour | minute | second) < 0) return undefined
  const year = century * 100 + yearOfCentury
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 59) return undefined
  const end = text.charCodeAt(length - 1) === 90 ? length - 1 : length // Z
  let millis = 0
  if (end > 19) {
    if (text.charCodeAt(19) !== 46 || end === 20) return undefined // .
    for (let i = 20; i < end; i++) {
      const digit = text.charCodeAt(i) - 48
      if (!(digit >= 0 && digit <= 9)) return undefined
      if (i < 23) millis = millis * 10 + digit
    }
    if (end === 21) millis *= 100
    else if (end === 22) millis *= 10
  }
  return daysFromCivil(year, month, day) * 86400000 + hour * 3600000 + minute * 60000 + second * 1000 + millis
}

/** `parseDateTime` by the pattern: every form and every error message. Exported for the tests. */
export const parseDateTimeByPattern = (text: string): DateTime.Utc | string => {
  const m = DATE_TIME.exec(text)
  if (m === null) return `"${clip(text)}" is not an xs:dateTime`
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  const hour = Number(m[4])
  const minute = Number(m[5])
  const second = Number(m[6])
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"))
  const endOfDay = hour === 24 && minute === 0 && second === 0 && millis === 0
  if (
    year < 1 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysIn(year, month) ||
    (hour > 23 && !endOfDay) ||
    minute > 59 ||
    second > 59
  ) {
    return `"${clip(text)}" is not a valid date and time`
  }
  let offsetMinutes = 0
  const zone = m[8]
  if (zone !== undefined && zone !== "Z") {
    const oh = Number(zone.slice(1, 3))
    const om = Number(zone.slice(4, 6))
    if (oh > 14 || om > 59 || (oh === 14 && om !== 0)) return `"${clip(text)}" has an invalid time zone offset`
    offsetMinutes = (zone[0] === "-" ? -1 : 1) * (oh * 60 + om)
  }
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, millis)
  const ms = date.getTime() - offsetMinutes * 60000
  if (!(ms >= minMillis && ms <= maxMillis)) return `"${clip(text)}" is outside the years 0001–9999 in UTC`
  return utcFromMillis(ms)
}

// ===== helpers =====

/** A short description of an unexpected value for error messages (never the value itself: it may be personal data). */
export const describe = (u: unknown): string => {
  if (u === null) return "null"
  if (Array.isArray(u)) return "an array"
  if (typeof u === "number" && Number.isNaN(u)) return "NaN"
  if (typeof u === "number" && !Number.isFinite(u)) return String(u)
  return typeof u === "object" ? "an object" : `a ${typeof u}`
}

/** At most 40 characters of a text, for error messages about what was received. */
export const clip = (text: string): string => (text.length > 40 ? `${text.slice(0, 40)}…` : text)
