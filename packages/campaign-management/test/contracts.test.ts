/**
 * The generated contracts (issue 2): the operation table covers all 178 operations, and for every request and
 * response type a generated sample value encodes and decodes through its Schema without loss.
 */
import { Arbitrary, Either, FastCheck, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { operationNames, operations, wireElements, wireTypes } from "../src/index.js"

describe("generated contracts", () => {
  it("has all 178 operations in the table with request and response schemas", () => {
    expect(operationNames).toHaveLength(178)
    for (const name of operationNames) {
      const op = operations[name]
      expect(op.name).toBe(name)
      expect(Schema.isSchema(op.request)).toBe(true)
      expect(Schema.isSchema(op.response)).toBe(true)
      expect(wireElements[op.requestElement]).toBeDefined()
      expect(wireElements[op.responseElement]).toBeDefined()
    }
  })

  it("routes the offline-conversion, goal and report operations over REST with their documented limits", () => {
    expect(operations.ApplyOfflineConversions.rest).toEqual({
      method: "POST",
      path: "/CampaignManagement/v13/OfflineConversions/Apply",
      source: "rest-routes.json"
    })
    expect(operations.ApplyOfflineConversions.itemLimit).toEqual({ field: "OfflineConversions", max: 1000 })
    expect(operations.UpdateConversionGoals.rest?.method).toBe("PUT")
    expect(operations.GetOfflineConversionReports.rest?.path).toBe("/CampaignManagement/v13/OfflineConversionReports/Query")
    expect(operations.AddConversionGoals.itemLimit?.max).toBe(100)
  })

  it("declares the fault detail types in their namespaces", () => {
    expect(operations.ApplyOfflineConversions.faults).toEqual(["AdApiFaultDetail", "ApiFaultDetail"])
    expect(wireElements.AdApiFaultDetail?.ns).toBe("https://adapi.microsoft.com")
    expect(wireElements.ApiFaultDetail?.ns).toBe("https://bingads.microsoft.com/CampaignManagement/v13")
    expect(wireTypes.ArrayOflong).toMatchObject({ kind: "array", ns: "http://schemas.microsoft.com/2003/10/Serialization/Arrays" })
  })

  describe.each(operationNames)("%s", (name) => {
    const op = operations[name]
    it.each([
      ["request", op.request],
      ["response", op.response]
    ] as const)("%s: a generated sample round-trips through its Schema", (_, schema) => {
      const s = schema as Schema.Schema<unknown, unknown>
      const samples = FastCheck.sample(Arbitrary.make(s), { numRuns: 3, seed: 42 })
      for (const value of samples) {
        const encoded = Schema.encodeEither(s)(value)
        expect(Either.isRight(encoded)).toBe(true)
        const decoded = Schema.decodeUnknownEither(s)(Either.getOrThrow(encoded))
        expect(Either.isRight(decoded)).toBe(true)
        expect(Either.getOrThrow(decoded)).toEqual(value)
      }
    })
  })
})
