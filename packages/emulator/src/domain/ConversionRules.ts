/**
 * The per-item rules of ApplyOfflineConversions and ApplyOfflineConversionAdjustments that a service holding the goals
 * and the clicks can judge (docs/microsoft-api.md §2, §3): required fields, the 90-day window, no future times,
 * value and currency, the goal (exists, two hours old), the click (well-formed; when known, earlier than the conversion
 * and within the goal's conversion window), and the adjustment rules 5618–5627. Pure: a verdict from a record, a
 * "now", and lookups. Acceptance is not attribution: a well-formed click id the emulator does not know is accepted
 * (Microsoft matches clicks after the upload) and reported unattributed by GetOfflineConversionReportByGoalIds
 * (Attribution.ts), as is a conversion for a paused goal.
 *
 * Not judged, because no numeric code is documented for them (they surface only as report diagnostics): external
 * attribution eligibility and credit range, hashed identifiers that are not SHA-256 hex, enhanced-conversion
 * eligibility. An unparsable time never reaches these rules: the wire decoder refuses the request (as WCF would).
 */
import { isWellFormedClickId } from "./Clicks.js"
import { isCurrencyCode } from "./Currencies.js"
import type { KnownCode } from "./ErrorCatalog.js"
import type { Goal } from "./Goals.js"
import { type AdjustmentRecord, type ConversionRecord, isBlank } from "./Records.js"
import { GOAL_WARMUP_MS, LOOKBACK_MS, MINUTE_MS } from "./Time.js"

/** What the rules need to know besides the record. */
export interface RuleContext {
  readonly now: number
  readonly goalByName: (name: string) => Goal | undefined
  readonly clickTime: (clickId: string, conversionTime: number) => number | undefined
}

/** A rule's answer: rejected with a code and the field it concerns, or valid with what the rules looked up. */
export type Verdict =
  | { readonly _tag: "Rejected"; readonly code: KnownCode; readonly fieldPath?: string | undefined }
  | { readonly _tag: "Valid"; readonly goal: Goal; readonly clickTime: number | null }

const reject = (code: KnownCode, fieldPath?: string): Verdict => ({ _tag: "Rejected", code, fieldPath })

/** The shared identification part of a conversion and of an adjustment's original conversion. */
interface Identified {
  readonly ConversionName: string | null
  readonly ConversionTime: number | null
  readonly HashedEmailAddress: string | null
  readonly HashedPhoneNumber: string | null
  readonly MicrosoftClickId: string | null
}

/** Required fields, then the time window; answers the first broken rule. */
const checkIdentification = (record: Identified, now: number): Verdict | number => {
  if (isBlank(record.ConversionName)) return reject(5605, "ConversionName")
  if (record.ConversionTime === null) return reject(5608, "ConversionTime")
  if (isBlank(record.MicrosoftClickId) && isBlank(record.HashedEmailAddress) && isBlank(record.HashedPhoneNumber)) {
    return reject(5603, "MicrosoftClickId")
  }
  if (record.ConversionTime > now) return reject(5614, "ConversionTime")
  if (record.ConversionTime < now - LOOKBACK_MS) return reject(5609, "ConversionTime")
  return record.ConversionTime
}

/** The goal and click rules, once the record's own fields are fine. */
const checkGoalAndClick = (record: Identified, conversionTime: number, context: RuleContext): Verdict => {
  const goal = context.goalByName(record.ConversionName as string)
  if (goal === undefined) return reject(5606, "ConversionName")
  if (context.now - goal.createdAt < GOAL_WARMUP_MS) return reject(5615, "ConversionName")
  if (isBlank(record.MicrosoftClickId)) return { _tag: "Valid", goal, clickTime: null }
  const clickTime = context.clickTime(record.MicrosoftClickId, conversionTime)
  if (clickTime === undefined) {
    // Unknown now is not invalid: a well-formed click id is accepted and matched (or not) when attribution runs.
    if (isWellFormedClickId(record.MicrosoftClickId)) return { _tag: "Valid", goal, clickTime: null }
    return reject(5604, "MicrosoftClickId")
  }
  if (conversionTime <= clickTime) return reject(5616, "ConversionTime")
  if (conversionTime - clickTime > goal.conversionWindowInMinutes * MINUTE_MS) return reject(5617, "ConversionTime")
  return { _tag: "Valid", goal, clickTime }
}

/** ApplyOfflineConversions: the verdict for one item (null items are 5602). */
export const checkConversion = (record: ConversionRecord | null, context: RuleContext): Verdict => {
  if (record === null) return reject(5602)
  const time = checkIdentification(record, context.now)
  if (typeof time !== "number") return time
  if (record.ConversionCurrencyCode !== null && !isCurrencyCode(record.ConversionCurrencyCode)) {
    return reject(5611, "ConversionCurrencyCode")
  }
  if (record.ConversionValue !== null && (!Number.isFinite(record.ConversionValue) || record.ConversionValue < 0)) {
    return reject(5610, "ConversionValue")
  }
  return checkGoalAndClick(record, time, context)
}

/** The adjustment types the service documents. */
export const ADJUSTMENT_TYPES = ["Restate", "Retract"] as const

/**
 * ApplyOfflineConversionAdjustments: the verdict for one item. `alreadyRetracted` tells whether the original
 * conversion was retracted before by another adjustment: a second adjustment of a retracted conversion is not
 * supported (5627); the same adjustment sent again is a duplicate (the ledger ignores it).
 */
export const checkAdjustment = (
  record: AdjustmentRecord | null,
  context: RuleContext,
  alreadyRetracted: (record: AdjustmentRecord) => boolean
): Verdict => {
  if (record === null) return reject(5602)
  const type = record.AdjustmentType
  if (type !== "Restate" && type !== "Retract") return reject(5618, "AdjustmentType")
  const time = checkIdentification(record, context.now)
  if (typeof time !== "number") return time
  const adjustmentTime = record.AdjustmentTime
  if (adjustmentTime === null) return reject(5619, "AdjustmentTime")
  if (adjustmentTime > context.now) return reject(5622, "AdjustmentTime")
  if (adjustmentTime < context.now - LOOKBACK_MS) return reject(5623, "AdjustmentTime")
  if (adjustmentTime < time) return reject(5620, "AdjustmentTime")
  if (type === "Retract" && record.AdjustmentValue !== null) return reject(5624, "AdjustmentValue")
  if (type === "Restate") {
    if (record.AdjustmentValue === null) return reject(5625, "AdjustmentValue")
    if (!Number.isFinite(record.AdjustmentValue) || record.AdjustmentValue < 0) return reject(5610, "AdjustmentValue")
    if (record.AdjustmentCurrencyCode !== null && !isCurrencyCode(record.AdjustmentCurrencyCode)) {
      return reject(5611, "AdjustmentCurrencyCode")
    }
  }
  const verdict = checkGoalAndClick(record, time, context)
  if (verdict._tag === "Rejected") return verdict
  if (type === "Restate" && record.AdjustmentCurrencyCode === null && verdict.goal.revenue.currencyCode === null) {
    return reject(5626, "AdjustmentCurrencyCode")
  }
  if (alreadyRetracted(record)) return reject(5627, "AdjustmentType")
  return verdict
}
