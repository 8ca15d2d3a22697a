/**
 * The service's documented error codes the emulator answers with (docs/microsoft-api.md §3), verbatim: numeric code,
 * symbolic ErrorCode and Message. One table, so every BatchError, OperationError and AdApiError the emulator sends
 * carries exactly the documented text.
 */

/** One documented error: what goes into Code / ErrorCode / Message of a BatchError, OperationError or AdApiError. */
export interface CatalogError {
  readonly code: number
  readonly errorCode: string
  readonly message: string
}

const entry = (code: number, errorCode: string, message: string): CatalogError => ({ code, errorCode, message })

/** Every code the emulator can answer with, keyed by number. */
export const errorCatalog = {
  // ===== Operation-level (§3.3) =====
  0: entry(
    0,
    "InternalError",
    "An unidentified error has occurred. You may obtain additional information about this error by contacting Microsoft Advertising Support."
  ),
  105: entry(
    105,
    "InvalidCredentials",
    "Authentication failed. Reasons include, AccountInactive, InvalidAccessToken, or UserNotFound."
  ),
  106: entry(106, "UserIsNotAuthorized", "The user is not authorized to perform this action."),
  109: entry(109, "AuthenticationTokenExpired", "Authentication token expired. Please renew it or obtain a new token."),
  113: entry(113, "InvalidDateObject", "The date specified in the request is not valid."),
  117: entry(
    117,
    "CallRateExceeded",
    "You have exceeded the number of calls that you are allowed to make in a minute. Please reduce the number of calls that you make per minute."
  ),
  201: entry(201, "ApiInputValidationError", "One or more input elements failed validation."),
  204: entry(204, "OperationNotSupported", "The operation is not supported."),
  // The docs give code 514 the symbol of 513 (sic).
  514: entry(514, "CampaignServiceEntityIdsArrayExceedsLimit", "Ids passed are null or empty."),
  // ===== Offline conversions and adjustments (§3.1) =====
  5600: entry(5600, "OfflineConversionsNullOrEmpty", "The list of offline conversions cannot be null or empty."),
  5601: entry(5601, "OfflineConversionsLimitExceeded", "The list of offline conversions exceeds the limit."),
  5602: entry(5602, "OfflineConversionIsNull", "The offline conversion cannot be null."),
  5603: entry(
    5603,
    "OfflineConversionMicrosoftClickIdNullOrEmpty",
    "The Microsoft Click Id of offline conversion cannot be null or empty."
  ),
  5604: entry(
    5604,
    "OfflineConversionMicrosoftClickIdInvalid",
    "The Microsoft Click Id of the offline conversion is invalid."
  ),
  5605: entry(
    5605,
    "OfflineConversionNameNullOrEmpty",
    "The conversion name of offline conversion cannot be null or empty."
  ),
  5606: entry(
    5606,
    "OfflineConversionNameInvalid",
    "The conversion name do not match an existing offline conversion goal."
  ),
  5607: entry(5607, "OfflineConversionTimeInvalid", "The conversion time of offline conversion is invalid."),
  5608: entry(
    5608,
    "OfflineConversionTimeNullOrEmpty",
    "The conversion time of offline conversion cannot be null or empty ."
  ),
  5609: entry(5609, "OfflineConversionTimeOutOfWindow", "The conversion time is out of the conversion window."),
  5610: entry(5610, "OfflineConversionValueInvalid", "The conversion value of offline conversion is invalid."),
  5611: entry(5611, "OfflineConversionCurrencyCodeInvalid", "The currency code of offline conversion is invalid."),
  5614: entry(5614, "FutureConversionTimeCannotBeSet", "A future conversion time cannot be set."),
  5615: entry(
    5615,
    "OfflineConversionNotAcceptedForGoal",
    "Offline conversions cannot be accepted for the conversion goal at this time. You must wait 2 hours after the goal was created before uploading offline conversions."
  ),
  5616: entry(5616, "ConversionTimeEarlierThanClickTime", "The conversion time must be later than the click time."),
  5617: entry(
    5617,
    "ClickIdDateTimeOutsideGoalConversionWindow",
    "The date and time for the click ID is outside the conversion window for this goal."
  ),
  5618: entry(5618, "OfflineConversionInvalidAdjustmentType", "The offline conversion adjustment type is invalid."),
  5619: entry(5619, "OfflineConversionAdjustmentTimeNullOrEmpty", "The offline conversion adjustment time is empty."),
  5620: entry(
    5620,
    "OfflineConversionAdjustmentTimeEarlierThanConversionTime",
    "The offline conversion adjustment time is earlier than conversion time."
  ),
  5621: entry(5621, "OfflineConversionAdjustmentTimeInvalid", "The offline conversion adjustment time is invalid."),
  5622: entry(
    5622,
    "OfflineConversionFutureAdjustmentTimeCannotBeSet",
    "The offline conversion adjustment time cannot be in the future."
  ),
  5623: entry(
    5623,
    "OfflineConversionAdjustmentTimeOutOfWindow",
    "The offline conversion adjustment time is out of the window."
  ),
  5624: entry(
    5624,
    "OfflineConversionAdjustmentValueNotExpected",
    "The offline conversion adjustment value is not expected."
  ),
  5625: entry(5625, "OfflineConversionAdjustmentValueRequired", "The offline conversion adjustment value is required."),
  5626: entry(5626, "OfflineConversionCurrencyValueRequired", "The offline conversion currency value is required."),
  5627: entry(
    5627,
    "OfflineConversionRestateRetractNotSupported",
    "The offline conversion restate or retract operation is not supported."
  ),
  // ===== Conversion goals (§3.2) =====
  5314: entry(5314, "InvalidConversionGoalId", "The Conversion Goal ID is invalid."),
  5315: entry(5315, "DuplicateConversionGoalId", "Duplicate Conversion Goal IDs are not allowed."),
  5316: entry(5316, "DuplicateConversionGoalName", "Duplicate Conversion Goal names are not allowed."),
  5317: entry(
    5317,
    "ConversionGoalNameAlreadyExists",
    "The Conversion Goal with the same name already exists for the customer."
  ),
  5318: entry(
    5318,
    "ConversionGoalIdArrayExceedsLimit",
    "The list of Conversion Goal IDs exceeds the limit for the current operation."
  ),
  5319: entry(5319, "ConversionGoalNameNotPassed", "The Conversion Goal name is required."),
  5320: entry(5320, "InvalidConversionGoalName", "The Conversion Goal name is invalid or exceeds the length limit."),
  5321: entry(5321, "ConversionGoalsNotPassed", "The Conversion Goals are required."),
  5322: entry(5322, "ConversionGoalArrayExceedsLimit", "The list of Conversion Goals exceeds the limit."),
  5323: entry(5323, "ConversionGoalIsNull", "The Conversion Goal is required."),
  5324: entry(5324, "ConversionGoalIdIsNotNull", "The Conversion Goal ID must be null."),
  5325: entry(5325, "ConversionGoalIdIsNull", "The Conversion Goal ID is required."),
  5326: entry(
    5326,
    "TotalConversionGoalsExceedAccountLimit",
    "The total Conversion Goal count would exceed the account level limit."
  ),
  5328: entry(5328, "InvalidConversionGoalStatus", "The Conversion Goal status is invalid."),
  5329: entry(5329, "ConversionGoalTypesNotPassed", "The Conversion Goal types are required."),
  5331: entry(5331, "ConversionGoalTypeNotMatched", "The Conversion Goal type should be matched to the goal entity."),
  5332: entry(5332, "InvalidConversionGoalRevenueType", "The Conversion Goal revenue type is invalid."),
  5333: entry(5333, "InvalidConversionGoalRevenueValue", "The Conversion Goal revenue value is invalid."),
  5337: entry(5337, "InvalidConversionGoalConversionWindow", "The Conversion Window for Conversion Goal is invalid."),
  5351: entry(5351, "InvalidGoalCurrencyCode", "The currency code of the goal is invalid."),
  5355: entry(5355, "GoalCurrencyCodeIsNull", "The currency code is required for this goal type."),
  5356: entry(
    5356,
    "GoalTypeCannotBeChanged",
    "The goal type can't be changed for In-Store Transaction Goal or Offline Conversion Goal."
  )
} as const satisfies Record<number, CatalogError>

/** A code the emulator knows. */
export type KnownCode = keyof typeof errorCatalog

/** The catalog entry of a code. */
export const catalogError = (code: KnownCode): CatalogError => errorCatalog[code]
