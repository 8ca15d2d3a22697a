/**
 * The REST JSON codec (docs/microsoft-api.md §1, "REST"): PascalCase bodies, long ids as strings, flag enums comma-separated, `Type`
 * discriminators (ConversionGoal `OfflineConversion`, also read as `OfflineConversionGoal`; BatchError /
 * EditorialError), nulls omitted, times in UTC with Z, and error bodies in both documented forms.
 */
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import {
  decodeRestFault,
  decodeRestRequest,
  decodeRestResponse,
  encodeRestFault,
  encodeRestRequest,
  encodeRestResponse,
  faultErrorCodes,
  makeWireFault,
  type RequestOf,
  restDiscriminatorOf,
  type WireDecodeError
} from "../src/index.js"
import * as Wire from "../src/wire.js"
import { operations } from "../src/generated/operations.js"
import { concreteNamed } from "./models.js"
import { addGoalsRequest, applyRequest, applyResponse, at, getGoalsRequest, getGoalsResponse } from "./fixtures.js"

const json = (text: string): unknown => JSON.parse(text)

const decodeError = (result: Either.Either<unknown, WireDecodeError>): WireDecodeError => {
  if (Either.isRight(result)) throw new Error("expected a decode error")
  return result.left
}

describe("REST request bodies", () => {
  it("are PascalCase with times in UTC Z and nulls omitted", () => {
    const text = Either.getOrThrow(encodeRestRequest("ApplyOfflineConversions", applyRequest))
    expect(json(text)).toEqual({
      OfflineConversions: [
        {
          ConversionCurrencyCode: "USD",
          ConversionName: `Purchase & <Lead> "q" 'a'`,
          ConversionTime: "2026-08-01T17:02:35Z",
          ConversionValue: 10.5,
          ExternalAttributionCredit: 0.25,
          ExternalAttributionModel: "Linear",
          HashedEmailAddress: "a".repeat(64),
          HashedPhoneNumber: "b".repeat(64),
          MicrosoftClickId: "f894f652ea334e739002f7167ab8f8e3"
        },
        {
          ConversionName: "Café — ½ ✓ 😀",
          ConversionTime: "2026-08-02T08:00:00.123Z",
          MicrosoftClickId: "0123456789abcdef0123456789abcdef"
        }
      ]
    })
    expect(text).not.toContain("null")
  })

  it("write long ids as strings and flag enums comma-separated", () => {
    const text = Either.getOrThrow(encodeRestRequest("GetConversionGoalsByIds", getGoalsRequest))
    expect(json(text)).toEqual({
      ConversionGoalIds: ["123", "9007199254740993", "9223372036854775807"],
      ConversionGoalTypes: "OfflineConversion, Url",
      ReturnAdditionalFields: "IsExternallyAttributed, GoalCategory"
    })
    expect(Either.getOrThrow(decodeRestRequest("GetConversionGoalsByIds", text))).toEqual(getGoalsRequest)
  })

  it("read flags with or without spaces, and long ids sent as safe JSON numbers", () => {
    const decoded = decodeRestRequest(
      "GetConversionGoalsByIds",
      `{"ConversionGoalIds":[123,"9223372036854775807"],"ConversionGoalTypes":"Url,Event"}`
    )
    expect(Either.getOrThrow(decoded)).toEqual({
      ConversionGoalIds: [123n, 9223372036854775807n],
      ConversionGoalTypes: ["Url", "Event"]
    })
    const unsafe = decodeRestRequest("GetConversionGoalsByIds", `{"ConversionGoalIds":[9007199254740993]}`)
    expect(decodeError(unsafe).message).toMatch(/send long ids as strings/)
  })

  it("carry the ConversionGoal Type discriminator as the ConversionGoalType value", () => {
    const text = Either.getOrThrow(encodeRestRequest("AddConversionGoals", addGoalsRequest))
    const goals = (json(text) as { ConversionGoals: Array<Record<string, unknown>> }).ConversionGoals
    expect(goals.map((goal) => goal.Type)).toEqual(["OfflineConversion", "Url"])
    expect(goals[0]).toEqual({
      Type: "OfflineConversion",
      ConversionWindowInMinutes: 43200,
      CountType: "All",
      ExcludeFromBidding: false,
      GoalCategory: "Purchase",
      Name: "Offline purchases",
      Revenue: { CurrencyCode: "USD", Type: "FixedValue", Value: 5 },
      Scope: "Account",
      Status: "Active",
      IsExternallyAttributed: true
    })
    expect(Either.getOrThrow(decodeRestRequest("AddConversionGoals", text))).toEqual({
      ConversionGoals: addGoalsRequest.ConversionGoals!.map((goal) => {
        const { Id: _id, TagId: _tag, ...rest } = goal as unknown as Record<string, unknown>
        return rest
      })
    })
  })

  it("read the type name as a discriminator too (OfflineConversionGoal)", () => {
    const decoded = decodeRestRequest(
      "AddConversionGoals",
      `{"ConversionGoals":[{"Type":"OfflineConversionGoal","Name":"g"}]}`
    )
    expect(Either.getOrThrow(decoded)).toEqual({
      ConversionGoals: [{ _tag: "OfflineConversionGoal", Name: "g", Type: ["OfflineConversion"] }]
    })
  })

  it("refuse unknown properties and discriminators in requests", () => {
    const unknown = decodeError(
      decodeRestRequest("ApplyOfflineConversions", `{"OfflineConversions":[{"ConversionNmae":"x"}]}`)
    )
    expect(unknown).toMatchObject({ reason: "UnknownElement", path: "OfflineConversions[0].ConversionNmae" })
    const discriminator = decodeError(
      decodeRestRequest("AddConversionGoals", `{"ConversionGoals":[{"Type":"Banana"}]}`)
    )
    expect(discriminator).toMatchObject({ reason: "SchemaMismatch", path: "ConversionGoals[0].Type" })
  })

  it("refuse values that cannot be sent", () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const result = encodeRestRequest("ApplyOfflineConversions", { OfflineConversions: [{ ConversionValue: value }] })
      expect(Either.isLeft(result) && result.left.path).toBe("OfflineConversions[0].ConversionValue")
    }
    const date = encodeRestRequest("ApplyOfflineConversions", {
      OfflineConversions: [{ ConversionTime: new Date() }]
    } as never)
    expect(Either.isLeft(date) && date.left.message).toMatch(/expected a DateTime.Utc/)
  })

  it("write numbers without exponent and keep -0, escape strings as JSON", () => {
    const body: RequestOf<"ApplyOfflineConversions"> = {
      OfflineConversions: [{ ConversionValue: 1e21, ExternalAttributionCredit: -0, ConversionName: `a"b\\c\u0001\n😀` }]
    }
    const text = Either.getOrThrow(encodeRestRequest("ApplyOfflineConversions", body))
    expect(text).toContain(`"ConversionValue":1000000000000000000000`)
    expect(text).toContain(`"ExternalAttributionCredit":-0`)
    const decoded = Either.getOrThrow(decodeRestRequest("ApplyOfflineConversions", text))
    expect(Object.is(decoded.OfflineConversions![0]!.ExternalAttributionCredit, -0)).toBe(true)
    expect(decoded).toEqual(body)
  })

  it("are only for operations with a REST route", () => {
    // Every operation of the table has a route (Microsoft's route table): take one away.
    const routeless = { ...operations.GetSupportedFonts, rest: undefined }
    expect(Either.getLeft(Wire.encodeRestRequest(routeless, {}))).toMatchObject({
      _tag: "Some",
      value: { message: "GetSupportedFonts has no REST route" }
    })
    expect(decodeError(Wire.decodeRestRequest(routeless, "{}")).reason).toBe("UnknownOperation")
  })
})

