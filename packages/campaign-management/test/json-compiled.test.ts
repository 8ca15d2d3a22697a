/**
 * The compiled REST JSON writers (`json-compiled.ts`) against the generic writer alone: the same text for every
 * request and response of every operation with a REST route (samples with every field and with nils), and for
 * conversions with escapes, non-ASCII text, -0, times with and without milliseconds; and the same error, message and
 * path, for every kind of bad value deep inside an array.
 */
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { toEncodeError } from "../src/codec/errors.js"
import { formatDateTime } from "../src/codec/scalars.js"
import { elementStruct, structOf } from "../src/codec/wire-model.js"
import { encodeRestRequest, encodeRestResponse, operationNames, operations, utcFromMillis } from "../src/index.js"
import { writeStructGeneric } from "../src/rest/json.js"
import { JsonBytes } from "../src/rest/json-bytes.js"
import { compileStructWriter } from "../src/rest/json-compiled.js"
import { sampleRequest, sampleResponse } from "../src/testing/samples.js"

const restOperations = operationNames.filter((op) => operations[op].rest !== undefined)

const generic = (element: string, value: unknown) => {
  try {
    return Either.right(writeStructGeneric(elementStruct(element).model, value))
  } catch (e) {
    return Either.left(toEncodeError(e as Parameters<typeof toEncodeError>[0]))
  }
}

describe("compiled REST writers", () => {
  it("write exactly what the generic writer writes, for every REST operation's samples", () => {
    expect(restOperations.length).toBeGreaterThan(100)
    for (const op of restOperations) {
      for (const nils of [false, true]) {
        const request = sampleRequest(op, { nils })
        expect(encodeRestRequest(op, request), op).toEqual(generic(operations[op].requestElement, request))
        const response = sampleResponse(op, { nils })
        expect(encodeRestResponse(op, response), op).toEqual(generic(operations[op].responseElement, response))
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
    expect(Either.right(text)).toEqual(generic("ApplyOfflineConversionsRequest", request))
    expect(text).toContain('"ConversionValue":-0')
    expect(text).toContain('"ConversionTime":"2025-11-28T14:06:48Z"')
    expect(text).toContain('"ConversionTime":"2025-11-28T14:06:48.387Z"')
  })

  it("take the common path of a conversion by themselves, and give up (false) on a value they do not write", () => {
    const parts = {
      putField: () => {
        throw new Error("an OfflineConversion has no field for the generic writer")
      },
      putDateTime: (out: JsonBytes, value: unknown) => out.ascii(`"${formatDateTime(value as never)}"`)
    }
    const write = compileStructWriter(structOf("OfflineConversion"), parts)
    const out = new JsonBytes()
    expect(write(out, conversion(2))).toBe(true)
    expect(JSON.parse(out.toString())).toMatchObject({ ConversionName: "Ünïcødé ✓ 😀", MicrosoftClickId: "click-2" })
    out.reset()
    expect(write(out, { ...conversion(2), ConversionValue: "12" })).toBe(false)
    out.reset()
    expect(write(out, { ...conversion(2), ConversionName: undefined })).toBe(true)
    expect(write(out, { ...conversion(2), ConversionName: 5 })).toBe(false)
  })

  const badValues: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
    ["a number for a string", { MicrosoftClickId: 42 }],
    ["a string for a number", { ConversionValue: "12" }],
    ["NaN", { ConversionValue: Number.NaN }],
    ["a string for a time", { ConversionTime: "2025-11-28" }],
    ["an object for a string", { ConversionName: { a: 1 } }],
    ["an unknown property", { ConversionNmae: "x" }]
  ]

  it.each(badValues)("fail on %s deep in an array with the generic writer's error and path", (_, change) => {
    const request = {
      OfflineConversions: Array.from({ length: 10 }, (_, i) =>
        i === 7 ? { ...conversion(i), ...change } : conversion(i)
      )
    }
    const compiled = encodeRestRequest("ApplyOfflineConversions", request)
    const reference = generic("ApplyOfflineConversionsRequest", request)
    expect(compiled).toEqual(reference)
    if (Either.isLeft(compiled)) expect(compiled.left.path).toMatch(/^OfflineConversions\[7\]/)
  })
})
