/**
 * What the emulator received: accepted conversions (first instance of each dedupe key), per-key receive counts,
 * adjustments, retractions, and the per-day success/failure counts that GetOfflineConversionReports answers from.
 * Duplicates are ignored as the service ignores them: no error, counted under their key, not accepted twice.
 */
import { AcceptedConversions, type AcceptedRow, type Arrival } from "./AcceptedConversions.js"
import { adjustedConversion, adjustedConversionKey, adjustmentKey, conversionKey } from "./DedupeKey.js"
import { ACCOUNT_CURRENCY_CODE, type Goal } from "./Goals.js"
import type { AdjustmentRecord, ConversionRecord } from "./Records.js"
import { isoMillis, startOfUtcDay } from "./Time.js"

/** How a request reached the emulator. */
export type Transport = "soap" | "rest"

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
  readonly transport: Transport
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
  readonly transport: Transport
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
}

export class Ledger {
  /** Accepted conversions in order of arrival, with their receive counts. */
  #accepted = new AcceptedConversions()
  /** Accepted adjustments by their dedupe key, in order of arrival. */
  #adjustments = new Map<string, HeldAdjustment>()
  #retracted = new Set<string>()
  #uniqueCounted = new Set<string>()
  #daily = new Map<number, { success: number; failure: number }>()

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

  /** Whether the conversion an adjustment refers to was retracted before. */
  isRetracted(record: AdjustmentRecord): boolean {
    return this.#retracted.has(adjustedConversionKey(record))
  }

  /** Takes a valid adjustment; answers whether it was new (an identical adjustment is ignored, only counted). */
  acceptAdjustment(record: AdjustmentRecord, arrival: Arrival): boolean {
    const key = adjustmentKey(record)
    const known = this.#adjustments.get(key)
    if (known !== undefined) {
      known.received++
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
    this.#adjustments.set(key, { conversionsBefore: this.#accepted.size, received: 1, shown })
    return true
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
