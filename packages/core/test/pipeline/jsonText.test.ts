/**
 * `JsonText.parse`: the same value as `JSON.parse` for every JSON text without repeated keys or unsafe integers; the
 * first value of a repeated key (at any depth) with the repeat reported; integers beyond 2^53 as their text; and the
 * same failures as `JSON.parse` for text that is not JSON.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as Readers from "../../src/pipeline/readers/index.js"

const { parse } = Readers.JsonText

/** JSON values whose numbers a double holds exactly (what JSON.parse already reads losslessly). */
const exactJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom(null, true, false),
    fc.string(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x) || Number.isSafeInteger(x)),
    fc.maxSafeInteger(),
    fc.array(tie("value")),
    fc.dictionary(fc.string(), tie("value"))
  )
})).value

describe("JsonText.parse", () => {
  it("reads what JSON.parse reads, compact or indented, when nothing is repeated or rounded", () => {
    fc.assert(
      fc.property(exactJson, fc.boolean(), (value, indented) => {
        const text = JSON.stringify(value, null, indented ? 2 : undefined)
        const read = parse(text)
        expect(read.value).toStrictEqual(JSON.parse(text))
        expect(read.repeatedKeys).toEqual([])
      }),
      { numRuns: 500 }
    )
  })

  it("keeps the first value of a repeated key at any depth and reports each repeat", () => {
    const read = parse(
      '{"a":1,"b":{"x":"first","y":[{"k":1,"k":2}],"x":"second"}, "a" :3,"c":"a","\\u0061":4,"records":[{"id":"r","id":"s"}]}'
    )
    expect(read.value).toStrictEqual({ a: 1, b: { x: "first", y: [{ k: 1 }] }, c: "a", records: [{ id: "r" }] })
    expect(read.repeatedKeys).toEqual(["k", "x", "a", "a", "id"])
  })

  it("keeps integers a double cannot hold as their text, and nothing else", () => {
    const read = parse(
      '[9007199254740992,9007199254740993,-9007199254740993,123456789012345678901234567890,1e400,0.1000000000000000055,"12345678901234567890",1234567890123456]'
    )
    expect(read.value).toStrictEqual([
      9007199254740992,
      "9007199254740993",
      "-9007199254740993",
      "123456789012345678901234567890",
      Number.POSITIVE_INFINITY,
      0.1,
      "12345678901234567890",
      1234567890123456
    ])
  })

  it("fails like JSON.parse on text that is not JSON", () => {
    for (const text of [
      '{"a":1',
      '{"a":1,"a":}',
      "[1,2",
      '{"a\\',
      "nope",
      "",
      '{"a":12345678901234567890',
      '{"a":"\\x"}'
    ]) {
      expect(() => parse(text), text).toThrow(SyntaxError)
      expect(() => JSON.parse(text)).toThrow(SyntaxError)
    }
  })
})
