/**
 * What the REST overlay adds to the contracts (rest-overlay.json, merged by codegen): REST-only operations, newer fields
 * (ConversionGoal.IsAutoGoal), values (ConversionGoalType AppDownload, AttributionModelType DataDriven, new
 * ConversionGoalAdditionalField values) and derived types (AppDownloadGoal). Over REST they are written and read like
 * everything else; the SOAP codec never writes them (our WSDL, against which envelopes are validated, lacks them) and
 * the strict SOAP reader refuses them as unknown.
 */
import { DateTime, Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import {
  decodeRestRequest,
  decodeRestResponse,
  decodeSoapRequest,
  encodeRestRequest,
  encodeRestResponse,
  encodeSoapRequest,
  operations,
  type RequestOf,
  type WireEncodeError
} from "../src/index.js"
import { at, headers } from "./fixtures.js"

const CM = "https://bingads.microsoft.com/CampaignManagement/v13"

const soapError = (result: Either.Either<string, WireEncodeError>): WireEncodeError => {
  if (Either.isRight(result)) throw new Error("expected the SOAP encoder to refuse the value")
  return result.left
}

const goal = (fields: Record<string, unknown>) =>
  ({
    ConversionGoals: [{ _tag: "OfflineConversionGoal", Name: "Purchase", Type: ["OfflineConversion"], ...fields }]
  }) as unknown as RequestOf<"AddConversionGoals">

describe("REST-only fields, values and types", () => {
  it("are written over REST", () => {
    const text = Either.getOrThrow(
      encodeRestRequest(
        "AddConversionGoals",
        goal({ IsAutoGoal: true, AttributionModelType: "DataDriven" }) as RequestOf<"AddConversionGoals">
      )
    )
    expect(JSON.parse(text)).toEqual({
      ConversionGoals: [
        { Type: "OfflineConversion", AttributionModelType: "DataDriven", Name: "Purchase", IsAutoGoal: true }
      ]
    })
  })

  it("are refused by the SOAP encoder, naming the field, the value or the type", () => {
    expect(soapError(encodeSoapRequest("AddConversionGoals", goal({ IsAutoGoal: false }), headers))).toMatchObject({
      path: "AddConversionGoalsRequest.ConversionGoals[0].IsAutoGoal",
      message:
        "AddConversionGoalsRequest.ConversionGoals[0].IsAutoGoal: the field IsAutoGoal is only available over REST (it is not in the WSDL)"
    })
    expect(
      soapError(encodeSoapRequest("AddConversionGoals", goal({ AttributionModelType: "DataDriven" }), headers)).message
    ).toContain("the AttributionModelType value DataDriven is only available over REST")
    const appGoal = {
      ConversionGoals: [{ _tag: "AppDownloadGoal", Name: "App", Type: ["AppDownload"], AppPlatform: "Android" }]
    } as unknown as RequestOf<"AddConversionGoals">
    expect(soapError(encodeSoapRequest("AddConversionGoals", appGoal, headers)).message).toContain(
      "the type AppDownloadGoal is only available over REST"
    )
    const flags = {
      ConversionGoalTypes: ["OfflineConversion"],
      ReturnAdditionalFields: ["GoalCategory", "IsAutoGoal"]
    } as unknown as RequestOf<"GetConversionGoalsByIds">
    expect(soapError(encodeSoapRequest("GetConversionGoalsByIds", flags, headers)).message).toContain(
      "the ConversionGoalAdditionalField value IsAutoGoal is only available over REST"
    )
    // Without them, the same goal is fine over SOAP.
    expect(Either.isRight(encodeSoapRequest("AddConversionGoals", goal({ IsAutoGoal: undefined }), headers))).toBe(true)
  })

  it("are refused by the strict SOAP reader as unknown, as the WSDL does not have them", () => {
    const request = (goalXml: string) =>
      `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><s:Body><AddConversionGoalsRequest xmlns="${CM}"><ConversionGoals>${goalXml}</ConversionGoals></AddConversionGoalsRequest></s:Body></s:Envelope>`
    const refused = (goalXml: string) => {
      const result = decodeSoapRequest(request(goalXml))
      if (Either.isRight(result)) throw new Error("expected the strict reader to refuse the request")
      return result.left
    }
    expect(
      refused(
        `<ConversionGoal i:type="OfflineConversionGoal"><Id i:nil="true"/><IsAutoGoal>true</IsAutoGoal><Name>x</Name></ConversionGoal>`
      )
    ).toMatchObject({ reason: "UnknownElement", message: expect.stringContaining("unknown element IsAutoGoal") })
    expect(
      refused(
        `<ConversionGoal i:type="OfflineConversionGoal"><AttributionModelType>DataDriven</AttributionModelType></ConversionGoal>`
      )
    ).toMatchObject({ reason: "SchemaMismatch", message: expect.stringContaining('"DataDriven" is not a value') })
    expect(refused(`<ConversionGoal i:type="AppDownloadGoal"><Name>x</Name></ConversionGoal>`)).toMatchObject({
      reason: "SchemaMismatch",
      message: expect.stringContaining("xsi:type AppDownloadGoal is not ConversionGoal")
    })
  })
})

describe("responses carrying the newer fields decode into the right types", () => {
  it("a ConversionGoal with IsAutoGoal, an AppDownloadGoal by its Type AppDownload", () => {
    const body = `{"ConversionGoals":[{"Type":"OfflineConversion","Id":"9007199254740993","Name":"Offline","IsAutoGoal":false,"AttributionModelType":"DataDriven","IsExternallyAttributed":true},{"Type":"AppDownload","Id":"42","Name":"App","IsAutoGoal":true,"AppPlatform":"iOS","AppStoreId":"id123"},null],"PartialErrors":[]}`
    const decoded = Either.getOrThrow(decodeRestResponse("GetConversionGoalsByIds", body))
    expect(decoded.ConversionGoals).toEqual([
      {
        _tag: "OfflineConversionGoal",
        AttributionModelType: "DataDriven",
        Id: 9007199254740993n,
        Name: "Offline",
        Type: ["OfflineConversion"],
        IsAutoGoal: false,
        IsExternallyAttributed: true
      },
      {
        _tag: "AppDownloadGoal",
        Id: 42n,
        Name: "App",
        Type: ["AppDownload"],
        IsAutoGoal: true,
        AppPlatform: "iOS",
        AppStoreId: "id123"
      },
      null
    ])
    expect(Schema.is(operations.GetConversionGoalsByIds.response)(decoded)).toBe(true)
  })
})

describe("GetOfflineConversionReportByGoalIds over REST", () => {
  const request: RequestOf<"GetOfflineConversionReportByGoalIds"> = {
    StartDateUtc: at("2026-08-01T00:00:00Z"),
    EndDateUtc: at("2026-08-07T00:00:00Z"),
    GoalIds: [10000001n, 9007199254740993n],
    UploadChannelFilter: ["CampaignManagementAPI", "BulkAPI"]
  }

  it("is a REST-only operation on Microsoft's route", () => {
    expect(operations.GetOfflineConversionReportByGoalIds).toMatchObject({
      soapAction: undefined,
      rest: { method: "POST", path: "/CampaignManagement/v13/OfflineConversionReport/QueryByGoalIds" },
      faults: ["AdApiFaultDetail", "ApiFaultDetail"]
    })
  })

  it("writes ids as strings and the channel filter as one comma-separated string, and reads it back", () => {
    const text = Either.getOrThrow(encodeRestRequest("GetOfflineConversionReportByGoalIds", request))
    expect(JSON.parse(text)).toEqual({
      StartDateUtc: "2026-08-01T00:00:00Z",
      EndDateUtc: "2026-08-07T00:00:00Z",
      GoalIds: ["10000001", "9007199254740993"],
      UploadChannelFilter: "CampaignManagementAPI, BulkAPI"
    })
    expect(Either.getOrThrow(decodeRestRequest("GetOfflineConversionReportByGoalIds", text))).toEqual(request)
  })

  it("round-trips a report with daily summaries, alerts and partial errors", () => {
    const response = {
      OfflineGoalConversionSummaries: [
        {
          GoalId: 10000001n,
          ConversionName: "Offline Purchase",
          OverallSuccessCount: 3n,
          OverallUnattributedCount: 2n,
          OverallSuccessRate: 0.6,
          OverallAlerts: [{ UnattributedReason: "NoMatchingClickFound" as const, Count: 2n }],
          DailySummaries: [
            {
              GoalId: 10000001n,
              UploadDate: DateTime.unsafeMake("2026-08-02T00:00:00Z") as DateTime.Utc,
              SuccessCount: 3,
              UnattributedCount: 2,
              SuccessRate: 0.6,
              Alerts: [{ UnattributedReason: "NoMatchingClickFound" as const, Count: 2n }]
            }
          ]
        }
      ],
      PartialErrors: []
    }
    const text = Either.getOrThrow(encodeRestResponse("GetOfflineConversionReportByGoalIds", response))
    expect(JSON.parse(text).OfflineGoalConversionSummaries[0]).toMatchObject({
      GoalId: "10000001",
      OverallSuccessCount: "3",
      OverallAlerts: [{ UnattributedReason: "NoMatchingClickFound", Count: "2" }],
      DailySummaries: [{ UploadDate: "2026-08-02T00:00:00Z", SuccessCount: 3 }]
    })
    const decoded = Either.getOrThrow(decodeRestResponse("GetOfflineConversionReportByGoalIds", text))
    expect(decoded).toEqual(response)
    expect(Schema.is(operations.GetOfflineConversionReportByGoalIds.response)(decoded)).toBe(true)
  })
})
