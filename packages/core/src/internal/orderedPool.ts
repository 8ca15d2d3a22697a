/**
 * `orderedPool`: the delivery stage's worker pool. A producer hands it work (`emit.work`) and results known without
 * work (`emit.ready`), in input order; `concurrency` worker fibers, made once, run `f` on the work, at most
 * `concurrency` at a time; the stream that comes out gives every result's elements in the order the producer emitted
 * them, whatever order the work finishes in. What `Stream.mapEffect(f, { concurrency: n })` does, but cheaper per
 * element: that forks a fiber per element and races it against an error signal (two more fibers), each with its own
 * copy of the fiber refs, and those outlive young-generation collections. Here work costs one `Deferred` and two
 * queue hand-overs, a ready result one hand-over.
 *
 * Delivery gives the pool as many workers as requests may ever be in flight (a fixed `concurrency`, or the adaptive
 * limit's bound); each worker then waits for a permit of the run's `ConcurrencyLimit` before it sends (deliver.ts), so
 * the number actually in flight can change while the run goes on, and the order of results does not depend on it.
 *
 * The producer is a plain effect rather than a stream, so that a producer reading a file pays no stream stage per
 * chunk read (each stage of a stream costs tens of runtime operations per chunk; see pipeline/README.md).
 * It files a result slot in `order` for every element and hands work to the workers through `jobs` (one waiting at
 * most: the producer stays one element ahead of the workers, as `Stream.mapEffect` does). The stream that comes out
 * takes the slots from `order` and waits for each in turn. A failure of the producer comes out after the results of
 * the elements before it; a defect of `f` ends the stream with that defect. Closing the stream early interrupts the
 * producer and the workers, and with them the calls of `f` in progress.
 */
import type * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { emptied } from "./emptied.js"

/**
 * What a producer hands the pool, in input order. A result is an array that the pool takes over: its elements go
 * out as a chunk of their own and the array is emptied (see `handOver`).
 */
export interface Emit<A, B> {
  /** Work for `f`; its result takes this place in the output. */
  readonly work: (input: A) => Effect.Effect<void>
  /** A result known without work; it takes this place in the output. */
  readonly ready: (result: Array<B>) => Effect.Effect<void>
}

interface Job<A, B> {
  readonly input: A
  readonly result: Deferred.Deferred<Array<B>>
}

type Slot<B, E> =
  | { readonly _tag: "Pending"; readonly result: Deferred.Deferred<Array<B>> }
  | { readonly _tag: "Ready"; readonly result: Array<B> }
  | { readonly _tag: "End" }
  | { readonly _tag: "Failed"; readonly cause: Cause.Cause<E> }

const end = { _tag: "End" } as const

/**
 * A result's elements as a chunk of their own, and the result array emptied (`emptied.ts`): the slots, deferreds and
 * queue nodes that carried it must not keep its elements alive.
 */
const handOver = <B>(result: Array<B>): Chunk.Chunk<B> => {
  const chunk = Chunk.unsafeFromArray(result.slice())
  emptied(result)
  return chunk
}

export const orderedPool = <A, B, E, R, R2>(
  produce: (emit: Emit<A, B>) => Effect.Effect<void, E, R>,
  concurrency: number,
  f: (input: A) => Effect.Effect<Array<B>, never, R2>
): Stream.Stream<B, E, R | R2> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const jobs = yield* Queue.bounded<Job<A, B>>(1)
      const order = yield* Queue.bounded<Slot<B, E>>(concurrency + 2)
      const run = (job: Job<A, B>) =>
        Effect.flatMap(Effect.exit(f(job.input)), (exit: Exit.Exit<Array<B>>) => Deferred.done(job.result, exit))
      const worker = Effect.forever(Effect.flatMap(Queue.take(jobs), run))
      for (let i = 0; i < concurrency; i++) yield* Effect.forkScoped(worker)
      const emit: Emit<A, B> = {
        work: (input) =>
          Effect.flatMap(Deferred.make<Array<B>>(), (result) =>
            Effect.zipRight(Queue.offer(order, { _tag: "Pending", result }), Queue.offer(jobs, { input, result }))
          ),
        ready: (result) => Effect.asVoid(Queue.offer(order, { _tag: "Ready", result }))
      }
      yield* Effect.forkScoped(
        produce(emit).pipe(
          Effect.matchCauseEffect({
            onFailure: (cause) => Queue.offer(order, { _tag: "Failed", cause }),
            onSuccess: () => Queue.offer(order, end)
          })
        )
      )
      return Stream.repeatEffectChunkOption(
        Effect.flatMap(
          Queue.take(order),
          (slot): Effect.Effect<Chunk.Chunk<B>, Option.Option<E>> =>
            slot._tag === "Pending"
              ? Effect.map(Deferred.await(slot.result), handOver)
              : slot._tag === "Ready"
                ? Effect.succeed(handOver(slot.result))
                : slot._tag === "End"
                  ? Effect.fail(Option.none())
                  : Effect.mapError(Effect.failCause(slot.cause), Option.some)
        )
      )
    })
  )
