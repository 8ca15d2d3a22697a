/**
 * Conversion and adjustment times, parsed to a UTC instant (milliseconds since the epoch).
 *
 * Accepted: ISO 8601 with `Z` or an offset (`2024-05-01T10:00:00Z`, `…+05:30`, `…-0800`, `…−08:00` with a typographic
 * minus; a space may replace the `T`; any number of fractional second digits, kept to the millisecond). Bulk files
 * also use Microsoft's `M/D/YYYY h:mm:ss AM/PM` (or 24-hour `M/D/YYYY H:mm:ss`), which is UTC. A time without a zone
 * is invalid unless a time zone (IANA name) is configured; it is then read as wall-clock time there, daylight saving
 * included (Effect's DateTime, which uses Intl.DateTimeFormat): a time skipped by a spring-forward gap moves forward
 * by the gap, a time repeated at fall-back takes its first (earlier) occurrence — Temporal's "compatible" rule.
 */
import { usualDateTimeMillis, utcFields } from "@uplink/campaign-management/wire"
import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"

/** How times are read: the configured zone for zone-less times, and whether the Bulk form is accepted. */
export interface TimeContext {
  readonly timeZone?: DateTime.TimeZone.Named | undefined
  readonly bulkFormat?: boolean | undefined
}

export type ParsedTime =
  | { readonly ok: true; readonly epochMs: number }
  | { readonly ok: false; readonly reason: string }

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(?:([Zz])|([+\-\u2212])(\d{2})(?::?(\d{2}))?)?$/
const BULK = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) +(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?: *([AaPp])\.?[Mm]\.?)?$/

/** The named time zone `name` (IANA), if the runtime knows it. */
export const zone = (name: string): Option.Option<DateTime.TimeZone.Named> => DateTime.zoneMakeNamed(name)

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const daysInMonth = (year: number, month: number): number => (month === 2 && isLeap(year) ? 29 : monthDays[month - 1])

/** Fractional-second digits as whole milliseconds (truncated, as xs:dateTime's 7 digits are). */
const fraction = (digits: string | undefined): number =>
  digits === undefined ? 0 : Number(digits.slice(0, 3).padEnd(3, "0"))

interface Wall {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hours: number
  readonly minutes: number
  readonly seconds: number
  readonly millis: number
}

const checkWall = (wall: Wall): string | undefined => {
  if (wall.month < 1 || wall.month > 12) return "the month is out of range"
  if (wall.day < 1 || wall.day > daysInMonth(wall.year, wall.month)) return "the day does not exist in that month"
  if (wall.hours > 23 || wall.minutes > 59 || wall.seconds > 59) return "the time of day is out of range"
  return undefined
}

const wallAsUtc = (wall: Wall): number => {
  const ms = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hours, wall.minutes, wall.seconds, wall.millis)
  if (wall.year >= 100) return ms
  // Date.UTC reads years 0–99 as 1900–1999.
  const date = new Date(ms)
  date.setUTCFullYear(wall.year)
  return date.getTime()
}

/**
 * Offsets (UTC minus wall clock, in ms) already resolved, by zone and wall-clock minute: asking Intl is slow and a
 * file's times repeat their minutes. Offsets change only on whole minutes, so the cache is exact. Bounded.
 */
const offsetCache = new Map<string, number>()
const OFFSET_CACHE_LIMIT = 100_000

const zonedToUtc = (wall: Wall, zone: DateTime.TimeZone.Named): ParsedTime => {
  const key = `${zone.id}|${wall.year}-${wall.month}-${wall.day}T${wall.hours}:${wall.minutes}`
  const local = wallAsUtc(wall)
  const cached = offsetCache.get(key)
  if (cached !== undefined) return { ok: true, epochMs: local + cached }
  const zoned = DateTime.makeZoned(
    {
      year: wall.year,
      month: wall.month,
      day: wall.day,
      hours: wall.hours,
      minutes: wall.minutes,
      seconds: 0,
      millis: 0
    },
    { timeZone: zone, adjustForTimeZone: true, disambiguation: "compatible" }
  )
  if (Option.isNone(zoned)) return { ok: false, reason: `the time cannot be placed in ${zone.id}` }
  const minuteStart = local - wall.seconds * 1000 - wall.millis
  const offset = DateTime.toEpochMillis(zoned.value) - minuteStart
  if (offsetCache.size >= OFFSET_CACHE_LIMIT) offsetCache.clear()
  offsetCache.set(key, offset)
  return { ok: true, epochMs: local + offset }
}

