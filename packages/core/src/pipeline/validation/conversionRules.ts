/**
 * The rules of an ApplyOfflineConversions record, in the order the service checks them (docs/microsoft-api.md §2, §3):
 * no adjustment type, the click id or an identifier, the goal name, the conversion time, a value of at least 0, a
 * supported currency, attribution credit and model together (0 < credit ≤ 1), then the identifiers hashed. The first
 * rule that fails throws its `Failure`; a record that passes becomes a `PreparedConversion`.
 */
import { intern } from "../../internal/intern.js"
import { LocalCodes, ServiceCodes } from "../codes.js"
import { PreparedConversion } from "../Prepared.js"
import type { SourceRecord } from "../readers/item.js"
import * as Time from "../time.js"
import {
  conversionName,
  conversionTimeCodes,
  currency,
  hashIdentifiers,
  identifiers,
  timeField
} from "./commonRules.js"
import type { ValidationContext } from "./context.js"
import { local, sentText, service, textField } from "./failure.js"
import { numeric, show } from "./fieldValues.js"

/** The rules of a conversion record, in the order the service checks them; throws the first `Failure`. */
export const conversionOf = (record: SourceRecord, context: ValidationContext): PreparedConversion => {
  const adjustmentType = textField(record, "AdjustmentType")
  if (adjustmentType !== undefined) {
    throw local(
      LocalCodes.AdjustmentInApplyRun,
      `A ${show(adjustmentType)} adjustment record: adjustments are sent by an adjust run (uplink adjust).`,
      "AdjustmentType"
    )
  }
  const ids = identifiers(record)
  const name = conversionName(record)
  const time = timeField(record, context, conversionTimeCodes)

  const value = numeric(record.values.ConversionValue)
  if (value === null || (value !== undefined && value < 0)) {
    throw service(ServiceCodes.ValueInvalid, "ConversionValue", "(It must be a number of at least 0.)")
  }

  const currencyCode = currency(record, "ConversionCurrencyCode", ServiceCodes.CurrencyCodeInvalid)

  const credit = numeric(record.values.ExternalAttributionCredit)
  const model = sentText(textField(record, "ExternalAttributionModel"), "ExternalAttributionModel")
  if ((credit === undefined) !== (model === undefined)) {
    throw local(
      LocalCodes.ExternalAttributionRequiredFieldEmpty,
      "ExternalAttributionCredit and ExternalAttributionModel are given together or not at all.",
      credit === undefined ? "ExternalAttributionCredit" : "ExternalAttributionModel"
    )
  }
  if (credit === null || (credit !== undefined && !(credit > 0 && credit <= 1))) {
    throw local(
      LocalCodes.ExternalAttributionCreditValueInvalid,
      "ExternalAttributionCredit must be a number greater than 0 and at most 1.",
      "ExternalAttributionCredit"
    )
  }

  const hashed = hashIdentifiers(record, context, ids)
  return new PreparedConversion(
    record.line,
    record.id,
    hashed.microsoftClickId,
    intern(name),
    time,
    value,
    currencyCode === undefined ? undefined : intern(currencyCode),
    credit,
    model,
    hashed.hashedEmail,
    hashed.hashedPhone,
    Time.canonicalUtcText(record.values.ConversionTime)
  )
}
