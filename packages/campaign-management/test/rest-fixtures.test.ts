/**
 * REST pinned to Microsoft's models, not to ourselves. The client and the emulator share this codec, so a mistake in
 * it would pass every round trip; here each request, response and fault body of the operations Uplink uses is compared
 * with JSON written by hand from Microsoft's REST models (test/fixtures/rest/*.json, each citing the SDK files and
 * commits it was written from) — both ways: our encoder must produce exactly that JSON (property names, long ids as
 * strings, flags as one comma-separated string, Type discriminators, absent values omitted), and our decoders must
 * read it into the values written here by hand.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { DateTime, Either } from "effect"
import { describe, expect, it } from "vitest"
import {
  decodeRestFault,
  decodeRestRequest,
  decodeRestResponse,
  encodeRestFault,
  encodeRestRequest,
  encodeRestResponse,
  makeWireFault,
  type OperationName,
  type RequestOf,
  type ResponseOf,
  type WireFaultDetail
} from "../src/index.js"

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "rest", `${name}.json`), "utf8")) as {
    readonly sources: ReadonlyArray<string>
    readonly request: unknown
    readonly response: unknown
    readonly responseAsSent?: unknown
  }

const at = (iso: string) => DateTime.unsafeMake(iso) as DateTime.Utc
const HASH_EMAIL = "f25ad364d33972379a7a4f4df33db142205f5c40eb19cfdb2fc5aaf117e10101"
const HASH_PHONE = "0b7ff1e1c2f1f4e5a8b3e1c4d7f2a9b6c3d0e7f4a1b8c5d2e9f6a3b0c7d4e1f8"

const batchError = (fields: { FieldPath: string; ErrorCode: string; Message: string; Code: number; Index: number }) =>
  ({ _tag: "BatchError", ...fields, Type: "BatchError" }) as const

/** The decoded request and response of each operation, written by hand to match the fixture. */
const cases: {
  readonly [Op in OperationName]?: { readonly request: RequestOf<Op>; readonly response: ResponseOf<Op> }
} = {
  ApplyOfflineConversions: {
    request: {
      OfflineConversions: [
        {
          MicrosoftClickId: "f894f652ea334e739002f7167ab8f8e3",
          ConversionName: "Offline Purchase",
          ConversionTime: at("2026-08-01T17:02:35Z"),
          ConversionValue: 10.5,
          ConversionCurrencyCode: "USD",
          ExternalAttributionCredit: 0.25,
          ExternalAttributionModel: "Linear"
        },
        {
          ConversionName: "Offline Lead",
          ConversionTime: at("2026-08-02T08:00:00.123Z"),
          HashedEmailAddress: HASH_EMAIL,
          HashedPhoneNumber: HASH_PHONE
        }
      ]
    },
    response: {
      PartialErrors: [
        batchError({
          FieldPath: "ConversionCurrencyCode",
          ErrorCode: "OfflineConversionCurrencyCodeInvalid",
          Message: "The currency code of offline conversion is invalid.",
          Code: 5611,
          Index: 1
        })
      ]
    }
  },
  ApplyOfflineConversionAdjustments: {
    request: {
      OfflineConversionAdjustments: [
        {
          MicrosoftClickId: "f894f652ea334e739002f7167ab8f8e3",
          ConversionName: "Offline Purchase",
          ConversionTime: at("2026-08-01T17:02:35Z"),
          AdjustmentTime: at("2026-08-03T10:00:00Z"),
          AdjustmentType: "Restate",
          AdjustmentValue: 7.25,
          AdjustmentCurrencyCode: "EUR"
        },
        {
          ConversionName: "Offline Purchase",
          ConversionTime: at("2026-08-01T17:02:35Z"),
          AdjustmentTime: at("2026-08-04T09:30:00.500Z"),
          AdjustmentType: "Retract",
          HashedEmailAddress: HASH_EMAIL
        }
      ]
    },
    response: { PartialErrors: [] }
  },
  AddConversionGoals: {
    request: {
      ConversionGoals: [
        {
          _tag: "OfflineConversionGoal",
          Type: ["OfflineConversion"],
          Name: "Offline Purchase",
          Status: "Active",
          Scope: "Account",
          CountType: "All",
          Revenue: { Type: "FixedValue", Value: 5, CurrencyCode: "USD" },
          ConversionWindowInMinutes: 43200,
          ExcludeFromBidding: false,
          GoalCategory: "Purchase",
          IsExternallyAttributed: false
        },
        {
          _tag: "OfflineConversionGoal",
          Type: ["OfflineConversion"],
          Name: "Offline Purchase",
          Revenue: { Type: "NoValue" }
        }
      ]
    },
    response: {
      ConversionGoalIds: [9007199254740993n, null],
      PartialErrors: [
        batchError({
          FieldPath: "Name",
          ErrorCode: "DuplicateConversionGoalName",
          Message: "Duplicate Conversion Goal names are not allowed.",
          Code: 5316,
          Index: 1
        })
      ]
    }
  },
  GetConversionGoalsByIds: {
    request: {
      ConversionGoalIds: [9007199254740993n, 10000001n],
      ConversionGoalTypes: ["OfflineConversion", "Event"],
      ReturnAdditionalFields: ["IsExternallyAttributed", "GoalCategory", "IsEnhancedConversionsEnabled"]
    },
    response: {
      ConversionGoals: [
        {
          _tag: "OfflineConversionGoal",
          Type: ["OfflineConversion"],
          AttributionModelType: "LastTouch",
          ConversionWindowInMinutes: 43200,
          CountType: "Unique",
          ExcludeFromBidding: false,
          GoalCategory: "Purchase",
          Id: 9007199254740993n,
          IsEnhancedConversionsEnabled: false,
          Name: "Offline Purchase",
          Revenue: { Type: "VariableValue", Value: 12.5, CurrencyCode: "EUR" },
          Scope: "Customer",
          Status: "Active",
          TagId: 1234567n,
          TrackingStatus: "RecordingConversions",
          IsExternallyAttributed: true
        },
        null
      ],
      PartialErrors: [
        batchError({
          FieldPath: "ConversionGoalIds",
          ErrorCode: "InvalidConversionGoalId",
          Message: "The Conversion Goal ID is invalid.",
          Code: 5314,
          Index: 1
        })
      ]
    }
  },
  GetOfflineConversionReports: {
    request: { StartDateUtc: at("2026-07-26T00:00:00Z"), EndDateUtc: at("2026-08-01T00:00:00Z") },
    response: {
      DailySummaries: [
        {
          UploadDate: at("2026-07-31T00:00:00Z"),
          FileUrl: "https://example.test/reports/2026-07-31.csv?sig=abc",
          FileUrlExpiryTimeUtc: at("2026-08-01T12:15:00Z"),
          SuccessCount: 120,
          FailureCount: 3
        }
      ]
    }
  },
  GetOfflineConversionReportByGoalIds: {
    request: {
      StartDateUtc: at("2026-07-26T00:00:00Z"),
      EndDateUtc: at("2026-08-01T00:00:00Z"),
      GoalIds: [9007199254740993n, 10000001n],
      UploadChannelFilter: ["CampaignManagementAPI", "BulkAPI"]
    },
    response: {
      OfflineGoalConversionSummaries: [
        {
          GoalId: 9007199254740993n,
          ConversionName: "Offline Purchase",
          OverallSuccessCount: 120n,
          OverallUnattributedCount: 30n,
          OverallSuccessRate: 0.8,
          OverallAlerts: [
            { UnattributedReason: "NoMatchingClickFound", Count: 20n },
            { UnattributedReason: "OutsideGoalLookbackWindow", Count: 10n }
          ],
          DailySummaries: [
            {
              GoalId: 9007199254740993n,
              UploadDate: at("2026-07-31T00:00:00Z"),
              SuccessCount: 120,
              UnattributedCount: 30,
              SuccessRate: 0.8,
              Alerts: [
                { UnattributedReason: "NoMatchingClickFound", Count: 20n },
                { UnattributedReason: "OutsideGoalLookbackWindow", Count: 10n }
              ]
            }
          ]
        }
      ],
      PartialErrors: [
        batchError({
          FieldPath: "GoalIds",
          ErrorCode: "InvalidConversionGoalId",
          Message: "The Conversion Goal ID is invalid.",
          Code: 5314,
          Index: 1
        })
      ]
    }
  }
}

