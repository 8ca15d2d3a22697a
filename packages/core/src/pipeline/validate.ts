/**
 * Validation before anything is sent: every rule of api-facts.md §2.2–§2.3 that needs no server state, each mapped to
 * the code the service would return, plus attribution both-or-neither, 0 < credit ≤ 1 and hashed identifiers as 64
 * lower-case hex. A record that passes becomes the typed request item (`Schemas.OfflineConversion` or
 * `Schemas.OfflineConversionAdjustment`): text trimmed, currency upper-cased, times in UTC, raw `Email` / `Phone`
 * normalised and hashed (the raw values go no further). A record that fails becomes an `Invalid` outcome with the
 * first failing rule, checked in the order below. The 90-day window and the future check use `nowMs`, read from the
 * Effect Clock by the caller.
 */
import type * as Schemas from "@uplink/campaign-management/schemas"
import { uncarriableCharacter, utcFromMillis } from "@uplink/campaign-management/wire"
import type * as Types from "effect/Types"
import { LocalCodes, type ServiceCode, ServiceCodes, currencyCodes } from "./codes.js"
import type { FieldName } from "./columns.js"
import * as Hashing from "./hashing.js"
import { type Identity, Invalid, type Outcome } from "./outcome.js"
import type { SourceRecord } from "./readers/item.js"
import * as Time from "./time.js"

/** What validation needs besides the record. */
export interface ValidationContext {
  /** The current time (ms since the epoch), from the Effect Clock. */
  readonly nowMs: number
  readonly time: Time.TimeContext
  /** Region for phone numbers written without a country code. */
  readonly defaultRegion?: Hashing.CountryCode | undefined
}

/**
 * A valid conversion, ready to be batched: its checked and normalised fields. The typed request item (`item`) and what
 * outcomes show (`identity`) are made when asked for — when the batch is sent, when its outcomes are made — so that a
 * record waiting in a batch is one small object rather than five (records wait long enough to outlive young-generation
 * collections, and what they hold then is what makes the old generation grow).
 */
export class PreparedConversion {
  readonly _tag = "Conversion" as const
  constructor(
    readonly line: number,
    readonly id: string | undefined,
    readonly microsoftClickId: string | undefined,
    readonly conversionName: string,
    /** ConversionTime in ms since the epoch. */
    readonly conversionTimeMs: number,
    readonly conversionValue: number | undefined,
    readonly currencyCode: string | undefined,
    readonly attributionCredit: number | undefined,
    readonly attributionModel: string | undefined,
    readonly hashedEmail: string | undefined,
    readonly hashedPhone: string | undefined,
    /** The input's ConversionTime text when it is already the normalised UTC text (`Time.canonicalUtcText`). */
    readonly conversionTimeText: string | undefined = undefined
  ) {}

  /** The ApplyOfflineConversions item (a new object on every call). */
  get item(): Schemas.OfflineConversion {
    return new ConversionItem(this) as Schemas.OfflineConversion
  }

  /** What outcomes show of the record (the conversion time as normalised UTC text). */
  get identity(): Identity {
    return identityFrom(this.microsoftClickId, this.conversionName, this.conversionTimeMs, this.conversionTimeText)
  }
}

/** A valid adjustment, ready to be batched (like `PreparedConversion`: item and identity made when asked for). */
export class PreparedAdjustment {
  readonly _tag = "Adjustment" as const
  constructor(
    readonly line: number,
    readonly id: string | undefined,
    readonly adjustmentType: "Restate" | "Retract",
    readonly microsoftClickId: string | undefined,
    readonly conversionName: string,
    readonly conversionTimeMs: number,
    readonly adjustmentTimeMs: number,
    readonly adjustmentValue: number | undefined,
    readonly currencyCode: string | undefined,
    readonly hashedEmail: string | undefined,
    readonly hashedPhone: string | undefined,
    /** The input's ConversionTime text when it is already the normalised UTC text (`Time.canonicalUtcText`). */
    readonly conversionTimeText: string | undefined = undefined
  ) {}

  /** The ApplyOfflineConversionAdjustments item (a new object on every call). */
  get item(): Schemas.OfflineConversionAdjustment {
    return new AdjustmentItem(this) as Schemas.OfflineConversionAdjustment
  }

  /** What outcomes show of the record. */
  get identity(): Identity {
    return identityFrom(this.microsoftClickId, this.conversionName, this.conversionTimeMs, this.conversionTimeText)
  }
}

export type Prepared = PreparedConversion | PreparedAdjustment

/*
 * The items are made by constructors that set the properties a record has (absent ones are not set, not undefined):
 * V8 then lays every property out inside the object. An object literal grown property by property reallocated its
 * property store on the way, the largest share of the garbage of sending a batch.
 */

