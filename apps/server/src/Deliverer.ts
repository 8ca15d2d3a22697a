/**
 * `Deliverer`: the one step of the worker that talks to Microsoft Advertising. It takes a batch of outbox records of
 * one kind and answers one outcome per record, in order: final ones (`accepted`, `rejected`, `duplicate`, `failed`)
 * or `retry` (nothing final happened: a transient failure such as an outage, a rate limit or lost credentials, so the
 * worker backs the record off and tries again), or `notAccepted` (5615: the record's goal does not take conversions
 * yet, so the worker holds it until the goal is ready). The production layer is backed by @uplink/core's pipeline
 * (`CoreDeliverer`); tests provide their own.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { ClaimedRecord, RecordKind } from "./Outbox.js"

/** What became of one delivered record. */
export type DeliveryOutcome = Data.TaggedEnum<{
  Accepted: {}
  /** The service (or a local rule it documents) refused the record; sending it again gives the same answer. */
  Rejected: { readonly code: number | null; readonly errorCode: string | null; readonly message: string }
  /** An exact duplicate of another record of the same batch; the service counts it once. */
  Duplicate: {}
  /** The record can never be delivered (for example a request the contract cannot carry). */
  Failed: { readonly code: number | null; readonly errorCode: string | null; readonly message: string }
  /** Nothing final happened; try again later, not before `retryAfterMs` when the service named a wait. */
  Retry: { readonly message: string; readonly retryAfterMs: Option.Option<number> }
  /** 5615: the goal `goal` does not take conversions yet (younger than two hours); hold the record until it does. */
  NotAccepted: { readonly goal: string; readonly message: string }
}>

export const DeliveryOutcome = Data.taggedEnum<DeliveryOutcome>()

/** Whether delivery can run at all, and if not why (shown by `/readyz`). */
export type DelivererReadiness =
  | { readonly _tag: "Ready"; readonly description: string }
  | { readonly _tag: "NotConfigured"; readonly reason: string }

/** The service. */
export interface DelivererShape {
  readonly readiness: DelivererReadiness
  /** One outcome per record of `records` (all of `kind`), in the same order. Never fails: failures are outcomes. */
  readonly deliver: (
    kind: RecordKind,
    records: ReadonlyArray<ClaimedRecord>
  ) => Effect.Effect<ReadonlyArray<DeliveryOutcome>>
}

/** The delivery service tag. */
export class Deliverer extends Context.Tag("@uplink/server/Deliverer")<Deliverer, DelivererShape>() {}

/** A `Retry` outcome for every record, for a batch that failed as a whole. */
export const retryAll = (
  records: ReadonlyArray<ClaimedRecord>,
  message: string,
  retryAfterMs: Option.Option<number> = Option.none()
): ReadonlyArray<DeliveryOutcome> => records.map(() => DeliveryOutcome.Retry({ message, retryAfterMs }))
