/**
 * The `Invalid` outcome of a record that failed a rule, or could not be read as a record: what outcomes show of it
 * (its click id, goal name and conversion time — normalised to UTC when the time parses — never an identifier).
 */
import { type Identity, Outcome } from "../outcome.js"
import type { SourceRecord } from "../readers/item.js"
import * as Time from "../time.js"
import type { ValidationContext } from "./context.js"
import { Failure } from "./failure.js"
import { text } from "./fieldValues.js"

/** What outcomes show of a record; `conversionTime` is the normalised UTC text when the time parsed. */
const identityOf = (record: SourceRecord, conversionTime: string | undefined): Identity => {
  const click = text(record.values.MicrosoftClickId)
  const name = text(record.values.ConversionName)
  const time = text(record.values.ConversionTime)
  return {
    microsoftClickId: typeof click === "string" ? click : null,
    conversionName: typeof name === "string" ? name : null,
    conversionTime: conversionTime ?? (typeof time === "string" ? time : null)
  }
}

/** The identity of a record that did not pass, with its time normalised when it parses. */
const identityOfInvalid = (record: SourceRecord, context: ValidationContext): Identity => {
  const time = text(record.values.ConversionTime)
  const parsed = typeof time === "string" ? Time.parse(time, context.time) : undefined
  return identityOf(record, parsed?.ok === true ? Time.formatUtc(parsed.epochMs) : undefined)
}

const invalid = (record: SourceRecord, context: ValidationContext, failure: Failure): Outcome =>
  Outcome.Invalid({
    line: record.line,
    id: record.id,
    identity: identityOfInvalid(record, context),
    code: failure.code,
    errorCode: failure.errorCode,
    message: failure.message,
    field: failure.field
  })

/** What a rule's exception becomes: an `Invalid` outcome for a `Failure`; anything else is a defect, rethrown. */
export const failed = (record: SourceRecord, context: ValidationContext, error: unknown): Outcome => {
  if (error instanceof Failure) return invalid(record, context, error)
  throw error
}
