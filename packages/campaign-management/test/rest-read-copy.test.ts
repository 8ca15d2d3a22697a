/**
 * Reading a REST object that is already in the decoded shape (properties in field order) takes a copy of it instead
 * of adding the fields one by one. The same object with its properties in another order is read field by field. Both
 * must give the same value (the same properties in the same order) or fail with the same error, on valid items and
 * on items with wrong values, nulls, missing or unknown properties.
 */
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { DecodeFailure } from "../src/codec/errors.js"
import { decodeRestRequest, type WireDecodeError } from "../src/index.js"
import { readStruct } from "../src/rest/json.js"
import { structNamed } from "./models.js"

/** A seeded generator, so that a failure can be reproduced. */
const random = (seed: number) => {
  let x = seed
  return (n: number): number => {
    x = (x * 1103515245 + 12345) % 2147483648
    return Math.floor((x / 2147483648) * n)
  }
}

/** The OfflineConversion fields in XSD order, each with valid and invalid JSON values. */
const FIELDS: ReadonlyArray<readonly [string, ReadonlyArray<unknown>]> = [
  ["ConversionCurrencyCode", ["USD", "", null, 5]],
  ["ConversionName", ["Purchase", "  ", null, true]],
  ["ConversionTime", ["2026-08-01T17:02:35Z", "2026-08-01T17:02:35.123456+02:00", "2026-02-30T00:00:00Z", null, 1]],
  ["ConversionValue", [10.5, 0, -0, "10", null]],
  ["ExternalAttributionCredit", [0.25, null, "x"]],
  ["ExternalAttributionModel", ["Model", null, []]],
  ["HashedEmailAddress", ["f25ad364d33972379a7a4f4df33db142205f5c40eb19cfdb2fc5aaf117e10101", null]],
  ["HashedPhoneNumber", ["0123", null, {}]],
  ["MicrosoftClickId", ["f894f652ea334e739002f7167ab8f8e3", null, 7]]
]

type Answer = { readonly value: unknown; readonly order: unknown } | { readonly error: string; readonly path: string }

/** What decoding answered, with the property order of every item. */
const answer = (body: unknown): Answer => {
  const decoded = decodeRestRequest("ApplyOfflineConversions", JSON.stringify(body))
  if (Either.isLeft(decoded)) {
    const error: WireDecodeError = decoded.left
    return { error: error.message, path: error.path ?? "" }
  }
  const items = decoded.right.OfflineConversions ?? []
  return { value: decoded.right, order: items.map((item) => (item === null ? null : Object.keys(item))) }
}

describe("REST objects read as a copy", () => {
  it("give what the field-by-field read gives, for generated items", () => {
    const next = random(2026)
    let copies = 0
    for (let i = 0; i < 3_000; i++) {
      const entries: Array<[string, unknown]> = []
      for (const [name, values] of FIELDS) {
        if (next(3) > 0) entries.push([name, values[next(4) === 0 ? next(values.length) : 0]])
      }
      if (next(20) === 0) entries.splice(next(entries.length + 1), 0, ["Unknown", 1])
      if (entries.length < 2) continue
      const inOrder = Object.fromEntries(entries)
      const reordered = Object.fromEntries([...entries].reverse())
      const expected = answer({ OfflineConversions: [reordered] })
      expect(answer({ OfflineConversions: [inOrder] }), JSON.stringify(inOrder)).toEqual(expected)
      if ("value" in expected) copies++
    }
    expect(copies).toBeGreaterThan(100)
  })

  it("keep the field order and convert times, also for the top-level request object", () => {
    const decoded = Either.getOrThrow(
      decodeRestRequest(
        "ApplyOfflineConversions",
        JSON.stringify({
          OfflineConversions: [
            { ConversionName: "Purchase", ConversionTime: "2026-08-01T17:02:35Z", MicrosoftClickId: "c" },
            { MicrosoftClickId: "c", ConversionTime: "2026-08-01T17:02:35Z", ConversionName: "Purchase" }
          ]
        })
      )
    )
    const items = decoded.OfflineConversions ?? []
    expect(items.map((item) => Object.keys(item ?? {}))).toEqual([
      ["ConversionName", "ConversionTime", "MicrosoftClickId"],
      ["ConversionName", "ConversionTime", "MicrosoftClickId"]
    ])
    expect(items[0]).toEqual(items[1])
    expect(items[0]?.ConversionTime?.epochMillis).toBe(Date.UTC(2026, 7, 1, 17, 2, 35))
  })

  it("give what the field-by-field read gives for structs with required fields and lower-case names", () => {
    const next = random(7)
    const values: ReadonlyArray<unknown> = [1, "2", "x", null, 2.5, "2026-08-01T17:02:35Z", true, [], {}]
    const read = (model: string, u: unknown, strict: boolean) => {
      try {
        const value = readStruct(structNamed(model), u, strict)
        return { value, order: Object.keys(value) }
      } catch (e) {
        if (e instanceof DecodeFailure) return { error: e.message, path: e.segments.join("/") }
        throw e
      }
    }
    let copies = 0
    for (const model of ["Paging", "DayTime", "KeyValuePairOfstringstring", "Date"]) {
      const fields = structNamed(model).fields
      for (let i = 0; i < 500; i++) {
        const entries: Array<[string, unknown]> = []
        for (const field of fields) {
          if (next(5) === 0) continue
          const spelling = next(4) === 0 ? field.name : field.jsonName
          entries.push([spelling, next(2) === 0 ? (field.name === "Day" ? 3 : 1) : values[next(values.length)]])
        }
        if (entries.length < 2) continue
        for (const strict of [true, false]) {
          const expected = read(model, Object.fromEntries([...entries].reverse()), strict)
          expect(read(model, Object.fromEntries(entries), strict), JSON.stringify(entries)).toEqual(expected)
          if ("value" in expected) copies++
        }
      }
    }
    expect(copies).toBeGreaterThan(50)
  })
})
