/**
 * The error codes a record can be marked with before it is sent: the service's own 56xx codes (api-facts.md §3.1,
 * messages verbatim) for the rules the pipeline checks locally, and Uplink's own symbolic codes (no number) for the
 * rules the service documents only by name (external attribution, unhashed identifiers) or that concern the input
 * itself (a malformed line, an unsupported Bulk row).
 */

/** A documented service error: numeric code, symbolic ErrorCode and the service's message. */
export interface ServiceCode {
  readonly code: number
  readonly errorCode: string
  readonly message: string
}

const entry = (code: number, errorCode: string, message: string): ServiceCode => ({ code, errorCode, message })

/** The 56xx codes the pipeline can assign before sending (the service would return the same). */
export const ServiceCodes = {
  MicrosoftClickIdNullOrEmpty: entry(
    5603,
    "OfflineConversionMicrosoftClickIdNullOrEmpty",
    "The Microsoft Click Id of offline conversion cannot be null or empty."
  ),
  NameNullOrEmpty: entry(
    5605,
    "OfflineConversionNameNullOrEmpty",
    "The conversion name of offline conversion cannot be null or empty."
  ),
  NameInvalid: entry(
    5606,
    "OfflineConversionNameInvalid",
    "The conversion name do not match an existing offline conversion goal."
  ),
  TimeInvalid: entry(5607, "OfflineConversionTimeInvalid", "The conversion time of offline conversion is invalid."),
  TimeNullOrEmpty: entry(
    5608,
    "OfflineConversionTimeNullOrEmpty",
    "The conversion time of offline conversion cannot be null or empty ."
  ),
  TimeOutOfWindow: entry(
    5609,
    "OfflineConversionTimeOutOfWindow",
    "The conversion time is out of the conversion window."
  ),
  ValueInvalid: entry(5610, "OfflineConversionValueInvalid", "The conversion value of offline conversion is invalid."),
  CurrencyCodeInvalid: entry(
    5611,
    "OfflineConversionCurrencyCodeInvalid",
    "The currency code of offline conversion is invalid."
  ),
  NotAcceptedForGoal: entry(
    5615,
    "OfflineConversionNotAcceptedForGoal",
    "Offline conversions cannot be accepted for the conversion goal at this time. You must wait 2 hours after the goal was created before uploading offline conversions."
  ),
  FutureConversionTime: entry(5614, "FutureConversionTimeCannotBeSet", "A future conversion time cannot be set."),
  InvalidAdjustmentType: entry(
    5618,
    "OfflineConversionInvalidAdjustmentType",
    "The offline conversion adjustment type is invalid."
  ),
  AdjustmentTimeNullOrEmpty: entry(
    5619,
    "OfflineConversionAdjustmentTimeNullOrEmpty",
    "The offline conversion adjustment time is empty."
  ),
  AdjustmentTimeEarlierThanConversionTime: entry(
    5620,
    "OfflineConversionAdjustmentTimeEarlierThanConversionTime",
    "The offline conversion adjustment time is earlier than conversion time."
  ),
  AdjustmentTimeInvalid: entry(
    5621,
    "OfflineConversionAdjustmentTimeInvalid",
    "The offline conversion adjustment time is invalid."
  ),
  FutureAdjustmentTime: entry(
    5622,
    "OfflineConversionFutureAdjustmentTimeCannotBeSet",
    "The offline conversion adjustment time cannot be in the future."
  ),
  AdjustmentTimeOutOfWindow: entry(
    5623,
    "OfflineConversionAdjustmentTimeOutOfWindow",
    "The offline conversion adjustment time is out of the window."
  ),
  AdjustmentValueNotExpected: entry(
    5624,
    "OfflineConversionAdjustmentValueNotExpected",
    "The offline conversion adjustment value is not expected."
  ),
  AdjustmentValueRequired: entry(
    5625,
    "OfflineConversionAdjustmentValueRequired",
    "The offline conversion adjustment value is required."
  ),
  CurrencyValueRequired: entry(
    5626,
    "OfflineConversionCurrencyValueRequired",
    "The offline conversion currency value is required."
  )
} as const satisfies Record<string, ServiceCode>

/**
 * Symbolic codes without a documented number. The attribution and hashing names are the service's own
 * (`DailySummary.Status` values, api-facts.md §3.1); the others are Uplink's and describe the input.
 */
export const LocalCodes = {
  ExternalAttributionRequiredFieldEmpty: "ExternalAttributionRequiredFieldEmpty",
  ExternalAttributionCreditValueInvalid: "ExternalAttributionCreditValueInvalid",
  EmailAddressIsNotHashed: "ConversionEmailAddressIsNotHashed",
  PhoneNumberIsNotHashed: "ConversionPhoneNumberIsNotHashed",
  EmailAddressInvalid: "EmailAddressInvalid",
  PhoneNumberInvalid: "PhoneNumberInvalid",
  ConflictingIdentifiers: "ConflictingIdentifiers",
  FieldTypeInvalid: "FieldTypeInvalid",
  MalformedRecord: "MalformedRecord",
  UnsupportedRecordType: "UnsupportedRecordType",
  AdjustmentInApplyRun: "AdjustmentInApplyRun",
  UnsupportedCharacter: "UnsupportedCharacter"
} as const

/** The ISO 4217 codes the service accepts (api-facts.md §2.5, 100 codes; legacy TRL, VEF, HRK included). */
export const currencyCodes: ReadonlySet<string> = new Set(
  (
    "AED ALL AMD ARS AUD AZN BDT BGN BHD BND BOB BRL BWP BZD CAD CHF CLP CNY COP CRC CZK DKK DOP DZD EGP ETB EUR FJD " +
    "GBP GEL GHS GTQ HKD HNL HRK HUF IDR ILS INR IQD ISK JMD JOD JPY KES KGS KRW KWD KZT LBP LKR LYD MAD MKD MNT MOP " +
    "MUR MVR MWK MXN MYR NGN NIO NOK NZD OMR PAB PEN PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SEK SGD THB TND TOP TRL " +
    "TTD TWD TZS UAH UGX USD UYU UZS VEF VND XAF XCD XOF YER ZAR ZMW"
  ).split(" ")
)
