/**
 * The rules conversions and adjustments share, each throwing the `Failure` the service would answer with: the click id
 * or an identifier (5603), hashed identifiers (64 lower-case hex) or raw ones (normalised and hashed here: the raw
 * values go no further), the goal name (5605), a time field (present, parseable, within the last 90 days, not in the
 * future) and a currency (ISO 4217, as the service accepts them).
 */
import { type ServiceCode, LocalCodes, ServiceCodes, currencyCodes } from "../codes.js"
import type { FieldName } from "../columns.js"
import * as Hashing from "../hashing.js"
import type { SourceRecord } from "../readers/item.js"
import * as Time from "../time.js"
import { type ValidationContext, WINDOW_MS } from "./context.js"
import { type Failure, local, sentText, service, textField } from "./failure.js"
import { show } from "./fieldValues.js"

/** The identifiers of a record: the click id, and the email and phone hashes (given, or made from raw values). */
export interface Identifiers {
  readonly microsoftClickId: string | undefined
  hashedEmail: string | undefined
  hashedPhone: string | undefined
}

/** The click id and the identifiers given hashed; fails 5603 when there is neither a click id nor any identifier. */
export const identifiers = (record: SourceRecord): Identifiers => {
  const microsoftClickId = sentText(textField(record, "MicrosoftClickId"), "MicrosoftClickId")
  const hashedEmailGiven = textField(record, "HashedEmailAddress")
  const hashedPhoneGiven = textField(record, "HashedPhoneNumber")
  const rawEmail = textField(record, "Email")
  const rawPhone = textField(record, "Phone")
  if (microsoftClickId === undefined && !hashedEmailGiven && !hashedPhoneGiven && !rawEmail && !rawPhone) {
    throw service(
      ServiceCodes.MicrosoftClickIdNullOrEmpty,
      "MicrosoftClickId",
      "(It may be left out only with a hashed email address or phone number.)"
    )
  }
  return { microsoftClickId, hashedEmail: hashedEmailGiven, hashedPhone: hashedPhoneGiven }
}

/**
 * Hashed identifiers: given hashed (must be 64 lower-case hex) or raw (normalised and hashed here). Fills in `ids`
 * itself and returns it (one object per record rather than two).
 */
export const hashIdentifiers = (record: SourceRecord, context: ValidationContext, ids: Identifiers): Identifiers => {
  const rawEmail = textField(record, "Email")
  const rawPhone = textField(record, "Phone")
  const { hashedEmail, hashedPhone } = ids
  if (hashedEmail !== undefined && rawEmail !== undefined) {
    throw local(
      LocalCodes.ConflictingIdentifiers,
      "Both Email and HashedEmailAddress are given; give one of them.",
      "HashedEmailAddress"
    )
  }
  if (hashedPhone !== undefined && rawPhone !== undefined) {
    throw local(
      LocalCodes.ConflictingIdentifiers,
      "Both Phone and HashedPhoneNumber are given; give one of them.",
      "HashedPhoneNumber"
    )
  }
  if (hashedEmail !== undefined && !Hashing.isSha256Hex(hashedEmail)) {
    throw local(
      LocalCodes.EmailAddressIsNotHashed,
      "HashedEmailAddress must be a SHA-256 digest: 64 lower-case hex digits (put raw addresses in an Email column).",
      "HashedEmailAddress"
    )
  }
  if (hashedPhone !== undefined && !Hashing.isSha256Hex(hashedPhone)) {
    throw local(
      LocalCodes.PhoneNumberIsNotHashed,
      "HashedPhoneNumber must be a SHA-256 digest: 64 lower-case hex digits (put raw numbers in a Phone column).",
      "HashedPhoneNumber"
    )
  }
  if (rawEmail !== undefined) {
    ids.hashedEmail = Hashing.hashEmail(rawEmail)
    if (ids.hashedEmail === undefined) {
      throw local(LocalCodes.EmailAddressInvalid, "The Email value is not an email address.", "Email")
    }
  }
  if (rawPhone !== undefined) {
    ids.hashedPhone = Hashing.hashPhone(rawPhone, context.defaultRegion)
    if (ids.hashedPhone === undefined) {
      const region =
        context.defaultRegion === undefined
          ? "(no default region is configured, so it needs a +country code)"
          : `for default region ${context.defaultRegion}`
      throw local(LocalCodes.PhoneNumberInvalid, `The Phone value is not a valid phone number ${region}.`, "Phone")
    }
  }
  return ids
}

