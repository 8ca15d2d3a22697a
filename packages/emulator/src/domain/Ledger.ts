/**
 * What the emulator received: accepted conversions (first instance of each dedupe key), per-key receive counts,
 * adjustments, retractions, the per-day success/failure counts that GetOfflineConversionReports answers from, and per
 * goal and day what GetOfflineConversionReportByGoalIds needs (Attribution.ts): the accepted records to attribute, and
 * the repeated receipts, reported as DuplicateConversionKey or ConversionAlreadyRetracted. Duplicates are ignored as
 * the service ignores them: no error, counted under their key, not accepted twice.
 */
import { AcceptedConversions, type AcceptedRow, type Arrival } from "./AcceptedConversions.js"
import {
  type AttributionContext,
  countRecord,
  type GoalDays,
  type UnattributedReason,
  unattributedConversion
} from "./Attribution.js"
import { adjustedConversion, adjustedConversionKey, adjustmentKey, conversionKey } from "./DedupeKey.js"
import { ACCOUNT_CURRENCY_CODE, type Goal } from "./Goals.js"
import type { AdjustmentRecord, ConversionRecord, Protocol } from "./Records.js"
import { isoMillis, startOfUtcDay } from "./Time.js"

/** How a request reached the emulator. */

/** JSON form of a received record: API field names, times as ISO strings. */
type RecordJson<R> = { readonly [K in keyof R]: K extends `${string}Time` ? string | null : R[K] }

const recordJson = <R extends object>(record: R): RecordJson<R> => {
  const out: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(record)) {
    out[field] = field.endsWith("Time") && typeof value === "number" ? isoMillis(value) : value
  }
  return out as RecordJson<R>
}

/** An accepted offline conversion, as `GET /__emulator/state` lists it. */
export type AcceptedConversion = {
  readonly key: string
  readonly transport: Protocol
  readonly receivedAt: string
  readonly goalId: string
  /** Whether the conversion counts for its goal: with CountType Unique only the first conversion after a click does. */
  readonly counted: boolean
  /** ConversionValue, else the goal's revenue value. */
  readonly effectiveValue: number | null
  /** ConversionCurrencyCode, else the goal's currency, else (Account scope) the account's currency. */
  readonly effectiveCurrencyCode: string | null
  /** "Restated" / "Retracted" once an adjustment matched it. */
  readonly adjustedBy: "Restate" | "Retract" | null
} & RecordJson<ConversionRecord>

/**
 * An accepted conversion in its JSON form, made only when the state is read (the key, ISO times, the effective value
 * and currency). Goals are immutable (an update replaces the object), so the goal kept with a conversion is the one it
 * was judged against.
 */
const shownConversion = ({ arrival, goal, record, counted, adjustedBy }: AcceptedRow): AcceptedConversion => ({
  key: conversionKey(record),
  transport: arrival.transport,
  receivedAt: isoMillis(arrival.now),
  goalId: goal.id.toString(),
  counted,
  effectiveValue: record.ConversionValue ?? goal.revenue.value,
  effectiveCurrencyCode:
    record.ConversionCurrencyCode ??
    goal.revenue.currencyCode ??
    (goal.scope === "Account" ? ACCOUNT_CURRENCY_CODE : null),
  adjustedBy,
  ...recordJson(record)
})

/** An accepted adjustment, as `GET /__emulator/state` lists it. */
export type AcceptedAdjustment = {
  readonly key: string
  readonly transport: Protocol
  readonly receivedAt: string
  /** The dedupe key of the conversion it adjusts. */
  readonly conversionKey: string
  /** Whether that conversion had been received (the service reports unmatched ones only as diagnostics). */
  readonly matched: boolean
} & RecordJson<AdjustmentRecord>

/** One day of GetOfflineConversionReports: items received that UTC day without / with a BatchError. */
export interface DailyCount {
  readonly day: number
  readonly success: number
  readonly failure: number
}

/** An accepted adjustment with the number of times its key was received. */
interface HeldAdjustment {
  /** How many conversions had been accepted when it was first received (its place in `receivedCounts`). */
  readonly conversionsBefore: number
  received: number
  readonly shown: AcceptedAdjustment
  readonly record: AdjustmentRecord
  readonly goalId: bigint
  /** UTC day of its first receipt. */
  readonly day: number
}

export class Ledger {
  /** Accepted conversions in order of arrival, with their receive counts. */
  #accepted = new AcceptedConversions()
  /** Accepted adjustments by their dedupe key, in order of arrival. */
  #adjustments = new Map<string, HeldAdjustment>()
  #retracted = new Set<string>()
  #uniqueCounted = new Set<string>()
  #daily = new Map<number, { success: number; failure: number }>()
  /** Repeated receipts per goal and UTC day, with the reason they are unattributed (judged when received). */
  #repeats = new Map<bigint, GoalDays>()