const operationsUplinkUses = [
  "ApplyOfflineConversions",
  "ApplyOfflineConversionAdjustments",
  "AddConversionGoals",
  "GetConversionGoalsByIds",
  "GetOfflineConversionReports",
  "GetOfflineConversionReportByGoalIds"
] as const

describe.each(operationsUplinkUses)("%s against Microsoft's REST models", (op) => {
  const pinned = fixture(op)
  const expected = cases[op]!

  it("names the SDK files and commits it was written from", () => {
    expect(pinned.sources.length).toBeGreaterThan(0)
    for (const source of pinned.sources) expect(source).toMatch(/@[0-9a-f]{40}:|docs/)
  })

  it("our encoder writes exactly the request JSON, and the strict decoder (emulator side) reads it", () => {
    const written = Either.getOrThrow(encodeRestRequest(op, expected.request as never))
    expect(JSON.parse(written)).toStrictEqual(pinned.request)
    expect(Either.getOrThrow(decodeRestRequest(op, JSON.stringify(pinned.request)))).toEqual(expected.request)
  })

  it("our encoder (emulator side) writes exactly the response JSON, and the decoder (client side) reads it", () => {
    const written = Either.getOrThrow(encodeRestResponse(op, expected.response as never))
    expect(JSON.parse(written)).toStrictEqual(pinned.response)
    expect(Either.getOrThrow(decodeRestResponse(op, JSON.stringify(pinned.response)))).toEqual(expected.response)
    if (pinned.responseAsSent !== undefined) {
      // Explicit nulls (as the .NET SDK writes them) read as absent; null array items stay.
      expect(Either.getOrThrow(decodeRestResponse(op, JSON.stringify(pinned.responseAsSent)))).toEqual(
        expected.response
      )
    }
  })
})

