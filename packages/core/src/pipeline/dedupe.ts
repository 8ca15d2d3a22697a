/**
 * Duplicates within a run, on the service's key (docs/architecture.md, "Where each rule lives"; docs/microsoft-api.md
 * §2): (MicrosoftClickId, ConversionName, ConversionTime in UTC at second precision, HashedEmailAddress,
 * HashedPhoneNumber), absent fields as null; for adjustments the whole record. The first copy is sent, later ones
 * become `duplicate` outcomes naming its line. The keys are written into a `KeyUnits` buffer and remembered as
 * fingerprints in a `DedupeTable` (both in src/internal/).
 */
import { KeyUnits } from "../internal/keyUnits.js"
import type { PreparedAdjustment, PreparedConversion } from "./Prepared.js"

/** Writes the canonical dedupe key of a conversion into `key`. */
export const writeConversionKey = (key: KeyUnits, conversion: PreparedConversion): KeyUnits => {
  return key
    .reset()
    .text(conversion.microsoftClickId)
    .text(conversion.conversionName)
    .number(Math.floor(conversion.conversionTimeMs / 1000))
    .text(conversion.hashedEmail)
    .text(conversion.hashedPhone)
}

/** Writes the canonical dedupe key of an adjustment into `key`: a marker, then every field. */
export const writeAdjustmentKey = (key: KeyUnits, adjustment: PreparedAdjustment): KeyUnits => {
  return key
    .reset()
    .raw("adjustment")
    .text(adjustment.currencyCode)
    .number(adjustment.adjustmentTimeMs)
    .text(adjustment.adjustmentType)
    .number(adjustment.adjustmentValue)
    .text(adjustment.conversionName)
    .number(adjustment.conversionTimeMs)
    .text(adjustment.hashedEmail)
    .text(adjustment.hashedPhone)
    .text(adjustment.microsoftClickId)
}

/** The canonical dedupe key text of a conversion. */
export const conversionKey = (conversion: PreparedConversion): string =>
  writeConversionKey(new KeyUnits(), conversion).toString()

/** The canonical dedupe key text of an adjustment. */
export const adjustmentKey = (adjustment: PreparedAdjustment): string =>
  writeAdjustmentKey(new KeyUnits(), adjustment).toString()