// Failures that carry nothing of the record are made once (not per record: this is the hot path of large files).
const nameMissing = service(ServiceCodes.NameNullOrEmpty, "ConversionName")

export const conversionName = (record: SourceRecord): string => {
  const name = textField(record, "ConversionName", nameMissing)
  if (name === undefined) throw nameMissing
  return sentText(name, "ConversionName")
}

/** The codes of one time field's rules. */
export interface TimeCodes {
  readonly field: FieldName
  readonly missing: ServiceCode
  readonly invalid: ServiceCode
  readonly outOfWindow: ServiceCode
  readonly future: ServiceCode
  /** The failure for a value that is not text (a JSON object or array). */
  readonly notText: Failure
}

export const conversionTimeCodes: TimeCodes = {
  field: "ConversionTime",
  missing: ServiceCodes.TimeNullOrEmpty,
  invalid: ServiceCodes.TimeInvalid,
  outOfWindow: ServiceCodes.TimeOutOfWindow,
  future: ServiceCodes.FutureConversionTime,
  notText: service(ServiceCodes.TimeInvalid, "ConversionTime", "(It must be text.)")
}

export const adjustmentTimeCodes: TimeCodes = {
  field: "AdjustmentTime",
  missing: ServiceCodes.AdjustmentTimeNullOrEmpty,
  invalid: ServiceCodes.AdjustmentTimeInvalid,
  outOfWindow: ServiceCodes.AdjustmentTimeOutOfWindow,
  future: ServiceCodes.FutureAdjustmentTime,
  notText: service(ServiceCodes.AdjustmentTimeInvalid, "AdjustmentTime", "(It must be text.)")
}

/** The time in `codes.field` (ms since the epoch): present, parseable, within the last 90 days and not in the future. */
export const timeField = (record: SourceRecord, context: ValidationContext, codes: TimeCodes): number => {
  const raw = textField(record, codes.field, codes.notText)
  if (raw === undefined) throw service(codes.missing, codes.field)
  const parsed = Time.parse(raw, context.time)
  if (!parsed.ok) throw service(codes.invalid, codes.field, `(${show(raw)}: ${parsed.reason}.)`)
  if (parsed.epochMs > context.nowMs) {
    throw service(
      codes.future,
      codes.field,
      `(${Time.formatUtc(parsed.epochMs)} is after ${Time.formatUtc(context.nowMs)}.)`
    )
  }
  if (parsed.epochMs < context.nowMs - WINDOW_MS) {
    throw service(codes.outOfWindow, codes.field, `(${Time.formatUtc(parsed.epochMs)} is more than 90 days ago.)`)
  }
  return parsed.epochMs
}

const currencyNotText: { readonly [field: string]: Failure } = {
  ConversionCurrencyCode: service(ServiceCodes.CurrencyCodeInvalid, "ConversionCurrencyCode"),
  AdjustmentCurrencyCode: service(ServiceCodes.CurrencyCodeInvalid, "AdjustmentCurrencyCode")
}

export const currency = (
  record: SourceRecord,
  field: "ConversionCurrencyCode" | "AdjustmentCurrencyCode",
  code: ServiceCode
): string | undefined => {
  const raw = textField(record, field, currencyNotText[field])
  if (raw === undefined) return undefined
  // Already upper case (nearly always): no new string per record.
  const upper = currencyCodes.has(raw) ? raw : raw.toUpperCase()
  if (!currencyCodes.has(upper)) throw service(code, field, `(${show(raw)} is not a supported ISO 4217 code.)`)
  return upper
}
