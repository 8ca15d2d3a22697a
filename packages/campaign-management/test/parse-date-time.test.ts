/**
 * parseDateTime reads the usual xs:dateTime form by hand and everything else by the pattern: on every input, valid or
 * not, it must answer what the pattern alone answers (the same instant or the same error message).
 */
import { DateTime } from "effect"
import { describe, expect, it } from "vitest"
import { parseDateTime, parseDateTimeByPattern, usualDateTimeMillis } from "../src/codec/scalars.js"

/** A seeded generator, so that a failure can be reproduced. */
const random = (seed: number) => {
  let x = seed
  return (): number => {
    x = (x * 1103515245 + 12345) % 2147483648
    return x / 2147483648
  }
}

const FIRST = -62135596800000 // 0001-01-01T00:00:00Z
const LAST = 253402300799999 // 9999-12-31T23:59:59.999Z

/** What a parse answered, comparable with toEqual. */
const answer = (parsed: DateTime.Utc | string): number | string =>
  typeof parsed === "string" ? parsed : DateTime.toEpochMillis(parsed)

/** The usual forms of an instant: with and without `Z`, with 0–9 fraction digits. */
const usualForms = (ms: number, next: () => number): Array<string> => {
  const iso = new Date(ms).toISOString()
  const seconds = iso.slice(0, 19)
  const digits = `${iso.slice(20, 23)}${Math.floor(next() * 1e6)
    .toString()
    .padStart(6, "0")}`
  const fraction = Math.floor(next() * 10)
  const body = fraction === 0 ? seconds : `${seconds}.${digits.slice(0, fraction)}`
  return [`${body}Z`, body, iso]
}

const ALPHABET = "0123456789-T:.Z+ zt٣\n"

/** A text near a valid one: one character replaced, inserted or removed. */
const mutate = (text: string, next: () => number): string => {
  const at = Math.floor(next() * (text.length + 1))
  const char = ALPHABET[Math.floor(next() * ALPHABET.length)]!
  switch (Math.floor(next() * 3)) {
    case 0:
      return text.slice(0, at) + char + text.slice(at + 1)
    case 1:
      return text.slice(0, at) + char + text.slice(at)
    default:
      return text.slice(0, at) + text.slice(at + 1)
  }
}

describe("parseDateTime (hand-read usual form)", () => {
  it("reads the usual form without the pattern, to the instant Date reads", () => {
    const next = random(7)
    for (let i = 0; i < 5_000; i++) {
      const ms = FIRST + Math.floor(next() * (LAST - FIRST + 1))
      for (const text of usualForms(ms, next)) {
        const fraction = /\.(\d+)/.exec(text)?.[1] ?? ""
        const expected = Date.parse(`${text.slice(0, 19)}.${fraction.slice(0, 3).padEnd(3, "0")}Z`)
        expect(usualDateTimeMillis(text), text).toBe(expected)
      }
    }
  })

  it("answers what the pattern answers on generated valid and nearly valid texts", () => {
    const next = random(42)
    for (let i = 0; i < 5_000; i++) {
      const ms = FIRST + Math.floor(next() * (LAST - FIRST + 1))
      for (const text of usualForms(ms, next)) {
        expect(answer(parseDateTime(text)), text).toEqual(answer(parseDateTimeByPattern(text)))
        const near = mutate(text, next)
        expect(answer(parseDateTime(near)), near).toEqual(answer(parseDateTimeByPattern(near)))
      }
    }
  })

  it.each([
    "2026-08-01T17:02:35Z",
    "2026-08-01T17:02:35",
    "2026-08-01T17:02:35.Z",
    "2026-08-01T17:02:35.",
    "2026-08-01T17:02:35ZZ",
    "2026-08-01T17:02:35.1234567890123Z",
    "2024-02-29T23:59:59.999Z",
    "2025-02-29T00:00:00Z",
    "2100-02-29T00:00:00Z",
    "2000-02-29T00:00:00Z",
    "2026-04-31T00:00:00Z",
    "2026-12-31T24:00:00Z",
    "2026-12-31T24:00:00.0001Z",
    "9999-12-31T24:00:00Z",
    "9999-12-31T23:59:59.9999Z",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+00:01",
    "0000-12-31T23:59:59Z",
    "1969-12-31T23:59:59.999Z",
    "1970-01-01T00:00:00Z",
    "2026-08-01T17:02:35+02:00",
    "2026-08-01T17:02:35-14:00",
    "2026-08-01T17:02:35+14:01",
    "2026-08-01T17:60:35Z",
    "2026-08-01T17:02:60Z",
    "2026-00-01T17:02:35Z",
    "2026-08-00T17:02:35Z",
    "2026-13-01T17:02:35Z",
    "2026-08-01t17:02:35Z",
    "2026-08-01T17:02:35z",
    "2026-08-01T17:02:3",
    "+2026-08-01T17:02:35Z",
    "20260-08-01T17:02:35Z",
    "2026-08-01T17:02:35Z\n",
    "２０２６-08-01T17:02:35Z",
    ""
  ])("answers what the pattern answers for %j", (text) => {
    expect(answer(parseDateTime(text))).toEqual(answer(parseDateTimeByPattern(text)))
  })
})