describe("REST response bodies", () => {
  it("carry BatchError / EditorialError as Type", () => {
    const text = Either.getOrThrow(encodeRestResponse("ApplyOfflineConversions", applyResponse))
    const errors = (json(text) as { PartialErrors: Array<Record<string, unknown>> }).PartialErrors
    expect(errors.map((e) => e.Type)).toEqual(["BatchError", "EditorialError"])
    expect(errors[0]!.ForwardCompatibilityMap).toEqual([{ Key: "k" }])
    expect(Either.getOrThrow(decodeRestResponse("ApplyOfflineConversions", text))).toEqual({
      PartialErrors: [
        {
          _tag: "BatchError",
          Code: 5604,
          ErrorCode: "OfflineConversionMicrosoftClickIdInvalid",
          FieldPath: "MicrosoftClickId",
          ForwardCompatibilityMap: [{ key: "k", value: null }],
          Index: 1,
          Message: "The click id is invalid.",
          Type: "BatchError"
        },
        applyResponse.PartialErrors![1]
      ]
    })
  })

  it("read lower-case key/value too, ignore unknown properties and keep unknown enum values", () => {
    const text = `{"PartialErrors":[{"Type":"BatchError","Code":5604,"ForwardCompatibilityMap":[{"key":"a","value":"b"}],"NewField":{"x":1}}],"Extra":true}`
    expect(Either.getOrThrow(decodeRestResponse("ApplyOfflineConversions", text))).toEqual({
      PartialErrors: [
        { _tag: "BatchError", Code: 5604, ForwardCompatibilityMap: [{ key: "a", value: "b" }], Type: "BatchError" }
      ]
    })
    const goals = `{"ConversionGoals":[{"Type":"OfflineConversion","Id":"123","AttributionModelType":"DataDriven"},null]}`
    expect(Either.getOrThrow(decodeRestResponse("GetConversionGoalsByIds", goals)).ConversionGoals).toEqual([
      { _tag: "OfflineConversionGoal", AttributionModelType: "DataDriven", Id: 123n, Type: ["OfflineConversion"] },
      null
    ])
  })

  it("round-trip goals with ids beyond 2^53 and null items", () => {
    const text = Either.getOrThrow(encodeRestResponse("GetConversionGoalsByIds", getGoalsResponse))
    expect(text).toContain(`"TagId":"9007199254740993"`)
    expect(Either.getOrThrow(decodeRestResponse("GetConversionGoalsByIds", text))).toEqual(getGoalsResponse)
  })

  it("read times with an offset (as the Python SDK sends them)", () => {
    const text = `{"DailySummaries":[{"UploadDate":"2026-08-01T02:00:00.123456+02:00"}]}`
    expect(Either.getOrThrow(decodeRestResponse("GetOfflineConversionReports", text))).toEqual({
      DailySummaries: [{ UploadDate: at("2026-08-01T00:00:00.123Z") }]
    })
  })

  it("are NotWellFormed when cut off", () => {
    const text = Either.getOrThrow(encodeRestResponse("ApplyOfflineConversions", applyResponse))
    for (const cut of [1, 10, text.length - 1]) {
      const error = decodeError(decodeRestResponse("ApplyOfflineConversions", text.slice(0, cut)))
      expect(error.reason).toBe("NotWellFormed")
    }
    expect(decodeError(decodeRestResponse("ApplyOfflineConversions", "[]")).reason).toBe("SchemaMismatch")
    expect(decodeError(decodeRestResponse("ApplyOfflineConversions", text, { maxBytes: 10 })).reason).toBe("TooLarge")
  })
})

