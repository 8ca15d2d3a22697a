/**
 * The offline conversion pipeline (docs/architecture.md, "The life of a record"): read records from a file, a byte
 * stream or already-parsed records; validate and hash them; check goal names (optional); drop duplicates; batch;
 * deliver under the rate limiter with retries; and emit exactly one outcome per input record. `apply` sends
 * conversions, `adjust` restates and retracts, `dryRun` stops before sending (`ready` outcomes). Everything is
 * streamed: memory stays constant whatever the input size, apart from the compact dedupe table (`dedupe.ts`).
 *
 * Outcomes come out in input order per batch: records decided locally (invalid, duplicate) come out as soon as their
 * chunk is read, batch records when their request has finished. Only the input can fail the stream (`PipelineError`):
 * a record that cannot be read is an `invalid` outcome, a request that cannot be delivered gives `failed` outcomes.
 *
 * A run stops early, gently, when its `stop` signal aborts: reading ends at the next chunk boundary (the bytes not yet
 * read, including a record cut by the boundary, are never parsed), no new request starts, requests in flight finish,
 * and every record already read still gets its one outcome (`failed` with the kind `NotSent` if it was not sent).
 *
 * The steps are their own modules: `PipelineOptions.ts` (options, input, error), `runConfig.ts` (options checked),
 * `input.ts` (reading), `prepareStage.ts` (steps 1–5), `deliver.ts` (steps 5–7), `internal/orderedPool.ts` (the pool).
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { emptied } from "../internal/emptied.js"
import type { Mode } from "./columns.js"
import { deliverBatch } from "./deliver.js"
import { inputSize, readInput } from "./input.js"
import { type Emit, orderedPool } from "../internal/orderedPool.js"
import type { Outcome } from "./outcome.js"
import type { PipelineError, PipelineInput, PipelineOptions } from "./PipelineOptions.js"
import type { Prepared } from "./Prepared.js"
import { configure } from "./runConfig.js"
import { prepareStage } from "./prepareStage.js"
import { Sender } from "./sender.js"

export { NOT_SENT } from "./deliver.js"
export type { Inspect, PipelineInput, PipelineOptions } from "./PipelineOptions.js"
export { resolveDefaultRegion, resolveTimeZone } from "./runConfig.js"

const run = <E, R>(
  input: PipelineInput<E, R>,
  mode: Mode,
  dryRun: boolean,
  options: PipelineOptions
): Stream.Stream<Outcome, E | PipelineError, R | Sender> =>
  Stream.unwrap(
    Effect.map(configure(mode, dryRun, options), (config) =>
      Stream.suspend(() => {
        const size = inputSize(input)
        const stage = prepareStage(config, options.goals, size, options.inspect)
        return orderedPool(
          (emit: Emit<ReadonlyArray<Prepared>, Outcome>) =>
            Effect.zipRight(readInput(input, mode, options, size, stage.onItems(emit)), stage.onEnd(emit)),
          config.workers,
          (batch, waitAside): Effect.Effect<Array<Outcome>, never, Sender> =>
            Effect.map(deliverBatch(batch, config.delivery, waitAside), (outcomes) => {
              emptied(batch)
              return outcomes
            }),
          () => config.delivery.concurrency.snapshot().limit
        )
      })
    )
  )

/** Sends the conversions of `input` (ApplyOfflineConversions) and streams one outcome per input record. */
export const apply = <E = never, R = never>(
  input: PipelineInput<E, R>,
  options: PipelineOptions = {}
): Stream.Stream<Outcome, E | PipelineError, R | Sender> => run(input, "apply", false, options)

/** Sends the Restate / Retract records of `input` (ApplyOfflineConversionAdjustments), one outcome per record. */
export const adjust = <E = never, R = never>(
  input: PipelineInput<E, R>,
  options: PipelineOptions = {}
): Stream.Stream<Outcome, E | PipelineError, R | Sender> => run(input, "adjust", false, options)

/** Validates and hashes without sending: `ready` for every record that would be sent, else invalid / duplicate. */
export const dryRun = <E = never, R = never>(
  input: PipelineInput<E, R>,
  options: PipelineOptions & { readonly mode?: Mode | undefined } = {}
): Stream.Stream<Outcome, E | PipelineError, R> =>
  Stream.provideService(run(input, options.mode ?? "apply", true, options), Sender, noSender)

/** A dry run makes no `Send` units; this stands in for the `Sender` it never calls. */
const noSender = Sender.of({
  applyConversions: () => Effect.dieMessage("a dry run sends nothing"),
  applyAdjustments: () => Effect.dieMessage("a dry run sends nothing")
})
