/**
 * The dedupe key shared with @uplink/core (DESIGN.md §4): (MicrosoftClickId, ConversionName, ConversionTime in UTC at
 * second precision, HashedEmailAddress, HashedPhoneNumber), absent fields as null; for adjustments the whole record.
 * Keys are JSON arrays so that no field value can make two different records collide.
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

/** The key of the conversion an adjustment refers to (its original ConversionName / ConversionTime / identifiers). */
export const adjustedConversionKey = (record: AdjustmentRecord): string =>
  conversionKey({
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
