/**
 * `orderedPool`: the delivery stage's worker pool. A producer hands it work (`emit.work`) and results known without
 * work (`emit.ready`), in input order; `concurrency` worker fibers, made once, run `f` on the work, at most
 * `concurrency` at a time; the stream that comes out gives every result's elements in the order the producer emitted
 * them, whatever order the work finishes in. What `Stream.mapEffect(f, { concurrency: n })` does, but cheaper per
 * element: that forks a fiber per element and races it against an error signal (two more fibers), each with its own
 * copy of the fiber refs — per delivered batch that was most of what outlived a young-generation collection, and it
 * made the old generation grow with the size of the run.
 *
 * Delivery gives the pool as many workers as requests may ever be in flight (a fixed `concurrency`, or the adaptive
 * limit's bound), and `admit`, how many of them may hold work now (the adaptive limit; default: all). A worker takes
 * work only while fewer than `admit()` hold some, so a batch waits for a free request as unsent input, not inside a
 * worker: with the adaptive limit well below its bound, workers that took batches they could not send kept up to the
 * bound's worth of batches alive while others were in flight, long enough to outlive young-generation collections;
 * promoted and then dead, they made the old generation — and peak memory — grow with the size of the run. Work that
 * waits to be tried again (a backoff) does so through `waitAside`, not counted meanwhile, so that it does not keep
 * another from being admitted. Each worker still takes a permit of the run's `ConcurrencyLimit` for every attempt
 * (deliver.ts), so the limit may change while the run goes on, and the order of results does not depend on it.
 *
 * The producer is a plain effect rather than a stream, so that a producer reading a file pays no stream stage per
 * chunk read (each stage of a stream costs tens of runtime operations per chunk; see pipeline/README.md). It files a
 * result slot for every element (at most `concurrency + 2` waiting to be given out) and hands work over one at a time
 * (one waiting at most: the producer stays one element ahead of the workers, as `Stream.mapEffect` does); it waits
 * while either is full. The stream that comes out gives the slots' results in turn, each once it is known. A failure
 * of the producer comes out after the results of the elements before it; a defect of `f` ends the stream with that
 * defect. Closing the stream early interrupts the producer and the workers, and with them the calls of `f` in
 * progress.
 *
 * The hand-overs are plain arrays and one-shot callbacks rather than `Queue`s and `Deferred`s, so that an element
 * costs no runtime objects that could outlive a young-generation collection while it waits (measurements: the
 * pipeline README).
 */
import type * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Option from "effect/Option"
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

/** A place in the output: pending until its result (or the end, or a failure) is known. */
class Slot<B, E> {
  done = false
  end = false
  result: Array<B> | undefined = undefined
  cause: Cause.Cause<E> | undefined = undefined
}

class Job<A, B, E> {
  constructor(
    public input: A | undefined,
    readonly slot: Slot<B, E>
  ) {}
}

/**
 * A result's elements as a chunk of their own, and the result array emptied (`emptied.ts`): the slots, jobs and the
 * runtime's continuations that carried it must not keep its elements alive.
 */
const handOver = <B>(result: Array<B>): Chunk.Chunk<B> => {
  const chunk = Chunk.unsafeFromArray(result.slice())
  emptied(result)
  return chunk
}

/**
 * Given to `f` with its input: runs `wait` (a pause of the work, such as a backoff before it is tried again) without
 * counting the worker as holding work meanwhile.
 */
export type WaitAside = <X, E2, R3>(wait: Effect.Effect<X, E2, R3>) => Effect.Effect<X, E2, R3>

/** One waiting fiber, woken at most once by `wake`; forgotten when the fiber is interrupted. */
const makeWaiter = () => {
  let resume: (() => void) | undefined
  const wait: Effect.Effect<void> = Effect.async<void>((callback) => {
    resume = () => callback(Effect.void)
    return Effect.sync(() => {
      resume = undefined
    })
  })
  const wake = (): void => {
    const waiting = resume
    resume = undefined
    waiting?.()
  }
  return { wait, wake }
}

