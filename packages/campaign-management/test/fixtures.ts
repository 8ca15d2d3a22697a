/**
 * Hand-written request and response bodies of the offline-conversion operations, shared by the codec tests.
 */
import { DateTime } from "effect"
import type { RequestOf, ResponseOf, SoapRequestHeaders } from "../src/index.js"

export const at = (iso: string): DateTime.Utc => DateTime.unsafeMake(iso) as DateTime.Utc

export const headers: SoapRequestHeaders = {
  AuthenticationToken: "eyJ0eXAi.token",
  CustomerAccountId: "2000002",
  CustomerId: "1000001",
  DeveloperToken: "BBD37VB98"
}

export const applyRequest: RequestOf<"ApplyOfflineConversions"> = {
  OfflineConversions: [
    {
      ConversionCurrencyCode: "USD",
      ConversionName: `Purchase & <Lead> "q" 'a'`,
      ConversionTime: at("2026-08-01T17:02:35Z"),
      ConversionValue: 10.5,
      ExternalAttributionCredit: 0.25,
      ExternalAttributionModel: "Linear",
      HashedEmailAddress: "a".repeat(64),
      HashedPhoneNumber: "b".repeat(64),
      MicrosoftClickId: "f894f652ea334e739002f7167ab8f8e3"
    },
    {
      ConversionCurrencyCode: null,
      ConversionName: "Café — ½ ✓ 😀",
      ConversionTime: at("2026-08-02T08:00:00.123Z"),
      ConversionValue: null,
      MicrosoftClickId: "0123456789abcdef0123456789abcdef"
    }
  ]
}

export const adjustmentsRequest: RequestOf<"ApplyOfflineConversionAdjustments"> = {
  OfflineConversionAdjustments: [
    {
      AdjustmentCurrencyCode: "EUR",
      AdjustmentTime: at("2026-08-03T10:00:00Z"),
      AdjustmentType: "Restate",
      AdjustmentValue: 7.25,
      ConversionName: "Purchase",
      ConversionTime: at("2026-08-01T17:02:35Z"),
      MicrosoftClickId: "f894f652ea334e739002f7167ab8f8e3"
    },
    {
      AdjustmentTime: at("2026-08-03T11:00:00Z"),
      AdjustmentType: "Retract",
      ConversionName: "Purchase",
      ConversionTime: at("2026-08-01T17:02:35Z"),
      HashedEmailAddress: "c".repeat(64)
    }
  ]
}

export const addGoalsRequest: RequestOf<"AddConversionGoals"> = {
  ConversionGoals: [
    {
      _tag: "OfflineConversionGoal",
      ConversionWindowInMinutes: 43200,
      CountType: "All",
      ExcludeFromBidding: false,
      GoalCategory: "Purchase",
      Id: null,
      Name: "Offline purchases",
      Revenue: { CurrencyCode: "USD", Type: "FixedValue", Value: 5 },
      Scope: "Account",
      Status: "Active",
      TagId: null,
      Type: ["OfflineConversion"],
      IsExternallyAttributed: true
    },
    {
      _tag: "UrlGoal",
      Name: "Thank-you page",
      Type: ["Url"],
      UrlExpression: "contoso.com/thanks?a=1&b=2",
      UrlOperator: "Contains"
    }
  ]
}

export const getGoalsRequest: RequestOf<"GetConversionGoalsByIds"> = {
  ConversionGoalIds: [123n, 9007199254740993n, 9223372036854775807n],
  ConversionGoalTypes: ["OfflineConversion", "Url"],
  ReturnAdditionalFields: ["IsExternallyAttributed", "GoalCategory"]
}

export const reportsRequest: RequestOf<"GetOfflineConversionReports"> = {
  StartDateUtc: at("2026-07-01T00:00:00Z"),
  EndDateUtc: at("2026-08-01T00:00:00Z")
}

export const applyResponse: ResponseOf<"ApplyOfflineConversions"> = {
  PartialErrors: [
    {
      _tag: "BatchError",
      Code: 5604,
      Details: null,
      ErrorCode: "OfflineConversionMicrosoftClickIdInvalid",
      FieldPath: "MicrosoftClickId",
      ForwardCompatibilityMap: [{ key: "k", value: null }],
      Index: 1,
      Message: "The click id is invalid.",
      Type: "BatchError"
    },
    {
      _tag: "EditorialError",
      Code: 1,
      Index: 0,
      Message: "Editorial",
      Type: "EditorialError",
      Appealable: true,
      DisapprovedText: "x",
      ReasonCode: 7
    }
  ]
}

export const addGoalsResponse: ResponseOf<"AddConversionGoals"> = {
  ConversionGoalIds: [9007199254740993n, null],
  PartialErrors: [
    { _tag: "BatchError", Code: 5324, ErrorCode: "ConversionGoalIdNotNull", Index: 1, Type: "BatchError" }
  ]
}

export const getGoalsResponse: ResponseOf<"GetConversionGoalsByIds"> = {
  ConversionGoals: [
    {
      _tag: "OfflineConversionGoal",
      Id: 123n,
      Name: "Offline purchases",
      Revenue: { CurrencyCode: "USD", Type: "VariableValue", Value: 12.5 },
      Status: "Active",
      TagId: 9007199254740993n,
      Type: ["OfflineConversion"],
      IsExternallyAttributed: false
    },
    null
  ],
  PartialErrors: []
}

export const reportsResponse: ResponseOf<"GetOfflineConversionReports"> = {
  DailySummaries: [
    {
      FailureCount: 2,
      FileUrl: "https://example.invalid/report?x=1&y=2",
      FileUrlExpiryTimeUtc: at("2026-08-02T00:00:00Z"),
      SuccessCount: 998,
      UploadDate: at("2026-08-01T00:00:00Z")
    }
  ]
}

/** Every hand-written shape: operation, request, response. */
export const shapes = [
  ["ApplyOfflineConversions", applyRequest, applyResponse],
  ["ApplyOfflineConversionAdjustments", adjustmentsRequest, applyResponse],
  ["AddConversionGoals", addGoalsRequest, addGoalsResponse],
  ["GetConversionGoalsByIds", getGoalsRequest, getGoalsResponse],
  ["GetOfflineConversionReports", reportsRequest, reportsResponse]
] as const
