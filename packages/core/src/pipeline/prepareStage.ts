/**
 * Steps 1–5 of a run, chunk by chunk: each item a reader found is validated and hashed (`validate.ts`), checked against
 * the account's goals (optional), looked up in the run's dedupe table, and batched; what is decided without sending
 * (invalid, duplicate, ready in a dry run) comes out as outcomes in input order, full batches as work for the delivery
 * pool. "Now" is read once per chunk; the dedupe table is sized for the whole file after the first records.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { DedupeTable } from "../internal/dedupeTable.js"
import { emptied } from "../internal/emptied.js"
import { KeyUnits } from "../internal/keyUnits.js"
import { Batcher, type Unit } from "./batching.js"
import { LocalCodes } from "./codes.js"
import { writeAdjustmentKey, writeConversionKey } from "./dedupe.js"
import { type GoalCheck, checker } from "./goalCheck.js"
import { type InputSize, MAX_RESERVED_RECORDS } from "./input.js"
import type { Emit } from "../internal/orderedPool.js"
import { Outcome } from "./outcome.js"
import type { Inspect } from "./PipelineOptions.js"
import type { Prepared, PreparedAdjustment, PreparedConversion } from "./Prepared.js"
import type { ReaderItem, SourceRecord } from "./readers/item.js"
import type { Config } from "./runConfig.js"
import type * as Time from "./time.js"
import { isOutcome, prepareAdjustment, prepareConversion, type ValidationContext } from "./validate.js"
import type { Warning } from "./warning.js"

const noIdentity = { microsoftClickId: null, conversionName: null, conversionTime: null }

/** What every outcome of a prepared record repeats. */
const commonOf = (prepared: PreparedConversion | PreparedAdjustment) => ({
  line: prepared.line,
  id: prepared.id,
  identity: prepared.identity
})

/** The per-run state of steps 1–5 (validation, goal check, dedupe, batching) and its chunk-by-chunk driver. */
export const prepareStage = (config: Config, goals: GoalCheck | undefined, size: InputSize, inspect?: Inspect) => {
  const table = new DedupeTable()
  let recordsRead = 0
  let reserved = false
  /** After the first records, sizes the dedupe table for the whole file from its bytes per record so far. */
  const reserve = (): void => {
    if (reserved || size.total === undefined || size.read === 0 || recordsRead === 0) return
    reserved = true
    const expected = Math.ceil(((size.total / size.read) * recordsRead * 21) / 20)
    table.reserve(Math.min(expected, MAX_RESERVED_RECORDS))
  }
  const key = new KeyUnits()
  const checkGoal = goals === undefined ? undefined : checker(goals)
  const batcher = new Batcher(config.batchSize)
  const plain: Time.TimeContext = { timeZone: config.timeZone, bulkFormat: false }
  const bulk: Time.TimeContext = { timeZone: config.timeZone, bulkFormat: true }

  /** The validation contexts of one chunk ("now" is read once per chunk), plain and for Bulk records. */
  const contexts = (nowMs: number) => ({
    plain: { nowMs, time: plain, defaultRegion: config.defaultRegion } satisfies ValidationContext,
    bulk: { nowMs, time: bulk, defaultRegion: config.defaultRegion } satisfies ValidationContext
  })

  const prepareOne = (
    record: SourceRecord,
    context: { readonly plain: ValidationContext; readonly bulk: ValidationContext },
    units: Array<Unit>,
    warnings: Array<Warning>
  ): void => {
    const validation = record.bulk === true ? context.bulk : context.plain
    const result =
      config.mode === "apply" ? prepareConversion(record, validation) : prepareAdjustment(record, validation)
    inspect?.(record, result, validation.nowMs, warnings)
    if (isOutcome(result)) {
      batcher.outcome(result, units)
      return
    }
    const prepared: PreparedConversion | PreparedAdjustment = result
    if (checkGoal !== undefined) {
      const verdict = checkGoal(prepared.conversionName, validation.nowMs)
      if (verdict._tag !== "Known") {
        const { code, errorCode, message } = verdict
        batcher.outcome(
          Outcome.Invalid({ ...commonOf(prepared), code, errorCode, message, field: "ConversionName" }),
          units
        )
        return
      }
      if (verdict.warning !== undefined) warnings.push(verdict.warning)
    }
    if (prepared._tag === "Conversion") writeConversionKey(key, prepared)
    else writeAdjustmentKey(key, prepared)
    const firstLine = table.firstSeen(key, prepared.line)
    if (firstLine !== 0) {
      batcher.outcome(Outcome.Duplicate({ ...commonOf(prepared), firstLine }), units)
      return
    }
    if (config.dryRun) {
      batcher.outcome(Outcome.Ready(commonOf(prepared)), units)
      return
    }
    batcher.add(prepared, units)
  }

  /**
   * Prepares the items of one chunk ("now" is read once per chunk) and emits their units to the delivery pool, after
   * the chunk's warnings. The items are emptied once prepared (see `emptied`): they must not be used afterwards.
   */
  const onItems =
    (emit: Emit<ReadonlyArray<Prepared>, Outcome>) =>
    (items: Array<ReaderItem>): Effect.Effect<void> =>
      Effect.flatMap(Clock.currentTimeMillis, (nowMs) => {
        const units: Array<Unit> = []
        const warnings: Array<Warning> = []
        const context = contexts(nowMs)
        for (let i = 0; i < items.length; i++) {
          const item = items[i]!
          switch (item._tag) {
            case "Record":
              recordsRead++
              prepareOne(item.record, context, units, warnings)
              break
            case "Malformed":
              batcher.outcome(
                Outcome.Invalid({
                  line: item.line,
                  identity: noIdentity,
                  code: null,
                  errorCode: item.errorCode ?? LocalCodes.MalformedRecord,
                  message: `The line cannot be read: ${item.reason}.`,
                  field: null
                }),
                units
              )
              break
            case "Warning":
              warnings.push(item.warning)
              break
            case "Unreadable":
              break
          }
        }
        emptied(items)
        batcher.flushDone(units)
        reserve()
        const emitted = emitUnits(emit, units)
        return warnings.length === 0
          ? emitted
          : Effect.zipRight(Effect.forEach(warnings, config.onWarning, { discard: true }), emitted)
      })

  /** Emits what is still held once the input has ended, and frees the dedupe table (no record comes after). */
  const onEnd = (emit: Emit<ReadonlyArray<Prepared>, Outcome>): Effect.Effect<void> =>
    Effect.suspend(() => {
      const units: Array<Unit> = []
      batcher.end(units)
      table.release()
      return emitUnits(emit, units)
    })

  return { onItems, onEnd }
}

/** Hands units to the delivery pool: a batch as work, outcomes known without sending as a ready result. */
const emitUnits = (emit: Emit<ReadonlyArray<Prepared>, Outcome>, units: ReadonlyArray<Unit>): Effect.Effect<void> => {
  const emitUnit = (unit: Unit): Effect.Effect<void> =>
    unit._tag === "Send" ? emit.work(unit.batch) : emit.ready(unit.outcomes)
  // Nearly every chunk gives one unit: no loop for it.
  if (units.length === 0) return Effect.void
  if (units.length === 1) return emitUnit(units[0]!)
  return Effect.forEach(units, emitUnit, { discard: true })
}