/** An OfflineConversion item: plain data with the fields of the prepared record. */
class ConversionItem {
  constructor(record: PreparedConversion) {
    const item = this as unknown as Types.Mutable<Schemas.OfflineConversion>
    item.ConversionName = record.conversionName
    item.ConversionTime = utcFromMillis(record.conversionTimeMs)
    if (record.currencyCode !== undefined) item.ConversionCurrencyCode = record.currencyCode
    if (record.conversionValue !== undefined) item.ConversionValue = record.conversionValue
    if (record.attributionCredit !== undefined) item.ExternalAttributionCredit = record.attributionCredit
    if (record.attributionModel !== undefined) item.ExternalAttributionModel = record.attributionModel
    if (record.hashedEmail !== undefined) item.HashedEmailAddress = record.hashedEmail
    if (record.hashedPhone !== undefined) item.HashedPhoneNumber = record.hashedPhone
    if (record.microsoftClickId !== undefined) item.MicrosoftClickId = record.microsoftClickId
  }
}

/** An OfflineConversionAdjustment item: plain data with the fields of the prepared record. */
class AdjustmentItem {
  constructor(record: PreparedAdjustment) {
    const item = this as unknown as Types.Mutable<Schemas.OfflineConversionAdjustment>
    item.AdjustmentTime = utcFromMillis(record.adjustmentTimeMs)
    item.AdjustmentType = record.adjustmentType
    item.ConversionName = record.conversionName
    item.ConversionTime = utcFromMillis(record.conversionTimeMs)
    if (record.currencyCode !== undefined) item.AdjustmentCurrencyCode = record.currencyCode
    if (record.adjustmentValue !== undefined) item.AdjustmentValue = record.adjustmentValue
    if (record.hashedEmail !== undefined) item.HashedEmailAddress = record.hashedEmail
    if (record.hashedPhone !== undefined) item.HashedPhoneNumber = record.hashedPhone
    if (record.microsoftClickId !== undefined) item.MicrosoftClickId = record.microsoftClickId
  }
}

/** What outcomes show of a prepared record (made by a constructor, not a literal: see readers/item.ts). */
class RecordIdentity implements Identity {
  constructor(
    readonly microsoftClickId: string | null,
    readonly conversionName: string | null,
    readonly conversionTime: string | null
  ) {}
}

const identityFrom = (
  microsoftClickId: string | undefined,
  conversionName: string,
  conversionTimeMs: number,
  conversionTimeText: string | undefined
): Identity =>
  new RecordIdentity(microsoftClickId ?? null, conversionName, conversionTimeText ?? Time.formatUtc(conversionTimeMs))

/**
 * One copy of each goal name and currency code: every record of a file repeats the same few, and each record's own
 * copy would otherwise wait in its batch with it. Bounded, so arbitrary text cannot grow it without limit.
 */
const interned = new Map<string, string>()
const INTERN_LIMIT = 4096
const intern = (text: string): string => {
  const known = interned.get(text)
  if (known !== undefined) return known
  if (interned.size < INTERN_LIMIT) interned.set(text, text)
  return text
}

/** The service's window for conversion and adjustment times: the last 90 days. */
export const WINDOW_MS = 90 * 24 * 60 * 60 * 1000

// ===== Reading field values =====

/** A value of the wrong JSON type (an object where text is expected). */
const WRONG_TYPE = Symbol("WrongType")

const text = (value: unknown): string | undefined | typeof WRONG_TYPE => {
  if (value === undefined || value === null) return undefined
  if (typeof value === "string") {
    const trimmed = value.trim()
    return trimmed === "" ? undefined : trimmed
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value)
  return WRONG_TYPE
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/

/** A finite number from a JSON number or decimal text; `null` when it is not one. */
const numberOf = (value: string | number): number | null => {
  if (typeof value === "number") return Number.isFinite(value) ? value : null
  if (!DECIMAL.test(value)) return null
  const parsed = Number(value)
  return Number.isFinite(parsed) ? parsed : null
}

const numeric = (value: unknown): number | undefined | null => {
  if (typeof value === "number") return numberOf(value)
  const t = text(value)
  if (t === WRONG_TYPE) return null
  return t === undefined ? undefined : numberOf(t)
}

const show = (value: string): string => JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value)

// ===== Failures =====

class Failure {
  constructor(
    readonly code: number | null,
    readonly errorCode: string,
    readonly message: string,
    readonly field: FieldName | null
  ) {}
}

const service = (entry: ServiceCode, field: FieldName, detail?: string): Failure =>
  new Failure(entry.code, entry.errorCode, detail === undefined ? entry.message : `${entry.message} ${detail}`, field)

const local = (errorCode: string, message: string, field: FieldName | null): Failure =>
  new Failure(null, errorCode, message, field)

const wrongType = (field: FieldName): Failure =>
  local(LocalCodes.FieldTypeInvalid, `${field} must be text or a number, not a JSON object or array.`, field)

/** Reads a text field; a wrong JSON type fails with `onWrongType` (default FieldTypeInvalid). */
const textField = (record: SourceRecord, field: FieldName, onWrongType?: Failure): string | undefined => {
  const value = text(record.values[field])
  if (value === WRONG_TYPE) throw onWrongType ?? wrongType(field)
  return value
}