const faults = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "rest", "faults.json"), "utf8")) as {
  readonly sources: ReadonlyArray<string>
  readonly bodies: ReadonlyArray<{ readonly type: string; readonly status: number; readonly body: unknown }>
}

const TRACKING = "2f1b8d7c-4e3a-4c2b-9a8d-7e6f5a4b3c2d"

/** Each fault body's decoded detail and message, written by hand. */
const faultDetails: Readonly<Record<string, { readonly detail: WireFaultDetail; readonly message: string }>> = {
  ApiFaultDetail: {
    message: "The list of offline conversions cannot be null or empty.",
    detail: {
      _tag: "ApiFaultDetail",
      value: {
        _tag: "ApiFaultDetail",
        TrackingId: TRACKING,
        BatchErrors: [],
        OperationErrors: [
          {
            Code: 5600,
            Details: "OfflineConversions",
            ErrorCode: "OfflineConversionsNullOrEmpty",
            Message: "The list of offline conversions cannot be null or empty."
          }
        ]
      }
    }
  },
  AdApiFaultDetail: {
    message: "Authentication token expired. Please renew it or obtain a new token.",
    detail: {
      _tag: "AdApiFaultDetail",
      value: {
        _tag: "AdApiFaultDetail",
        TrackingId: TRACKING,
        Errors: [
          {
            Code: 109,
            Detail: "Token expired at 2026-08-01T12:00:00Z.",
            ErrorCode: "AuthenticationTokenExpired",
            Message: "Authentication token expired. Please renew it or obtain a new token."
          }
        ]
      }
    }
  },
  EditorialApiFaultDetail: {
    message: "The entity failed editorial review.",
    detail: {
      _tag: "EditorialApiFaultDetail",
      value: {
        _tag: "EditorialApiFaultDetail",
        TrackingId: TRACKING,
        EditorialErrors: [
          {
            _tag: "EditorialError",
            Appealable: true,
            DisapprovedText: "free",
            Location: "Name",
            PublisherCountry: "US",
            ReasonCode: 17,
            Code: 1042,
            ErrorCode: "CampaignServiceEditorialValidationError",
            FieldPath: "Name",
            Index: 0,
            Message: "The entity failed editorial review.",
            Type: "EditorialError"
          }
        ],
        BatchErrors: [],
        OperationErrors: []
      }
    }
  },
  AdCenterAuthenticationFault: {
    message: "The security ticket is invalid.",
    detail: {
      _tag: "AdCenterAuthenticationFault",
      value: {
        _tag: "AdCenterAuthenticationFault",
        TrackingId: TRACKING,
        ErrorCode: "InvalidSecurityTicket",
        ErrorMessage: "The security ticket is invalid.",
        MTServerName: "MT-01",
        FaultingLayer: "Authentication",
        ErrorSourceSystem: "Identity"
      }
    }
  },
  AdCenterAuthorizationFault: {
    message: "The user is not authorized for this account.",
    detail: {
      _tag: "AdCenterAuthorizationFault",
      value: {
        _tag: "AdCenterAuthorizationFault",
        TrackingId: TRACKING,
        ErrorMessage: "The user is not authorized for this account.",
        MTServerName: "MT-01",
        FaultingLayer: "Authorization"
      }
    }
  },
  AdCenterFault: {
    message: "The request could not be processed.",
    detail: {
      _tag: "AdCenterFault",
      value: {
        _tag: "AdCenterFault",
        TrackingId: TRACKING,
        ErrorMessage: "The request could not be processed.",
        FaultingLayer: "MiddleTier"
      }
    }
  },
  AdCenterInternalErrorFault: {
    message: "An internal error has occurred.",
    detail: {
      _tag: "AdCenterInternalErrorFault",
      value: {
        _tag: "AdCenterInternalErrorFault",
        TrackingId: TRACKING,
        ErrorMessage: "An internal error has occurred.",
        MTServerName: "MT-02",
        FaultingLayer: "Database",
        ErrorSourceSystem: "CampaignDB"
      }
    }
  },
  AdCenterSystemFault: {
    message: "The system is unavailable.",
    detail: {
      _tag: "AdCenterSystemFault",
      value: {
        _tag: "AdCenterSystemFault",
        TrackingId: TRACKING,
        ErrorMessage: "The system is unavailable.",
        MTServerName: "MT-03",
        FaultingLayer: "MiddleTier"
      }
    }
  }
}

describe("REST fault bodies against Microsoft's ApplicationFault models", () => {
  it("cover every Type of ApplicationFault", () => {
    expect(faults.bodies.map((b) => b.type).sort()).toEqual(Object.keys(faultDetails).sort())
    expect(faults.sources.length).toBeGreaterThan(0)
  })

  it.each(faults.bodies.map((b) => [b.type, b] as const))(
    "%s: written exactly so, and read top-level and wrapped",
    (type, pinned) => {
      const { detail, message } = faultDetails[type]!
      const fault = makeWireFault({ message, trackingId: TRACKING, detail })
      expect(JSON.parse(encodeRestFault(fault))).toStrictEqual(pinned.body)
      for (const text of [JSON.stringify(pinned.body), JSON.stringify({ ApplicationFault: pinned.body })]) {
        expect(Either.getOrThrow(decodeRestFault(text))).toEqual(fault)
      }
    }
  )
})
