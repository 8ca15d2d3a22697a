/**
 * A scriptable `Deliverer` for tests: each batch is answered by the current `respond` function (default: every
 * record accepted), and every batch it saw is recorded (kind, ids, attempts) for assertions.
 */
import { Effect, Layer, Ref } from "effect"
import { Deliverer, type DelivererReadiness, DeliveryOutcome } from "../../src/Deliverer.js"
import type { ClaimedRecord, RecordKind } from "../../src/Outbox.js"

export interface SeenBatch {
  readonly kind: RecordKind
  readonly ids: ReadonlyArray<string>
  readonly attempts: ReadonlyArray<number>
}

export type Respond = (
  kind: RecordKind,
  records: ReadonlyArray<ClaimedRecord>
) => Effect.Effect<ReadonlyArray<DeliveryOutcome>>

export const acceptAll: Respond = (_kind, records) => Effect.succeed(records.map(() => DeliveryOutcome.Accepted()))

export interface TestDeliverer {
  readonly layer: Layer.Layer<Deliverer>
  readonly batches: Effect.Effect<ReadonlyArray<SeenBatch>>
  readonly setRespond: (respond: Respond) => Effect.Effect<void>
}

export const makeTestDeliverer = (
  respond: Respond = acceptAll,
  readiness: DelivererReadiness = { _tag: "Ready", description: "test deliverer" }
): Effect.Effect<TestDeliverer> =>
  Effect.gen(function* () {
    const current = yield* Ref.make(respond)
    const seen = yield* Ref.make<ReadonlyArray<SeenBatch>>([])
    const layer = Layer.succeed(Deliverer, {
      readiness,
      deliver: (kind, records) =>
        Effect.gen(function* () {
          yield* Ref.update(seen, (all) => [
            ...all,
            { kind, ids: records.map((record) => record.id), attempts: records.map((record) => record.attempts) }
          ])
          const answer = yield* Ref.get(current)
          return yield* answer(kind, records)
        })
    })
    return { layer, batches: Ref.get(seen), setRespond: (next) => Ref.set(current, next) }
  })
