/**
 * What the emulator received: accepted conversions (first instance of each dedupe key), per-key receive counts,
 * adjustments, retractions, and the per-day success/failure counts that GetOfflineConversionReports answers from.
 * Duplicates are ignored as the service ignores them: no error, counted under their key, not accepted twice.
 */
import { adjustedConversionKey, adjustmentKey, conversionKey } from "./DedupeKey.js"
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
 * An accepted conversion as the ledger holds it: the record as received and the instant it arrived. Its JSON form
 * (`AcceptedConversion`, ISO times) is made only when the state is read: formatting three times and copying the record
 * for every item made the ledger the emulator's hot path, and the emulator the bottleneck of every benchmark.
 */
interface HeldConversion {
  readonly key: string
  readonly transport: Transport
  readonly receivedAt: number
  readonly goalId: bigint
  readonly counted: boolean
  readonly effectiveValue: number | null
  readonly effectiveCurrencyCode: string | null
  readonly adjustedBy: "Restate" | "Retract" | null
  readonly record: ConversionRecord
}

const shownConversion = (held: HeldConversion): AcceptedConversion => ({
  key: held.key,
  transport: held.transport,
  receivedAt: isoMillis(held.receivedAt),
  goalId: held.goalId.toString(),
  counted: held.counted,
  effectiveValue: held.effectiveValue,
  effectiveCurrencyCode: held.effectiveCurrencyCode,
  adjustedBy: held.adjustedBy,
  ...recordJson(held.record)
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

export class Ledger {
  #accepted: Array<HeldConversion> = []
  #acceptedIndex = new Map<string, number>()
  #adjustments: Array<AcceptedAdjustment> = []
  #adjustmentKeys = new Set<string>()
  #receivedCounts = new Map<string, number>()
  #retracted = new Set<string>()
  #uniqueCounted = new Set<string>()
  #daily = new Map<number, { success: number; failure: number }>()

  /** Records one judged item for the daily report. */
  count(now: number, outcome: "success" | "failure"): void {
    const day = startOfUtcDay(now)
    const counts = this.#daily.get(day) ?? { success: 0, failure: 0 }
    counts[outcome]++
    this.#daily.set(day, counts)
  }

  #received(key: string): number {
    const n = (this.#receivedCounts.get(key) ?? 0) + 1
    this.#receivedCounts.set(key, n)
    return n
  }

  /** Takes a valid conversion; answers whether it was new (a duplicate is ignored, only counted). */
  acceptConversion(
    record: ConversionRecord,
    goal: Goal,
    context: { readonly transport: Transport; readonly now: number }
  ): boolean {
    const key = conversionKey(record)
    if (this.#received(key) > 1) return false
    let counted = true
    if (goal.countType === "Unique" && record.MicrosoftClickId !== null) {
      const uniqueKey = JSON.stringify([goal.id.toString(), record.MicrosoftClickId])
      counted = !this.#uniqueCounted.has(uniqueKey)
      this.#uniqueCounted.add(uniqueKey)
    }
    this.#acceptedIndex.set(key, this.#accepted.length)
    this.#accepted.push({
      key,
      transport: context.transport,
      receivedAt: context.now,
      goalId: goal.id,
      counted,
      effectiveValue: record.ConversionValue ?? goal.revenue.value,
      effectiveCurrencyCode:
        record.ConversionCurrencyCode ??
        goal.revenue.currencyCode ??
        (goal.scope === "Account" ? ACCOUNT_CURRENCY_CODE : null),
      adjustedBy: null,
      record
    })
    return true
  }

  /** Whether the conversion an adjustment refers to was retracted before. */
  isRetracted(record: AdjustmentRecord): boolean {
    return this.#retracted.has(adjustedConversionKey(record))
  }

  /** Takes a valid adjustment; answers whether it was new (an identical adjustment is ignored, only counted). */
  acceptAdjustment(
    record: AdjustmentRecord,
    context: { readonly transport: Transport; readonly now: number }
  ): boolean {
    const key = adjustmentKey(record)
    this.#received(key)
    if (this.#adjustmentKeys.has(key)) return false
    this.#adjustmentKeys.add(key)
    const original = adjustedConversionKey(record)
    const index = this.#acceptedIndex.get(original)
    const type = record.AdjustmentType as "Restate" | "Retract"
    if (index !== undefined) this.#accepted[index] = { ...this.#accepted[index], adjustedBy: type }
    if (type === "Retract") this.#retracted.add(original)
    this.#adjustments.push({
      key,
      transport: context.transport,
      receivedAt: isoMillis(context.now),
      conversionKey: original,
      matched: index !== undefined,
      ...recordJson(record)
    })
    return true
  }

  accepted(): ReadonlyArray<AcceptedConversion> {
    return this.#accepted.map(shownConversion)
  }

  adjustments(): ReadonlyArray<AcceptedAdjustment> {
    return this.#adjustments
  }

  receivedCounts(): Record<string, number> {
    return Object.fromEntries(this.#receivedCounts)
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