  /** Records a repeated receipt of a conversion or adjustment for the attribution report. */
  #repeated(goalId: bigint, now: number, reason: UnattributedReason): void {
    let days = this.#repeats.get(goalId)
    if (days === undefined) {
      days = new Map()
      this.#repeats.set(goalId, days)
    }
    countRecord(days, startOfUtcDay(now), reason)
  }

  /** Records `n` judged items for the daily report. */
  count(now: number, outcome: "success" | "failure", n = 1): void {
    const day = startOfUtcDay(now)
    const counts = this.#daily.get(day) ?? { success: 0, failure: 0 }
    counts[outcome] += n
    this.#daily.set(day, counts)
  }

  /** Takes a valid conversion; answers whether it was new (a duplicate is ignored, only counted). */
  acceptConversion(record: ConversionRecord, goal: Goal, arrival: Arrival): boolean {
    const known = this.#accepted.claim(record, arrival, goal)
    if (known !== undefined) {
      this.#accepted.receivedAgain(known)
      const retracted = this.#retracted.size > 0 && this.#retracted.has(conversionKey(record))
      this.#repeated(goal.id, arrival.now, retracted ? "ConversionAlreadyRetracted" : "DuplicateConversionKey")
      return false
    }
    if (goal.countType === "Unique" && record.MicrosoftClickId !== null) {
      // A goal id has only digits, so the first ":" ends it: no two (goal, click) pairs share a text.
      const uniqueKey = `${goal.id}:${record.MicrosoftClickId}`
      this.#accepted.setCounted(this.#accepted.size - 1, !this.#uniqueCounted.has(uniqueKey))
      this.#uniqueCounted.add(uniqueKey)
    }
    return true
  }

  /**
   * Whether an adjustment is refused because its conversion was retracted before (5627). The very adjustment received
   * again (a resent batch: the same key) is not: it is a duplicate, ignored like any other and reported as
   * ConversionAlreadyRetracted.
   */
  refusesAsRetracted(record: AdjustmentRecord): boolean {
    return this.#retracted.has(adjustedConversionKey(record)) && !this.#adjustments.has(adjustmentKey(record))
  }

  /** Takes a valid adjustment; answers whether it was new (an identical adjustment is ignored, only counted). */
  acceptAdjustment(record: AdjustmentRecord, goal: Goal, arrival: Arrival): boolean {
    const key = adjustmentKey(record)
    const known = this.#adjustments.get(key)
    if (known !== undefined) {
      known.received++
      const retracted = this.#retracted.has(adjustedConversionKey(record))
      this.#repeated(goal.id, arrival.now, retracted ? "ConversionAlreadyRetracted" : "DuplicateConversionKey")
      return false
    }
    const original = adjustedConversionKey(record)
    const conversion = this.#accepted.find(adjustedConversion(record))
    const type = record.AdjustmentType as "Restate" | "Retract"
    if (conversion !== undefined) this.#accepted.setAdjustedBy(conversion, type)
    if (type === "Retract") this.#retracted.add(original)
    const shown: AcceptedAdjustment = {
      key,
      transport: arrival.transport,
      receivedAt: isoMillis(arrival.now),
      conversionKey: original,
      matched: conversion !== undefined,
      ...recordJson(record)
    }
    this.#adjustments.set(key, {
      conversionsBefore: this.#accepted.size,
      received: 1,
      shown,
      record,
      goalId: goal.id,
      day: startOfUtcDay(arrival.now)
    })
    return true
  }

  /**
   * What GetOfflineConversionReportByGoalIds reports for one goal: every record received for it on the UTC days
   * `fromDay`..`toDay` (inclusive), counted or unattributed with a reason (Attribution.ts), by day.
   */
  goalDays(goalId: bigint, fromDay: number, toDay: number, context: AttributionContext): GoalDays {
    const days: GoalDays = new Map()
    const inRange = (day: number) => day >= fromDay && day <= toDay
    for (let row = 0; row < this.#accepted.size; row++) {
      const { record, arrival, goal } = this.#accepted.row(row)
      const day = startOfUtcDay(arrival.now)
      if (goal.id === goalId && inRange(day)) countRecord(days, day, unattributedConversion(record, goalId, context))
    }
    for (const held of this.#adjustments.values()) {
      if (held.goalId !== goalId || !inRange(held.day)) continue
      const original = this.#accepted.find(adjustedConversion(held.record))
      countRecord(days, held.day, original === undefined ? "AdjustmentOriginalNotFound" : undefined)
    }
    for (const [day, counts] of this.#repeats.get(goalId) ?? []) {
      if (!inRange(day)) continue
      for (const [reason, n] of counts.unattributed) countRecord(days, day, reason, n)
    }
    return days
  }

  accepted(): ReadonlyArray<AcceptedConversion> {
    return Array.from({ length: this.#accepted.size }, (_, row) => shownConversion(this.#accepted.row(row)))
  }

  adjustments(): ReadonlyArray<AcceptedAdjustment> {
    return Array.from(this.#adjustments.values(), (held) => held.shown)
  }

  /** Receive counts by dedupe key, in the order the keys were first received. */
  receivedCounts(): Record<string, number> {
    const entries: Array<readonly [string, number]> = []
    const adjustments = Array.from(this.#adjustments.values())
    let next = 0
    const adjustmentsUpTo = (conversions: number) => {
      for (; next < adjustments.length && adjustments[next]!.conversionsBefore <= conversions; next++) {
        entries.push([adjustments[next]!.shown.key, adjustments[next]!.received])
      }
    }
    for (let row = 0; row < this.#accepted.size; row++) {
      adjustmentsUpTo(row)
      const { record, received } = this.#accepted.row(row)
      entries.push([conversionKey(record), received])
    }
    adjustmentsUpTo(this.#accepted.size)
    return Object.fromEntries(entries)
  }

  /** Days with at least one received item between `from` and `to` (epoch ms, inclusive, by UTC day), oldest first. */
  daily(from: number, to: number): ReadonlyArray<DailyCount> {
    const first = startOfUtcDay(from)
    return [...this.#daily.entries()]
      .filter(([day]) => day >= first && day <= to)
      .sort(([a], [b]) => a - b)
      .map(([day, counts]) => ({ day, ...counts }))
  }
}