const withoutZone = (wall: Wall, context: TimeContext): ParsedTime =>
  context.timeZone === undefined
    ? { ok: false, reason: "the time has no zone: add Z or an offset such as +02:00, or configure a time zone" }
    : zonedToUtc(wall, context.timeZone)

const twoDigits = (text: string, i: number): number => {
  const tens = text.charCodeAt(i) - 48
  const ones = text.charCodeAt(i + 1) - 48
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1
}

/**
 * The common forms — `YYYY-MM-DDTHH:MM:SS[.fff…]` then `Z` or `±HH:MM` — read without the regular expression (the
 * hot path of large files). The date and time are read by the codecs' `usualDateTimeMillis`, the offset here.
 * Answers `undefined` for anything else (and for invalid dates), which `parse` then reads with `ISO`; for what it
 * accepts it answers exactly what the `ISO` path would.
 */
const parseCommonIso = (text: string): ParsedTime | undefined => {
  const n = text.length
  if (text.charCodeAt(n - 1) === 90) {
    const ms = usualDateTimeMillis(text)
    return ms === undefined ? undefined : { ok: true, epochMs: ms }
  }
  const sign = text.charCodeAt(n - 6)
  if ((sign !== 43 && sign !== 45 && sign !== 0x2212) || text.charCodeAt(n - 3) !== 58) return undefined
  if (text.charCodeAt(n - 7) === 90) return undefined
  const offsetHours = twoDigits(text, n - 5)
  const offsetMinutes = twoDigits(text, n - 2)
  if (offsetHours < 0 || offsetMinutes < 0) return undefined
  const ms = usualDateTimeMillis(text.slice(0, n - 6))
  if (ms === undefined) return undefined
  if (offsetHours > 18 || offsetMinutes > 59) return { ok: false, reason: "the UTC offset is out of range" }
  return { ok: true, epochMs: ms - (sign === 43 ? 1 : -1) * (offsetHours * 60 + offsetMinutes) * 60_000 }
}

/** Parses `text` to a UTC instant, or says why it cannot. */
export const parse = (text: string, context: TimeContext = {}): ParsedTime => {
  const trimmed = text.trim()
  const common = parseCommonIso(trimmed)
  if (common !== undefined) return common
  const iso = ISO.exec(trimmed)
  if (iso !== null) {
    const wall: Wall = {
      year: Number(iso[1]),
      month: Number(iso[2]),
      day: Number(iso[3]),
      hours: Number(iso[4]),
      minutes: Number(iso[5]),
      seconds: iso[6] === undefined ? 0 : Number(iso[6]),
      millis: fraction(iso[7])
    }
    const problem = checkWall(wall)
    if (problem !== undefined) return { ok: false, reason: problem }
    if (iso[8] !== undefined) return { ok: true, epochMs: wallAsUtc(wall) }
    if (iso[9] === undefined) return withoutZone(wall, context)
    const offsetHours = Number(iso[10])
    const offsetMinutes = iso[11] === undefined ? 0 : Number(iso[11])
    if (offsetHours > 18 || offsetMinutes > 59) return { ok: false, reason: "the UTC offset is out of range" }
    const sign = iso[9] === "+" ? 1 : -1
    return { ok: true, epochMs: wallAsUtc(wall) - sign * (offsetHours * 60 + offsetMinutes) * 60_000 }
  }
  if (context.bulkFormat === true) {
    const bulk = BULK.exec(trimmed)
    if (bulk !== null) {
      let hours = Number(bulk[4])
      const meridiem = bulk[8]?.toUpperCase()
      if (meridiem !== undefined) {
        if (hours < 1 || hours > 12) return { ok: false, reason: "the hour is out of range for AM/PM" }
        hours = (hours % 12) + (meridiem === "P" ? 12 : 0)
      }
      const wall: Wall = {
        year: Number(bulk[3]),
        month: Number(bulk[1]),
        day: Number(bulk[2]),
        hours,
        minutes: Number(bulk[5]),
        seconds: bulk[6] === undefined ? 0 : Number(bulk[6]),
        millis: fraction(bulk[7])
      }
      const problem = checkWall(wall)
      return problem === undefined ? { ok: true, epochMs: wallAsUtc(wall) } : { ok: false, reason: problem }
    }
  }
  return {
    ok: false,
    reason:
      context.bulkFormat === true
        ? "not an ISO 8601 time (2024-05-01T10:00:00Z) or a Bulk time (5/1/2024 10:00:00 AM)"
        : "not an ISO 8601 time such as 2024-05-01T10:00:00Z"
  }
}

