/**
 * Batching: turns the stream of per-record results into units of work — `Send` (a batch of at most `size` prepared
 * records, all of one kind, for one request) and `Done` (outcomes known without sending: invalid, duplicate, ready).
 * Units come out in input order: the outcomes decided while a batch filled come before that batch. Memory is bounded
 * by one open batch and at most `size` pending outcomes.
 */
import * as Limits from "../config/Limits.js"
import type { Outcome } from "./outcome.js"
import type { Prepared } from "./Prepared.js"

/** The service's limit on items per request (docs/microsoft-api.md §2). */
export const MAX_BATCH_SIZE = Limits.batchSize.max

export type Unit =
  | { readonly _tag: "Done"; readonly outcomes: Array<Outcome> }
  | { readonly _tag: "Send"; readonly batch: ReadonlyArray<Prepared> }

/** Collects prepared records into batches and outcomes into `Done` units. */
export class Batcher {
  private batch: Array<Prepared> = []
  private done: Array<Outcome> = []

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1 || size > MAX_BATCH_SIZE) {
      throw new RangeError(`batch size must be an integer from 1 to ${MAX_BATCH_SIZE}, got ${size}`)
    }
  }

  /** Adds a record to send; a full batch becomes a `Send` unit in `out`. */
  add(record: Prepared, out: Array<Unit>): void {
    this.batch.push(record)
    if (this.batch.length >= this.size) {
      this.flushDone(out)
      out.push({ _tag: "Send", batch: this.batch })
      this.batch = []
    }
  }

  /** Adds an outcome that needs no sending. */
  outcome(outcome: Outcome, out: Array<Unit>): void {
    this.done.push(outcome)
    if (this.done.length >= this.size) this.flushDone(out)
  }

  /** Emits the pending outcomes (call at the end of each input chunk so they are not held back). */
  flushDone(out: Array<Unit>): void {
    if (this.done.length === 0) return
    out.push({ _tag: "Done", outcomes: this.done })
    this.done = []
  }

  /** Emits everything still held. */
  end(out: Array<Unit>): void {
    this.flushDone(out)
    if (this.batch.length > 0) {
      out.push({ _tag: "Send", batch: this.batch })
      this.batch = []
    }
  }
}
