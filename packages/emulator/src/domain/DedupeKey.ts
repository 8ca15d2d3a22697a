/**
 * The dedupe key shared with @uplink/core (docs/architecture.md, "Where each rule lives"): (MicrosoftClickId, ConversionName, ConversionTime in UTC at
 * second precision, HashedEmailAddress, HashedPhoneNumber), absent fields as null; for adjustments the whole record.
 * Keys are JSON arrays so that no field value can make two different records collide. The ledger compares conversions
 * field by field and by `conversionIdentity`, which agree with the key, and writes keys only for the state.
 */
import type { AdjustmentRecord, ConversionRecord } from "./Records.js"
import { isoMillis, isoSeconds } from "./Time.js"

/** The key under which the service counts an offline conversion once ("the first instance will be used"). */
export const conversionKey = (record: ConversionRecord): string =>
  JSON.stringify([
    record.MicrosoftClickId,
    record.ConversionName,
    record.ConversionTime === null ? null : isoSeconds(record.ConversionTime),
    record.HashedEmailAddress,
    record.HashedPhoneNumber
  ])

/** A conversion time at the dedupe key's precision: the second (as a number). */
export const secondOf = (time: number | null): number | null => (time === null ? null : Math.floor(time / 1000))

const identityPart = (value: string | null): string => (value === null ? "~" : `${value.length}:${value}`)

/**
 * A text equal for two conversions exactly when their `conversionKey`s are, cheaper to write: the conversion second as
 * a number, then each identifier as `~` (absent) or its length, `:` and the text. Lengths make it unambiguous without
 * escaping.
 */
export const conversionIdentity = (record: ConversionRecord): string =>
  (record.ConversionTime === null ? "~" : `${secondOf(record.ConversionTime)}|`) +
  identityPart(record.MicrosoftClickId) +
  identityPart(record.ConversionName) +
  identityPart(record.HashedEmailAddress) +
  identityPart(record.HashedPhoneNumber)

/** The key of an adjustment: every field of the record, in XSD order, times at millisecond precision. */
export const adjustmentKey = (record: AdjustmentRecord): string =>
  JSON.stringify([
    record.AdjustmentCurrencyCode,
    record.AdjustmentTime === null ? null : isoMillis(record.AdjustmentTime),
    record.AdjustmentType,
    record.AdjustmentValue,
    record.ConversionName,
    record.ConversionTime === null ? null : isoMillis(record.ConversionTime),
    record.HashedEmailAddress,
    record.HashedPhoneNumber,
    record.MicrosoftClickId
  ])

/** The conversion an adjustment refers to (its original ConversionName / ConversionTime / identifiers). */
export const adjustedConversion = (record: AdjustmentRecord): ConversionRecord => ({
  ConversionCurrencyCode: null,
  ConversionName: record.ConversionName,
  ConversionTime: record.ConversionTime,
  ConversionValue: null,
  ExternalAttributionCredit: null,
  ExternalAttributionModel: null,
  HashedEmailAddress: record.HashedEmailAddress,
  HashedPhoneNumber: record.HashedPhoneNumber,
  MicrosoftClickId: record.MicrosoftClickId
})

/** The key of the conversion an adjustment refers to. */
export const adjustedConversionKey = (record: AdjustmentRecord): string => conversionKey(adjustedConversion(record))