/**
 * `text` itself when it is already what `formatUtc` writes for the instant it names — `YYYY-MM-DDTHH:MM:SS.mmmZ`
 * with a year from 1000, the form `Date.prototype.toISOString` gives most machine-written files — else undefined.
 * An outcome then shows the input's own text instead of formatting the time again (this runs for every record).
 * Meant for text that `parse` accepted: the shape is checked here, the date's validity there.
 */
export const canonicalUtcText = (text: unknown): string | undefined => {
  if (typeof text !== "string" || text.length !== 24) return undefined
  if (
    text.charCodeAt(4) !== 45 || // -
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 || // T
    text.charCodeAt(13) !== 58 || // :
    text.charCodeAt(16) !== 58 ||
    text.charCodeAt(19) !== 46 || // .
    text.charCodeAt(23) !== 90 || // Z
    text.charCodeAt(0) === 48 // a year below 1000: formatUtc leaves those to toISOString
  ) {
    return undefined
  }
  for (const i of CANONICAL_DIGIT_PAIRS) if (twoDigits(text, i) < 0) return undefined
  return text
}

/** Where two digits start in `YYYY-MM-DDTHH:MM:SS.mmmZ` (20 and 21 together cover the three of the milliseconds). */
const CANONICAL_DIGIT_PAIRS = [0, 2, 5, 8, 11, 14, 17, 20, 21]

/** The character code of digit `n` (0–9). */
const digit = (n: number): number => 48 + n
const tens = (n: number): number => digit(Math.floor(n / 10) % 10)
const ones = (n: number): number => digit(n % 10)

/**
 * The instant as ISO 8601 in UTC with milliseconds and `Z` — `Date.prototype.toISOString`'s text — computed from the
 * calendar fields rather than through a Date object, as one flat string made from its 24 character codes (this runs
 * for every outcome, and makes no intermediate strings). Years outside 1000–9999 take `toISOString` itself.
 */
export const formatUtc = (epochMs: number): string => {
  const fields = utcFields(epochMs)
  const year = fields[0]!
  if (year < 1000 || year > 9999) return new Date(epochMs).toISOString()
  const month = fields[1]!
  const day = fields[2]!
  const hour = fields[3]!
  const minute = fields[4]!
  const second = fields[5]!
  const milli = fields[6]!
  return String.fromCharCode(
    digit(Math.floor(year / 1000)),
    digit(Math.floor(year / 100) % 10),
    tens(year),
    ones(year),
    45,
    tens(month),
    ones(month),
    45,
    tens(day),
    ones(day),
    84,
    tens(hour),
    ones(hour),
    58,
    tens(minute),
    ones(minute),
    58,
    tens(second),
    ones(second),
    46,
    digit(Math.floor(milli / 100)),
    tens(milli),
    ones(milli),
    90
  )
}
