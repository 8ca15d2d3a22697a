/**
 * Attribution, the emulator's model behind GetOfflineConversionReportByGoalIds: acceptance is not attribution. The
 * apply-time rules (ConversionRules.ts) refuse with a documented 56xx code only what can be judged when a record
 * arrives; a record they accept may still never count for its goal, and only the report says why.
 *
 * - Judged when the report is asked, against the goals and clicks known then, for the first receipt of each accepted
 *   conversion: the goal is no longer Active (paused, deleted) → `GoalNotFoundOrInactive`; a click id the emulator does
 *   not know (well-formed, so accepted) → `NoMatchingClickFound`; a click registered later at or after the conversion
 *   time → `ClickTimestampAfterConversion`; or longer before it than the goal's window → `OutsideGoalLookbackWindow`.
 *   Otherwise it counts (success). A conversion identified by hashes only counts (no identity matching is emulated).
 * - First receipt of an accepted adjustment: its original conversion received (now) → success, else
 *   `AdjustmentOriginalNotFound`.
 * - Judged when received: a repeated conversion or adjustment (the dedupe key again) is accepted without an error and
 *   reported `DuplicateConversionKey`, or `ConversionAlreadyRetracted` when that conversion was retracted before (a
 *   repeated Retract included).
 *
 * Everything is counted per goal and UTC upload day. Pure: verdicts from records, lookups and counts.
 */
import type * as Schemas from "@uplink/campaign-management/schemas"
import * as DateTime from "effect/DateTime"
import type { Goal } from "./Goals.js"
import type { ConversionRecord } from "./Records.js"
import { MINUTE_MS } from "./Time.js"

export type UnattributedReason = Schemas.OfflineConversionUnattributedReason

/** What attribution looks up when the report is asked. */
export interface AttributionContext {
  /** The goal as it is now (a goal's id never changes; its status may). */
  readonly goalById: (id: bigint) => Goal | undefined
  /** The click time the emulator knows now for a click id, or undefined. */
  readonly clickTime: (clickId: string, conversionTime: number) => number | undefined
}

/** Why the first receipt of an accepted conversion does not count for its goal now; undefined when it counts. */
export const unattributedConversion = (
  record: ConversionRecord,
  goalId: bigint,
  context: AttributionContext
): UnattributedReason | undefined => {
  const goal = context.goalById(goalId)
  if (goal === undefined || goal.status !== "Active") return "GoalNotFoundOrInactive"
  const clickId = record.MicrosoftClickId
  if (clickId === null || clickId.trim() === "" || record.ConversionTime === null) return undefined
  const conversionTime = record.ConversionTime
  const clickTime = context.clickTime(clickId, conversionTime)
  if (clickTime === undefined) return "NoMatchingClickFound"
  if (conversionTime <= clickTime) return "ClickTimestampAfterConversion"
  if (conversionTime - clickTime > goal.conversionWindowInMinutes * MINUTE_MS) return "OutsideGoalLookbackWindow"
  return undefined
}

/** The counts of one goal on one UTC upload day. */
export interface GoalDay {
  success: number
  readonly unattributed: Map<UnattributedReason, number>
}

/** The days of one goal, by UTC day (epoch ms of midnight). */
export type GoalDays = Map<number, GoalDay>

/** Adds `n` records to a goal's day: counted, or unattributed for `reason`. */
export const countRecord = (days: GoalDays, day: number, reason: UnattributedReason | undefined, n = 1): void => {
  let counts = days.get(day)
  if (counts === undefined) {
    counts = { success: 0, unattributed: new Map() }
    days.set(day, counts)
  }
  if (reason === undefined) counts.success += n
  else counts.unattributed.set(reason, (counts.unattributed.get(reason) ?? 0) + n)
}

/** The reasons in the order of Microsoft's enumeration (ties between equal counts keep this order). */
const REASON_ORDER: ReadonlyArray<UnattributedReason> = [
  "Unknown",
  "AdjustmentOriginalNotFound",
  "ConversionAlreadyRetracted",
  "DuplicateConversionKey",
  "ConversionTimeExceedsMaxLookback",
  "ConversionTimeInFuture",
  "GoalNotFoundOrInactive",
  "ClickTimestampAfterConversion",
  "NoMatchingClickFound",
  "MissingMatchIdentifiers",
  "OutsideGoalLookbackWindow",
  "AccountMismatch",
  "MalformedData",
  "HistoricalClickDataExpired"
]

const alerts = (reasons: ReadonlyMap<UnattributedReason, number>): Array<Schemas.OfflineConversionAlert> =>
  [...reasons]
    .sort(([a, m], [b, n]) => n - m || REASON_ORDER.indexOf(a) - REASON_ORDER.indexOf(b))
    .map(([reason, count]) => ({ UnattributedReason: reason, Count: BigInt(count) }))

const sum = (reasons: ReadonlyMap<UnattributedReason, number>): number => {
  let total = 0
  for (const n of reasons.values()) total += n
  return total
}

/** success / (success + unattributed), a fraction with four decimals; 0 when nothing was received. */
export const successRate = (success: number, unattributed: number): number =>
  success + unattributed === 0 ? 0 : Math.round((success / (success + unattributed)) * 10_000) / 10_000

/** The report entry of one goal from its days (oldest first in DailySummaries; days without records are left out). */
export const goalSummary = (goal: Goal, days: GoalDays): Schemas.OfflineGoalConversionSummary => {
  const overall = new Map<UnattributedReason, number>()
  let success = 0
  const daily = [...days.entries()]
    .sort(([a], [b]) => a - b)
    .map(([day, counts]): Schemas.OfflineGoalDailySummary => {
      success += counts.success
      for (const [reason, n] of counts.unattributed) overall.set(reason, (overall.get(reason) ?? 0) + n)
      const unattributed = sum(counts.unattributed)
      return {
        GoalId: goal.id,
        UploadDate: DateTime.unsafeMake(day) as DateTime.Utc,
        SuccessCount: counts.success,
        UnattributedCount: unattributed,
        SuccessRate: successRate(counts.success, unattributed),
        Alerts: alerts(counts.unattributed)
      }
    })
  const unattributed = sum(overall)
  return {
    GoalId: goal.id,
    ConversionName: goal.name,
    OverallSuccessCount: BigInt(success),
    OverallUnattributedCount: BigInt(unattributed),
    OverallSuccessRate: successRate(success, unattributed),
    OverallAlerts: alerts(overall),
    DailySummaries: daily
  }
}
