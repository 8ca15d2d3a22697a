/**
 * The emulator's view of one received item: the contract's OfflineConversion / OfflineConversionAdjustment with every
 * absent or nil field as `null` and times as epoch milliseconds, so the rules and the dedupe key need no knowledge of
 * Effect's DateTime or of how the item travelled (SOAP or REST decode to the same contract types).
 */
import type * as Schemas from "@uplink/campaign-management/schemas"
import * as DateTime from "effect/DateTime"

/** The wire protocol a call came over: SOAP 1.1 or REST/JSON (both decode to the same contract types). */
export type Protocol = "soap" | "rest"

/** An offline conversion as the rules see it. */
export interface ConversionRecord {
  readonly ConversionCurrencyCode: string | null
  readonly ConversionName: string | null
  readonly ConversionTime: number | null
  readonly ConversionValue: number | null
  readonly ExternalAttributionCredit: number | null
  readonly ExternalAttributionModel: string | null
  readonly HashedEmailAddress: string | null
  readonly HashedPhoneNumber: string | null
  readonly MicrosoftClickId: string | null
}

/** An offline conversion adjustment (Restate / Retract) as the rules see it. */
export interface AdjustmentRecord {
  readonly AdjustmentCurrencyCode: string | null
  readonly AdjustmentTime: number | null
  readonly AdjustmentType: string | null
  readonly AdjustmentValue: number | null
  readonly ConversionName: string | null
  readonly ConversionTime: number | null
  readonly HashedEmailAddress: string | null
  readonly HashedPhoneNumber: string | null
  readonly MicrosoftClickId: string | null
}

const orNull = <A>(value: A | null | undefined): A | null => value ?? null

const millis = (value: DateTime.Utc | undefined): number | null =>
  value === undefined ? null : DateTime.toEpochMillis(value)

/** The rules' view of a decoded OfflineConversion. */
export const conversionRecord = (item: Schemas.OfflineConversion): ConversionRecord => ({
  ConversionCurrencyCode: orNull(item.ConversionCurrencyCode),
  ConversionName: orNull(item.ConversionName),
  ConversionTime: millis(item.ConversionTime),
  ConversionValue: orNull(item.ConversionValue),
  ExternalAttributionCredit: orNull(item.ExternalAttributionCredit),
  ExternalAttributionModel: orNull(item.ExternalAttributionModel),
  HashedEmailAddress: orNull(item.HashedEmailAddress),
  HashedPhoneNumber: orNull(item.HashedPhoneNumber),
  MicrosoftClickId: orNull(item.MicrosoftClickId)
})

/** The rules' view of a decoded OfflineConversionAdjustment. */
export const adjustmentRecord = (item: Schemas.OfflineConversionAdjustment): AdjustmentRecord => ({
  AdjustmentCurrencyCode: orNull(item.AdjustmentCurrencyCode),
  AdjustmentTime: millis(item.AdjustmentTime),
  AdjustmentType: orNull(item.AdjustmentType),
  AdjustmentValue: orNull(item.AdjustmentValue),
  ConversionName: orNull(item.ConversionName),
  ConversionTime: millis(item.ConversionTime),
  HashedEmailAddress: orNull(item.HashedEmailAddress),
  HashedPhoneNumber: orNull(item.HashedPhoneNumber),
  MicrosoftClickId: orNull(item.MicrosoftClickId)
})

/** An empty string or one of only white space counts as absent, as "null or empty" in the documented codes. */
export const isBlank = (value: string | null): value is null => value === null || value.trim() === ""
