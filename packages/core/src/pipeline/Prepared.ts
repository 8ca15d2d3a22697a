/**
 * The prepared record: a record that passed validation, ready to be batched, as one small object (its checked and
 * normalised fields). The typed request item (`item`) and what outcomes show (`identity`) are made when asked for —
 * when the batch is sent, when its outcomes are made — so that a record waiting in a batch is one small object rather
 * than five (records wait long enough to outlive young-generation collections, and what they hold then is what makes
 * the old generation grow).
 */
import type * as Schemas from "@uplink/campaign-management/schemas"
import { utcFromMillis } from "@uplink/campaign-management/wire"
import type * as Types from "effect/Types"
import type { Identity } from "./outcome.js"
import * as Time from "./time.js"

/** A valid conversion, ready to be batched: its checked and normalised fields. */
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