describe("REST faults", () => {
  const apiFault = makeWireFault({
    message: "Invalid client data.",
    detail: {
      _tag: "ApiFaultDetail",
      value: {
        _tag: "ApiFaultDetail",
        TrackingId: "t-1",
        OperationErrors: [{ Code: 117, Details: "Wait.", ErrorCode: "CallRateExceeded", Message: "Too many calls." }]
      }
    }
  })

  it("are written top-level with Type, TrackingId and the error lists, and nothing the REST models lack (no Message)", () => {
    expect(json(encodeRestFault(apiFault))).toEqual({
      Type: "ApiFaultDetail",
      TrackingId: "t-1",
      OperationErrors: [{ Code: 117, Details: "Wait.", ErrorCode: "CallRateExceeded", Message: "Too many calls." }]
    })
    // The fault's message over REST is the first error's.
    expect(Either.getOrThrow(decodeRestFault(encodeRestFault(apiFault)))).toEqual({
      ...apiFault,
      message: "Too many calls."
    })
  })

  it("take the fault's TrackingId into a detail that has none, and write a fault without detail as AdCenterFault", () => {
    const withoutTracking = makeWireFault({
      message: "m",
      trackingId: "t-9",
      detail: { _tag: "AdApiFaultDetail", value: { _tag: "AdApiFaultDetail", Errors: [] } }
    })
    expect(json(encodeRestFault(withoutTracking))).toEqual({ Type: "AdApiFaultDetail", TrackingId: "t-9", Errors: [] })
    const bare = makeWireFault({ message: "The header 'X' was not understood.", trackingId: "t-8" })
    expect(json(encodeRestFault(bare))).toEqual({
      Type: "AdCenterFault",
      TrackingId: "t-8",
      ErrorMessage: "The header 'X' was not understood."
    })
    expect(Either.getOrThrow(decodeRestFault(encodeRestFault(bare)))).toMatchObject({
      message: "The header 'X' was not understood.",
      trackingId: "t-8",
      detail: { _tag: "AdCenterFault" }
    })
  })

  it("are read in both documented forms: top-level and wrapped in ApplicationFault", () => {
    const topLevel = `{"TrackingId":"t-2","Type":"AdApiFaultDetail","Errors":[{"Code":109,"Detail":"x","ErrorCode":"AuthenticationTokenExpired","Message":"Expired."}]}`
    const wrapped = `{"ApplicationFault":${topLevel}}`
    for (const text of [topLevel, wrapped]) {
      const fault = Either.getOrThrow(decodeRestFault(text))
      expect(fault).toMatchObject({
        _tag: "WireFault",
        faultCode: "s:Server",
        trackingId: "t-2",
        message: "Expired.",
        detail: { _tag: "AdApiFaultDetail" }
      })
      expect(faultErrorCodes(fault)).toEqual([
        { code: 109, errorCode: "AuthenticationTokenExpired", message: "Expired." }
      ])
    }
  })

  it("infer the detail type from the error lists when Type is missing, and keep an unknown Type untyped", () => {
    const fault = Either.getOrThrow(decodeRestFault(`{"BatchErrors":[{"Type":"EditorialError","Code":1,"Index":0}]}`))
    expect(fault.detail).toEqual({
      _tag: "ApiFaultDetail",
      value: {
        _tag: "ApiFaultDetail",
        BatchErrors: [{ _tag: "EditorialError", Code: 1, Index: 0, Type: "EditorialError" }]
      }
    })
    const other = Either.getOrThrow(decodeRestFault(`{"Type":"SomeFutureFault","TrackingId":"t","ErrorMessage":"No."}`))
    expect(other).toEqual(makeWireFault({ message: "The service returned an error.", trackingId: "t" }))
  })

  it("refuse a body that is not JSON", () => {
    expect(decodeError(decodeRestFault("<html>")).reason).toBe("NotWellFormed")
  })
})

describe("REST discriminators", () => {
  it.each([
    ["OfflineConversionGoal", "OfflineConversion"],
    ["InStoreTransactionGoal", "InStoreTransaction"],
    ["TextAd", "Text"],
    ["ResponsiveAd", "ResponsiveAd"],
    ["CustomAudience", "Custom"],
    ["AgeDimension", "Age"],
    ["EditorialError", "EditorialError"],
    ["BatchError", "BatchError"],
    ["ApiFaultDetail", "ApiFaultDetail"],
    ["MaxClicksBiddingScheme", "MaxClicks"],
    ["TargetRoasBiddingScheme", "TargetRoasBiddingScheme"]
  ])("%s is %s", (type, discriminator) => {
    expect(restDiscriminatorOf(concreteNamed(type))).toBe(discriminator)
  })

  it("the root of an enum hierarchy has none (its own Type field is written)", () => {
    expect(restDiscriminatorOf(concreteNamed("ConversionGoal"))).toBeUndefined()
    expect(restDiscriminatorOf(concreteNamed("Ad"))).toBeUndefined()
  })
})