export const orderedPool = <A, B, E, R, R2>(
  produce: (emit: Emit<A, B>) => Effect.Effect<void, E, R>,
  concurrency: number,
  f: (input: A, waitAside: WaitAside) => Effect.Effect<Array<B>, never, R2>,
  admit?: () => number
): Stream.Stream<B, E, R | R2> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const capacity = concurrency + 2
      /** The result places not given out yet, in input order. */
      const slots: Array<Slot<B, E>> = []
      /** Work not taken by a worker yet (one at most). */
      const pending: Array<Job<A, B, E>> = []
      /** Workers waiting for work. */
      const idle: Array<(job: Job<A, B, E>) => void> = []
      /** Workers holding work. */
      let working = 0
      /** Whether the producer waits to hand over work (else for room in `slots`). */
      let handingOver = false
      const producer = makeWaiter()
      const consumer = makeWaiter()
      const admitted = (): number =>
        admit === undefined ? concurrency : Math.min(concurrency, Math.max(1, Math.floor(admit())))

      /** Hands pending work to idle workers as far as `admit` allows, and lets the producer go on when it may. */
      const dispatch = (): void => {
        while (pending.length > 0 && idle.length > 0 && working < admitted()) {
          working++
          idle.shift()!(pending.shift()!)
        }
        if (slots.length < capacity && (pending.length === 0 || !handingOver)) producer.wake()
      }

      const file = (slot: Slot<B, E>): void => {
        slots.push(slot)
        if (slot.done) consumer.wake()
      }

      const emit: Emit<A, B> = {
        work: (input) => {
          const attempt: Effect.Effect<void> = Effect.suspend(() => {
            if (pending.length > 0 || slots.length >= capacity) {
              handingOver = true
              return Effect.zipRight(producer.wait, attempt)
            }
            const slot = new Slot<B, E>()
            file(slot)
            pending.push(new Job(input, slot))
            dispatch()
            return Effect.void
          })
          return attempt
        },
        ready: (result) => {
          const attempt: Effect.Effect<void> = Effect.suspend(() => {
            if (slots.length >= capacity) {
              handingOver = false
              return Effect.zipRight(producer.wait, attempt)
            }
            const slot = new Slot<B, E>()
            slot.done = true
            slot.result = result
            file(slot)
            return Effect.void
          })
          return attempt
        }
      }

      const waitAside: WaitAside = (wait) =>
        Effect.suspend(() => {
          working--
          dispatch()
          return Effect.ensuring(
            wait,
            Effect.sync(() => {
              working++
            })
          )
        })

      const nextJob: Effect.Effect<Job<A, B, E>> = Effect.async<Job<A, B, E>>((callback) => {
        const take = (job: Job<A, B, E>) => callback(Effect.succeed(job))
        idle.push(take)
        dispatch()
        return Effect.sync(() => {
          const index = idle.indexOf(take)
          if (index >= 0) idle.splice(index, 1)
        })
      })
      const finish = (job: Job<A, B, E>, exit: Exit.Exit<Array<B>>): void => {
        working--
        const slot = job.slot
        job.input = undefined
        if (exit._tag === "Success") slot.result = exit.value
        else slot.cause = exit.cause
        slot.done = true
        if (slots[0] === slot) consumer.wake()
        dispatch()
      }
      const worker = Effect.forever(
        Effect.flatMap(nextJob, (job) =>
          Effect.flatMap(Effect.exit(f(job.input as A, waitAside)), (exit) => Effect.sync(() => finish(job, exit)))
        )
      )
      for (let i = 0; i < concurrency; i++) yield* Effect.forkScoped(worker)

      // The end or the failure of the producer takes its place after every element it emitted.
      const last = (cause: Cause.Cause<E> | undefined) =>
        Effect.sync(() => {
          const slot = new Slot<B, E>()
          slot.done = true
          slot.end = cause === undefined
          slot.cause = cause
          file(slot)
        })
      yield* Effect.forkScoped(
        Effect.matchCauseEffect(produce(emit), { onFailure: last, onSuccess: () => last(undefined) })
      )

      const next: Effect.Effect<Chunk.Chunk<B>, Option.Option<E>> = Effect.suspend(() => {
        const head = slots[0]
        if (head === undefined || !head.done) return Effect.zipRight(consumer.wait, next)
        slots.shift()
        dispatch()
        if (head.end) return Effect.fail(Option.none())
        if (head.cause !== undefined) return Effect.mapError(Effect.failCause(head.cause), Option.some)
        const result = head.result!
        head.result = undefined
        return Effect.succeed(handOver(result))
      })
      return Stream.repeatEffectChunkOption(next)
    })
  )
