/**
 * The running summary of a run, for progress displays and the final table: how many outcomes so far, by status and
 * by error code (the numeric code when there is one, else the symbolic one, else the kind of a delivery failure).
 * `add` / `addAll` count outcomes into a summary; `collect` folds a whole stream. `exitCode` applies the CLI's rule for
 * the outcomes (the root README, "The CLI": 2 invalid or rejected, 3 failed; 1 — nothing could be attempted — is the
 * caller's, from a stream failure).
 */
import * as Chunk from "effect/Chunk"
import type * as Effect from "effect/Effect"
import * as Sink from "effect/Sink"
import * as Stream from "effect/Stream"
import { type FailureCause, type Outcome, type Status, describe, status } from "./outcome.js"

/** The statuses of the results file, in the order summaries list them. */
const statuses: ReadonlyArray<Status> = ["accepted", "rejected", "invalid", "duplicate", "failed", "ready"]

/** The key a failure is counted under in summaries: its code, else its symbolic code, else its kind. */
const failureKey = (cause: FailureCause): string =>
  cause.code !== null ? String(cause.code) : (cause.errorCode ?? cause.kind ?? "DeliveryFailed")

export interface Summary {
  readonly total: number
  readonly byStatus: { readonly [S in Status]: number }
  /** Count per code: `"5607"`, `"ExternalAttributionRequiredFieldEmpty"`, … (rejected, invalid and failed outcomes). */
  readonly byCode: { readonly [code: string]: number }
}

export const empty: Summary = {
  total: 0,
  byStatus: Object.fromEntries(statuses.map((s) => [s, 0])) as Record<Status, number>,
  byCode: {}
}

/**
 * The code an outcome is counted under, if any: a failed record always has one (its code, else the kind of its
 * failure, e.g. `Timeout`, `ConnectionFailed`, `NotSent`), so every failure shows up among the top errors.
 */
export const codeOf = (outcome: Outcome): string | undefined => {
  if (outcome._tag === "Failed") return failureKey(outcome.cause)
  if (outcome._tag !== "Rejected" && outcome._tag !== "Invalid") return undefined
  const { code, errorCode } = describe(outcome)
  return code !== null ? String(code) : (errorCode ?? undefined)
}

/** `summary` with `outcome` counted. */
export const add = (summary: Summary, outcome: Outcome): Summary => {
  const s = status(outcome)
  const code = codeOf(outcome)
  return {
    total: summary.total + 1,
    byStatus: { ...summary.byStatus, [s]: summary.byStatus[s] + 1 },
    byCode: code === undefined ? summary.byCode : { ...summary.byCode, [code]: (summary.byCode[code] ?? 0) + 1 }
  }
}

/** `summary` with every outcome of `outcomes` counted: one new summary per call, not one per outcome. */
export const addAll = (summary: Summary, outcomes: Iterable<Outcome>): Summary => {
  let total = summary.total
  const byStatus = { ...summary.byStatus }
  let byCode: Record<string, number> | undefined
  // A chunk is read as its array: iterating the chunk itself allocates per element.
  const list: Iterable<Outcome> = Chunk.isChunk(outcomes) ? Chunk.toReadonlyArray(outcomes) : outcomes
  for (const outcome of list) {
    total++
    byStatus[status(outcome)]++
    const code = codeOf(outcome)
    if (code !== undefined) {
      byCode ??= { ...summary.byCode }
      byCode[code] = (byCode[code] ?? 0) + 1
    }
  }
  return { total, byStatus, byCode: byCode ?? summary.byCode }
}

/** A sink that counts outcomes. */
const sink: Sink.Sink<Summary, Outcome> = Sink.foldLeftChunks(empty, addAll)

/** Runs `outcomes` and returns their summary. */
export const collect = <E, R>(outcomes: Stream.Stream<Outcome, E, R>): Effect.Effect<Summary, E, R> =>
  Stream.run(outcomes, sink)

/** The exit code for these outcomes: 3 some failed, else 2 some invalid or rejected, else 0. */
export const exitCode = (summary: Summary): 0 | 2 | 3 => {
  if (summary.byStatus.failed > 0) return 3
  if (summary.byStatus.invalid > 0 || summary.byStatus.rejected > 0) return 2
  return 0
}
