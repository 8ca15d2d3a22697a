/**
 * The generated contracts: the operation table covers all 178 operations, and for every request and response type
 * generated sample values encode and decode through its Schema without loss. This checks the Schemas against
 * themselves (their own arbitrary), not against Microsoft: the wire tests (SOAP against the XSD, REST against
 * Microsoft's models) are what pin the contracts to the service.
 */
import { Arbitrary, Either, FastCheck, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { operationNames, operations, wireElements, wireTypes } from "../src/index.js"

/**
 * A new seed every run (so the samples differ from run to run), printed so a failure can be replayed with
 * `UPLINK_TEST_SEED=<seed>`; fast-check's failure message repeats it.
 */
const SEED = process.env.UPLINK_TEST_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.UPLINK_TEST_SEED)
console.log(`contracts.test.ts: round-trip seed ${SEED} (replay with UPLINK_TEST_SEED=${SEED})`)

/** The operations Uplink itself calls: many samples each; every other operation gets a few. */
const PRODUCT_OPERATIONS: ReadonlySet<string> = new Set([
  "ApplyOfflineConversions",
  "ApplyOfflineConversionAdjustments",
  "AddConversionGoals",
  "UpdateConversionGoals",
  "GetConversionGoalsByIds",
  "GetOfflineConversionReports"
])

describe("generated contracts", () => {
  it("has all 190 operations in the table (178 of the WSDL, 12 REST-only) with request and response schemas", () => {
    expect(operationNames).toHaveLength(190)
    expect(operationNames.filter((name) => operations[name].soapAction === undefined)).toHaveLength(12)
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
      path: "/CampaignManagement/v13/OfflineConversions/Apply"
    })
    expect(operations.ApplyOfflineConversions.itemLimit).toEqual({ field: "OfflineConversions", max: 1000 })
    expect(operations.UpdateConversionGoals.rest?.method).toBe("PUT")
    expect(operations.GetOfflineConversionReports.rest?.path).toBe(
      "/CampaignManagement/v13/OfflineConversionReports/Query"
    )
    expect(operations.AddConversionGoals.itemLimit?.max).toBe(100)
  })

  it("declares the fault detail types in their namespaces", () => {
    expect(operations.ApplyOfflineConversions.faults).toEqual(["AdApiFaultDetail", "ApiFaultDetail"])
    expect(wireElements.AdApiFaultDetail?.ns).toBe("https://adapi.microsoft.com")
    expect(wireElements.ApiFaultDetail?.ns).toBe("https://bingads.microsoft.com/CampaignManagement/v13")
    expect(wireTypes.ArrayOflong).toMatchObject({
      kind: "array",
      ns: "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
    })
  })

  describe.each(operationNames)("%s", (name) => {
    const op = operations[name]
    const runs = PRODUCT_OPERATIONS.has(name) ? 200 : 3
    it.each([
      ["request", op.request],
      ["response", op.response]
    ] as const)(`%s: generated samples round-trip through its Schema (${runs} runs)`, (_, schema) => {
      const s = schema as Schema.Schema<unknown, unknown>
      FastCheck.assert(
        FastCheck.property(Arbitrary.make(s), (value) => {
          const encoded = Schema.encodeEither(s)(value)
          expect(Either.isRight(encoded)).toBe(true)
          const decoded = Schema.decodeUnknownEither(s)(Either.getOrThrow(encoded))
          expect(Either.isRight(decoded)).toBe(true)
          expect(Either.getOrThrow(decoded)).toEqual(value)
        }),
        { numRuns: runs, seed: SEED }
      )
    })
  })
})