/**
 * A text value that is sent to Microsoft as it is (click id, goal name, attribution model): it must hold only
 * characters both transports can carry. XML 1.0 cannot carry C0 controls other than TAB/LF/CR, unpaired surrogates,
 * U+FFFE or U+FFFF; JSON could escape them, but the same record must get the same outcome on either transport, and no
 * click id or goal name at Microsoft holds such a character. So the record is invalid here, with its field named, and
 * never reaches a batch where it would fail every other record of the request.
 */
const sentText = <A extends string | undefined>(value: A, field: FieldName): A => {
  if (value === undefined) return value
  const bad = uncarriableCharacter(value)
  if (bad === undefined) return value
  throw local(
    LocalCodes.UnsupportedCharacter,
    `${field} contains the ${bad.kind} ${bad.character} at position ${bad.offset + 1}, which cannot be sent to ` +
      "Microsoft; remove it from the value.",
    field
  )
}

// ===== Shared rules =====

interface Identifiers {
  readonly microsoftClickId: string | undefined
  hashedEmail: string | undefined
  hashedPhone: string | undefined
}

/** The click id and the identifiers given hashed; fails 5603 when there is neither a click id nor any identifier. */
const identifiers = (record: SourceRecord): Identifiers => {
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
const hashIdentifiers = (record: SourceRecord, context: ValidationContext, ids: Identifiers): Identifiers => {
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

const conversionName = (record: SourceRecord): string => {
  const name = textField(record, "ConversionName", nameMissing)
  if (name === undefined) throw nameMissing
  return sentText(name, "ConversionName")
}

interface TimeCodes {
  readonly field: FieldName
  readonly missing: ServiceCode
  readonly invalid: ServiceCode
  readonly outOfWindow: ServiceCode
  readonly future: ServiceCode
  /** The failure for a value that is not text (a JSON object or array). */
  readonly notText: Failure
}

const conversionTimeCodes: TimeCodes = {
  field: "ConversionTime",
  missing: ServiceCodes.TimeNullOrEmpty,
  invalid: ServiceCodes.TimeInvalid,
  outOfWindow: ServiceCodes.TimeOutOfWindow,
  future: ServiceCodes.FutureConversionTime,
  notText: service(ServiceCodes.TimeInvalid, "ConversionTime", "(It must be text.)")
}

const adjustmentTimeCodes: TimeCodes = {
  field: "AdjustmentTime",
  missing: ServiceCodes.AdjustmentTimeNullOrEmpty,
  invalid: ServiceCodes.AdjustmentTimeInvalid,
  outOfWindow: ServiceCodes.AdjustmentTimeOutOfWindow,
  future: ServiceCodes.FutureAdjustmentTime,
  notText: service(ServiceCodes.AdjustmentTimeInvalid, "AdjustmentTime", "(It must be text.)")
}

/** The time in `codes.field` (ms since the epoch): present, parseable, within the last 90 days and not in the future. */
const timeField = (record: SourceRecord, context: ValidationContext, codes: TimeCodes): number => {
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

const currency = (
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
  Invalid({
    line: record.line,
    id: record.id,
    identity: identityOfInvalid(record, context),
    code: failure.code,
    errorCode: failure.errorCode,
    message: failure.message,
    field: failure.field
  })

/** What a rule's exception becomes: an `Invalid` outcome for a `Failure`; anything else is a defect, rethrown. */
const failed = (record: SourceRecord, context: ValidationContext, error: unknown): Outcome => {
  if (error instanceof Failure) return invalid(record, context, error)
  throw error
}

/** Whether `result` is an outcome (the record failed) rather than a prepared item. */
export const isOutcome = (result: Prepared | Outcome): result is Outcome =>
  result._tag !== "Conversion" && result._tag !== "Adjustment"

// ===== Conversions =====

/** Checks a record for ApplyOfflineConversions; returns the prepared item or an `Invalid` outcome. */
export const prepareConversion = (record: SourceRecord, context: ValidationContext): PreparedConversion | Outcome => {
  try {
    return conversionOf(record, context)
  } catch (error) {
    return failed(record, context, error)
  }
}

/** The rules of a conversion record, in the order the service checks them; throws the first `Failure`. */
const conversionOf = (record: SourceRecord, context: ValidationContext): PreparedConversion => {
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

// ===== Adjustments =====

const adjustmentTypes: Record<string, "Restate" | "Retract"> = { restate: "Restate", retract: "Retract" }

const adjustmentTypeNotText = service(ServiceCodes.InvalidAdjustmentType, "AdjustmentType")

/** Checks a record for ApplyOfflineConversionAdjustments; returns the prepared item or an `Invalid` outcome. */
export const prepareAdjustment = (record: SourceRecord, context: ValidationContext): PreparedAdjustment | Outcome => {
  try {
    return adjustmentOf(record, context)
  } catch (error) {
    return failed(record, context, error)
  }
}

/** The rules of an adjustment record, in the order the service checks them; throws the first `Failure`. */
const adjustmentOf = (record: SourceRecord, context: ValidationContext): PreparedAdjustment => {
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
