/**
 * The rules of an ApplyOfflineConversionAdjustments record, in the order the service checks them
 * (docs/microsoft-api.md §2, §3): the adjustment type (Restate or Retract), the click id or an identifier, the goal
 * name, the conversion and adjustment times (the adjustment not earlier), then the value and currency a Restate needs
 * and a Retract must not have, then the identifiers hashed. The first rule that fails throws its `Failure`; a record
 * that passes becomes a `PreparedAdjustment`.
 */
import { intern } from "../../internal/intern.js"
import { ServiceCodes } from "../codes.js"
import { PreparedAdjustment } from "../Prepared.js"
import type { SourceRecord } from "../readers/item.js"
import * as Time from "../time.js"
import {
  adjustmentTimeCodes,
  conversionName,
  conversionTimeCodes,
  currency,
  hashIdentifiers,
  identifiers,
  timeField
} from "./commonRules.js"
import type { ValidationContext } from "./context.js"
import { service, textField } from "./failure.js"
import { numeric, show } from "./fieldValues.js"

const adjustmentTypes: Record<string, "Restate" | "Retract"> = { restate: "Restate", retract: "Retract" }

const adjustmentTypeNotText = service(ServiceCodes.InvalidAdjustmentType, "AdjustmentType")

/** The rules of an adjustment record, in the order the service checks them; throws the first `Failure`. */
export const adjustmentOf = (record: SourceRecord, context: ValidationContext): PreparedAdjustment => {
  const rawType = textField(record, "AdjustmentType", adjustmentTypeNotText)
  const adjustmentType = rawType === undefined ? undefined : adjustmentTypes[rawType.toLowerCase()]
  if (adjustmentType === undefined) {
    throw service(
      ServiceCodes.InvalidAdjustmentType,
      "AdjustmentType",
      rawType === undefined ? "(It is required: Restate or Retract.)" : `(${show(rawType)}: use Restate or Retract.)`
    )
  }
  const ids = identifiers(record)
  const name = conversionName(record)
  const conversionTimeMs = timeField(record, context, conversionTimeCodes)
  const adjustmentTimeMs = timeField(record, context, adjustmentTimeCodes)
  if (adjustmentTimeMs < conversionTimeMs)
    throw service(ServiceCodes.AdjustmentTimeEarlierThanConversionTime, "AdjustmentTime")

  const value = numeric(record.values.AdjustmentValue)
  let currencyCode: string | undefined
  if (adjustmentType === "Retract") {
    if (value !== undefined) {
      throw service(ServiceCodes.AdjustmentValueNotExpected, "AdjustmentValue", "(A Retract takes no value.)")
    }
  } else {
    if (value === undefined) {
      throw service(ServiceCodes.AdjustmentValueRequired, "AdjustmentValue", "(A Restate needs the new value.)")
    }
    if (value === null || value < 0) {
      throw service(ServiceCodes.ValueInvalid, "AdjustmentValue", "(It must be a number of at least 0.)")
    }
    currencyCode = currency(record, "AdjustmentCurrencyCode", ServiceCodes.CurrencyCodeInvalid)
    if (currencyCode === undefined) throw service(ServiceCodes.CurrencyValueRequired, "AdjustmentCurrencyCode")
  }

  const hashed = hashIdentifiers(record, context, ids)
  return new PreparedAdjustment(
    record.line,
    record.id,
    adjustmentType,
    hashed.microsoftClickId,
    intern(name),
    conversionTimeMs,
    adjustmentTimeMs,
    adjustmentType === "Restate" && typeof value === "number" ? value : undefined,
    currencyCode === undefined ? undefined : intern(currencyCode),
    hashed.hashedEmail,
    hashed.hashedPhone,
    Time.canonicalUtcText(record.values.ConversionTime)
  )
}
