/**
 * The generated REST JSON writers (`se_<Type>` in `src/generated/types`) against the generic writer (`rest/json.ts`):
 * the same text for every request and response of every operation with a REST route (samples with every field and
 * with nils), for conversions with escapes, non-ASCII text, -0, times with and without milliseconds; and the same
 * error, message and path for bad values anywhere in any request (wrong types, nulls, missing required values) and
 * deep inside an array. No source builds code at run time.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { type EncodeFailure, toEncodeError } from "../src/codec/errors.js"
import { elementStruct } from "../src/codec/wire-model.js"
import { encodeRestRequest, encodeRestResponse, operationNames, operations, utcFromMillis } from "../src/index.js"
import { se_OfflineConversion } from "../src/generated/types/ApplyOfflineConversionsRequest.js"
import type { WireElement } from "../src/generated/wire-types.js"
import { writeStruct } from "../src/rest/json.js"
import { JsonBytes } from "../src/rest/json-bytes.js"
import { sampleRequest, sampleResponse } from "../src/testing/samples.js"

const restOperations = operationNames.filter((op) => operations[op].rest !== undefined)

/** What the generic writer alone writes (or the error it fails with). */
const generic = (element: WireElement, value: unknown) => {
  try {
    return Either.right(writeStruct(elementStruct(element).model, value, undefined))
  } catch (e) {
    return Either.left(toEncodeError(e as EncodeFailure))
  }
}

describe("generated REST writers", () => {
  it("write exactly what the generic writer writes, for every REST operation's samples", () => {
    expect(restOperations.length).toBeGreaterThan(100)
    for (const op of restOperations) {
      for (const nils of [false, true]) {
        const request = sampleRequest(op, { nils })
        expect(encodeRestRequest(op, request), op).toEqual(generic(operations[op].wire.request, request))
        const response = sampleResponse(op, { nils })
        expect(encodeRestResponse(op, response), op).toEqual(generic(operations[op].wire.response, response))
      }
    }
  })

  const conversion = (i: number) => ({
    ConversionCurrencyCode: i % 3 === 0 ? null : "EUR",
    ConversionName: ["Plain", 'Quote " and \\ back', "Ünïcødé ✓ 😀", "tab\there", "\u2028 line sep"][i % 5],
    ConversionTime: utcFromMillis(1_764_338_808_000 + (i % 2) * 387),
    ConversionValue: [0, -0, 12.5, 1e21, 0.1 + 0.2, 123456.789][i % 6],
    ExternalAttributionCredit: i % 4 === 0 ? 0.5 : null,
    ExternalAttributionModel: i % 4 === 0 ? "Model" : undefined,
    HashedEmailAddress: null,
    HashedPhoneNumber: i % 2 === 0 ? "a".repeat(64) : null,
    MicrosoftClickId: `click-${i}`
  })

  it("write escapes, non-ASCII text, -0, large numbers and both time forms as the generic writer does", () => {
    const request = { OfflineConversions: Array.from({ length: 60 }, (_, i) => conversion(i)) }
    const text = Either.getOrThrow(encodeRestRequest("ApplyOfflineConversions", request))
    expect(Either.right(text)).toEqual(generic(operations.ApplyOfflineConversions.wire.request, request))
    expect(text).toContain('"ConversionValue":-0')
    expect(text).toContain('"ConversionTime":"2025-11-28T14:06:48Z"')
    expect(text).toContain('"ConversionTime":"2025-11-28T14:06:48.387Z"')
  })

  it("are plain functions per type: a conversion is written by se_OfflineConversion itself", () => {
    const out = new JsonBytes()
    se_OfflineConversion(out, conversion(2))
    expect(JSON.parse(out.toString())).toEqual({
      ConversionCurrencyCode: "EUR",
      ConversionName: "Ünïcødé ✓ 😀",
      ConversionTime: "2025-11-28T14:06:48Z",
      ConversionValue: 12.5,
      HashedPhoneNumber: "a".repeat(64),
      MicrosoftClickId: "click-2"
    })
    out.reset()
    se_OfflineConversion(out, {})
    expect(out.toString()).toBe("{}")
    expect(() => se_OfflineConversion(out, { ...conversion(2), ConversionName: 5 })).toThrow()
  })

  const badValues: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
    ["a number for a string", { MicrosoftClickId: 42 }],
    ["a string for a number", { ConversionValue: "12" }],
    ["NaN", { ConversionValue: Number.NaN }],
    ["a string for a time", { ConversionTime: "2025-11-28" }],
    ["an object for a string", { ConversionName: { a: 1 } }],
    ["null for a time (not nillable)", { ConversionTime: null }],
    ["an unknown property", { ConversionNmae: "x" }]
  ]

  it.each(badValues)("fail on %s deep in an array with the generic writer's error and path", (_, change) => {
    const request = {
      OfflineConversions: Array.from({ length: 10 }, (_, i) =>
        i === 7 ? { ...conversion(i), ...change } : conversion(i)
      )
    }
    const written = encodeRestRequest("ApplyOfflineConversions", request)
    const reference = generic(operations.ApplyOfflineConversions.wire.request, request)
    expect(written).toEqual(reference)
    if (Either.isLeft(written)) expect(written.left.path).toMatch(/^OfflineConversions\[7\]/)
  })

  /** Every path to a value inside `value` (object keys and array indexes), in document order. */
  const leaves = (value: unknown, path: ReadonlyArray<string | number> = []): Array<ReadonlyArray<string | number>> => {
    if (Array.isArray(value)) return value.flatMap((item, i) => leaves(item, [...path, i]))
    if (typeof value === "object" && value !== null && !("epochMillis" in value)) {
      const entries = Object.entries(value).filter(([key]) => key !== "_tag")
      return entries.length === 0
        ? [path]
        : entries.flatMap(([key, v]) => [[...path, key], ...leaves(v, [...path, key])])
    }
    return []
  }
  const replaced = (value: unknown, path: ReadonlyArray<string | number>, by: unknown): unknown => {
    if (path.length === 0) return by
    const [head, ...rest] = path
    if (Array.isArray(value)) return value.map((item, i) => (i === head ? replaced(item, rest, by) : item))
    const record = { ...(value as Record<string, unknown>) }
    if (rest.length === 0 && by === undefined) delete record[head as string]
    else record[head as string] = replaced(record[head as string], rest, by)
    return record
  }

  it("fail like the generic writer for a wrong value anywhere in any REST request", () => {
    const replacements: ReadonlyArray<unknown> = [null, undefined, { bad: true }, "text", 12, [], true]
    let failures = 0
    for (const op of restOperations) {
      const request = sampleRequest(op, { seed: 3 })
      const paths = leaves(request)
      for (let i = 0; i < paths.length; i += Math.max(1, Math.floor(paths.length / 12))) {
        for (const by of replacements) {
          const changed = replaced(request, paths[i]!, by)
          const written = encodeRestRequest(op, changed as never)
          expect(written, `${op} ${paths[i]!.join(".")} = ${String(by)}`).toEqual(
            generic(operations[op].wire.request, changed)
          )
          if (Either.isLeft(written)) failures++
        }
      }
    }
    expect(failures).toBeGreaterThan(500)
  })
})

describe("sources", () => {
  const files = (dir: string): Array<string> =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name)
      return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : []
    })

  it("build no code at run time (no new Function, no eval)", () => {
    const sources = files(join(import.meta.dirname, "..", "src"))
    expect(sources.length).toBeGreaterThan(400)
    const offending = sources.filter((path) => /\bnew Function\b|\beval\s*\(/.test(readFileSync(path, "utf8")))
    expect(offending).toEqual([])
  })
})
