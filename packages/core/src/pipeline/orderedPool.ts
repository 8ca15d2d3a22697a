/**
 * `mapEffectOrdered`: what `Stream.mapEffect(f, { concurrency: n })` does — at most `n` elements in `f` at a time,
 * results in input order — run by `n` worker fibers made once for the stream. `Stream.mapEffect` forks a fiber per
 * element and races it against an error signal (two more fibers), each with its own copy of the fiber refs; per
 * delivered batch that was most of what outlived a young-generation collection, and it made the old generation grow
 * with the size of the run. Here an element costs one `Deferred` and two queue hand-overs.
 *
 * The producer reads `self`, files a result slot in `order` and hands the element to the workers through `jobs`
 * (one waiting at most: the producer stays one element ahead of the workers, as `Stream.mapEffect` does). The stream
 * that comes out takes the slots from `order` and waits for each in turn. A failure of `self` comes out after the
 * results of the elements before it; a defect of `f` ends the stream with that defect. Closing the stream early
 * interrupts the producer and the workers, and with them the calls of `f` in progress.
 */
import { type Cause, Deferred, Effect, type Exit, Option, Queue, Stream } from "effect"

interface Job<A, B> {
  readonly input: A
  readonly result: Deferred.Deferred<B>
}

type Next<B, E> =
  | { readonly _tag: "Result"; readonly result: Deferred.Deferred<B> }
  | { readonly _tag: "End" }
  | { readonly _tag: "Failed"; readonly cause: Cause.Cause<E> }

const end = { _tag: "End" } as const

export const mapEffectOrdered = <A, E, R, B, R2>(
  self: Stream.Stream<A, E, R>,
  concurrency: number,
  f: (input: A) => Effect.Effect<B, never, R2>
): Stream.Stream<B, E, R | R2> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const jobs = yield* Queue.bounded<Job<A, B>>(1)
      const order = yield* Queue.bounded<Next<B, E>>(concurrency + 2)
      const work = (job: Job<A, B>) =>
        Effect.flatMap(Effect.exit(f(job.input)), (exit: Exit.Exit<B>) => Deferred.done(job.result, exit))
      const worker = Effect.forever(Effect.flatMap(Queue.take(jobs), work))
      for (let i = 0; i < concurrency; i++) yield* Effect.forkScoped(worker)
      const file = (input: A) =>
        Effect.flatMap(Deferred.make<B>(), (result) =>
          Effect.zipRight(Queue.offer(order, { _tag: "Result", result }), Queue.offer(jobs, { input, result }))
        )
      yield* Effect.forkScoped(
        Stream.runForEach(self, file).pipe(
          Effect.matchCauseEffect({
            onFailure: (cause) => Queue.offer(order, { _tag: "Failed", cause }),
            onSuccess: () => Queue.offer(order, end)
          })
        )
      )
      return Stream.repeatEffectOption(
        Effect.flatMap(
          Queue.take(order),
          (next): Effect.Effect<B, Option.Option<E>> =>
            next._tag === "Result"
              ? Deferred.await(next.result)
              : next._tag === "End"
                ? Effect.fail(Option.none())
                : Effect.mapError(Effect.failCause(next.cause), Option.some)
        )
      )
    })
  )
