/**
 * Validation before anything is sent: every documented rule that needs no server state (docs/microsoft-api.md §2,
 * §3), each mapped to the code the service would return, plus attribution both-or-neither, 0 < credit ≤ 1 and hashed
 * identifiers as 64 lower-case hex. A record that passes becomes a prepared record (`Prepared.ts`: the typed request
 * item on demand; text trimmed, currency upper-cased, times in UTC, raw `Email` / `Phone` normalised and hashed — the
 * raw values go no further). A record that fails becomes an `Invalid` outcome with the first failing rule. The rule
 * lists are `validation/conversionRules.ts` and `validation/adjustmentRules.ts`; the 90-day window and the future
 * check use `nowMs`, read from the Effect Clock by the caller.
 */
import type { Outcome } from "./outcome.js"
import type { Prepared, PreparedAdjustment, PreparedConversion } from "./Prepared.js"
import type { SourceRecord } from "./readers/item.js"
import { adjustmentOf } from "./validation/adjustmentRules.js"
import type { ValidationContext } from "./validation/context.js"
import { conversionOf } from "./validation/conversionRules.js"
import { failed } from "./validation/invalidOutcome.js"

export type { Prepared, PreparedAdjustment, PreparedConversion } from "./Prepared.js"
export { type ValidationContext, WINDOW_MS } from "./validation/context.js"

/** Whether `result` is an outcome (the record failed) rather than a prepared item. */
export const isOutcome = (result: Prepared | Outcome): result is Outcome =>
  result._tag !== "Conversion" && result._tag !== "Adjustment"

/** Checks a record for ApplyOfflineConversions; returns the prepared item or an `Invalid` outcome. */
export const prepareConversion = (record: SourceRecord, context: ValidationContext): PreparedConversion | Outcome => {
  try {
    return conversionOf(record, context)
  } catch (error) {
    return failed(record, context, error)
  }
}

/** Checks a record for ApplyOfflineConversionAdjustments; returns the prepared item or an `Invalid` outcome. */
export const prepareAdjustment = (record: SourceRecord, context: ValidationContext): PreparedAdjustment | Outcome => {
  try {
    return adjustmentOf(record, context)
  } catch (error) {
    return failed(record, context, error)
  }
}
