/**
 * The byte-level JSON writer behind REST request bodies: its string literals are exactly `JSON.stringify`'s (escapes,
 * non-ASCII, lone surrogates) in UTF-8, digits are zero-padded, the buffer grows, and the bytes a request is sent as
 * are the UTF-8 of the request's JSON text.
 */
import { Either, FastCheck as fc } from "effect"
import { describe, expect, it } from "vitest"
import { encodeRestRequest, encodeRestRequestBytes } from "../src/index.js"
import { JsonBytes } from "../src/rest/json-bytes.js"
import { applyRequest } from "./fixtures.js"

const decoder = new TextDecoder()
const written = (write: (out: JsonBytes) => void, initial?: number): string => {
  const out = new JsonBytes(initial)
  write(out)
  return decoder.decode(out.toBytes())
}

describe("JsonBytes", () => {
  it("writes string literals exactly as JSON.stringify does", () => {
    for (const text of [
      "",
      "plain",
      `q"uote`,
      "back\\slash",
      "tab\tnew\nline\r",
      "\u0000\u001f\u007f",
      "Café — ½ ✓ 😀"
    ]) {
      expect(written((out) => out.string(text))).toBe(JSON.stringify(text))
    }
    expect(written((out) => out.string("\uD800 lone \uDFFF"))).toBe(JSON.stringify("\uD800 lone \uDFFF"))
  })

  it("agrees with JSON.stringify on arbitrary strings, whatever the starting size", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), fc.integer({ min: 1, max: 64 }), (text, initial) => {
        expect(written((out) => out.string(text), initial)).toBe(JSON.stringify(text))
      })
    )
  })

  it("writes zero-padded digits and grows past its initial size", () => {
    expect(written((out) => out.digits(7, 4))).toBe("0007")
    expect(written((out) => out.digits(2026, 4))).toBe("2026")
    const text = written((out) => {
      for (let i = 0; i < 1000; i++) out.ascii("abcdefghij")
    }, 16)
    expect(text).toBe("abcdefghij".repeat(1000))
  })

  it("writes numbers on its fast path exactly as String(n), and declines the others", () => {
    /** What `decimal` writes, or undefined when it declines (then it must have written nothing). */
    const fast = (n: number): string | undefined => {
      const out = new JsonBytes(8)
      const taken = out.decimal(n)
      if (!taken) expect(out.length).toBe(0)
      return taken ? decoder.decode(out.toBytes()) : undefined
    }
    // Decimals as amounts are written: a whole number and up to eight places, of every magnitude up to past 2^30.
    const amount = fc
      .tuple(fc.integer({ min: -(2 ** 31), max: 2 ** 31 }), fc.integer({ min: 0, max: 8 }), fc.nat(99_999_999))
      .map(([whole, places, fraction]) => Number(`${whole}.${String(fraction).padStart(8, "0").slice(0, places)}`))
    const anyNumber = fc.oneof(amount, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer())
    let taken = 0
    fc.assert(
      fc.property(anyNumber, (n) => {
        const text = fast(n)
        if (text !== undefined) {
          taken++
          expect(text).toBe(String(n))
        }
      }),
      { numRuns: 20_000 }
    )
    expect(taken).toBeGreaterThan(5_000)
    for (const n of [0, 1, -1, 0.1, 0.25, 12.5, -3.75, 0.000001, 999_999.999999, 2 ** 30 - 1, 0.7, 1.1]) {
      expect(fast(n)).toBe(String(n))
    }
    for (const n of [-0, 2 ** 30, 1e-7, 0.1 + 0.2, 1 / 3, 1e21, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(fast(n)).toBeUndefined()
    }
  })

  it("reset starts over in the same buffer", () => {
    const out = new JsonBytes(8)
    out.ascii("first value")
    out.reset()
    out.raw(`"é"`)
    expect(out.length).toBe(4)
    expect(out.toString()).toBe(`"é"`)
  })
})

describe("encodeRestRequestBytes", () => {
  it("is the UTF-8 of encodeRestRequest's text", () => {
    const text = Either.getOrThrow(encodeRestRequest("ApplyOfflineConversions", applyRequest))
    const bytes = Either.getOrThrow(encodeRestRequestBytes("ApplyOfflineConversions", applyRequest))
    expect(decoder.decode(bytes)).toBe(text)
    expect(bytes).toEqual(new TextEncoder().encode(text))
  })

  it("fails like encodeRestRequest, naming the field", () => {
    const bad = { OfflineConversions: [{ ConversionName: "x", ConversionTime: "2026-08-01" }] } as never
    const text = encodeRestRequest("ApplyOfflineConversions", bad)
    const bytes = encodeRestRequestBytes("ApplyOfflineConversions", bad)
    if (Either.isRight(text) || Either.isRight(bytes)) throw new Error("expected both to fail")
    expect(bytes.left.path).toMatch(/ConversionTime/)
    expect(bytes.left.path).toBe(text.left.path)
    expect(bytes.left.message).toBe(text.left.message)
  })
})
