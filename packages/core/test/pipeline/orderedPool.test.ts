/**
 * `orderedPool`, the delivery stage's worker pool: results in input order whatever order the work finishes in (ready
 * results in their place among them), never more than `concurrency` elements in `f` at once — nor more than `admit()`
 * says, work waiting unstarted with the producer rather than in a worker — the producer's failure after the results
 * before it, a defect of `f` ending the stream, and calls in progress interrupted when the stream is left early.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Clock, Duration, Effect, Exit, Fiber, Ref, Stream, TestClock } from "effect"
import { type Emit, orderedPool } from "../../src/pipeline/orderedPool.js"

/** The pool over the elements of `upstream`, all of them work for `f`, each result one element. */
const mapEffectOrdered = <A, E, B, R>(
  upstream: Stream.Stream<A, E>,
  concurrency: number,
  f: (input: A) => Effect.Effect<B, never, R>
): Stream.Stream<B, E, R> =>
  orderedPool(
    (emit) => Stream.runForEach(upstream, emit.work),
    concurrency,
    (input: A) => Effect.map(f(input), (result) => [result])
  )

/** `f` for the tests: sleeps a time that depends on the element (so work finishes out of order), counting who is in. */
const tracked = (running: Ref.Ref<number>, peak: Ref.Ref<number>) => (n: number) =>
  Effect.gen(function* () {
    const now = yield* Ref.updateAndGet(running, (r) => r + 1)
    yield* Ref.update(peak, (p) => Math.max(p, now))
    yield* Effect.sleep(Duration.millis(((n * 7) % 5) * 10 + 1))
    yield* Ref.update(running, (r) => r - 1)
    return n * 10
  })

describe("orderedPool", () => {
  it.effect("gives results in input order with at most `concurrency` calls at a time", () =>
    Effect.gen(function* () {
      const running = yield* Ref.make(0)
      const peak = yield* Ref.make(0)
      const input = Array.from({ length: 40 }, (_, i) => i)
      const fiber = yield* Effect.fork(
        Stream.runCollect(mapEffectOrdered(Stream.fromIterable(input), 3, tracked(running, peak)))
      )
      yield* TestClock.adjust(Duration.seconds(10))
      const out = yield* Fiber.join(fiber)
      expect(Chunk.toReadonlyArray(out)).toEqual(input.map((n) => n * 10))
      expect(yield* Ref.get(peak)).toBe(3)
      expect(yield* Ref.get(running)).toBe(0)
    })
  )

  it.effect("runs one call at a time with a concurrency of 1, and ends on an empty input", () =>
    Effect.gen(function* () {
      const running = yield* Ref.make(0)
      const peak = yield* Ref.make(0)
      const fiber = yield* Effect.fork(
        Stream.runCollect(mapEffectOrdered(Stream.range(1, 10), 1, tracked(running, peak)))
      )
      yield* TestClock.adjust(Duration.seconds(10))
      expect(Chunk.toReadonlyArray(yield* Fiber.join(fiber))).toEqual(
        Array.from({ length: 10 }, (_, i) => (i + 1) * 10)
      )
      expect(yield* Ref.get(peak)).toBe(1)
      const empty = yield* Stream.runCollect(mapEffectOrdered(Stream.empty, 2, (n: number) => Effect.succeed(n)))
      expect(Chunk.size(empty)).toBe(0)
    })
  )

  it.effect("lets only `admit()` workers hold work, following it as it changes, and holds the producer back", () =>
    Effect.gen(function* () {
      const running = yield* Ref.make(0)
      const peak = yield* Ref.make(0)
      let admitted = 2
      let emitted = 0
      let started = 0
      let mostAhead = 0
      const stream = orderedPool(
        (emit) =>
          Effect.forEach(
            Array.from({ length: 200 }, (_, i) => i),
            (n) =>
              Effect.zipRight(
                emit.work(n),
                Effect.sync(() => {
                  emitted++
                  mostAhead = Math.max(mostAhead, emitted - started)
                })
              ),
            { discard: true }
          ),
        8,
        (n: number) =>
          Effect.zipRight(
            Effect.sync(() => started++),
            Effect.map(tracked(running, peak)(n), (result) => [result])
          ),
        () => admitted
      )
      const fiber = yield* Effect.fork(Stream.runCollect(stream))
      yield* TestClock.adjust(Duration.millis(200))
      // Eight workers, two admitted: two calls at a time, and one element more waiting for them, not eight.
      expect(yield* Ref.get(peak)).toBe(2)
      expect(mostAhead).toBe(3)
      admitted = 5
      yield* TestClock.adjust(Duration.millis(200))
      expect(yield* Ref.get(peak)).toBe(5)
      // Lowered: the calls in progress finish (each takes at most 41 ms), and then one at a time.
      admitted = 1
      yield* TestClock.adjust(Duration.millis(100))
      yield* Ref.set(peak, yield* Ref.get(running))
      yield* TestClock.adjust(Duration.seconds(10))
      expect(yield* Ref.get(peak)).toBe(1)
      expect(Chunk.toReadonlyArray(yield* Fiber.join(fiber))).toEqual(Array.from({ length: 200 }, (_, n) => n * 10))
    })
  )

  it.effect("admits other work while admitted work waits aside", () =>
    Effect.gen(function* () {
      const started: Array<[number, number]> = []
      const stream = orderedPool(
        (emit: Emit<number, number>) => Effect.forEach([0, 1, 2], (n) => emit.work(n), { discard: true }),
        4,
        (n: number, waitAside) =>
          Effect.gen(function* () {
            started.push([n, yield* Clock.currentTimeMillis])
            // The first element waits a second (a backoff) before it is done.
            if (n === 0) yield* waitAside(Effect.sleep(Duration.seconds(1)))
            yield* Effect.sleep(Duration.millis(10))
            return [n]
          }),
        () => 1
      )
      const fiber = yield* Effect.fork(Stream.runCollect(stream))
      yield* TestClock.adjust(Duration.seconds(5))
      expect(Chunk.toReadonlyArray(yield* Fiber.join(fiber))).toEqual([0, 1, 2])
      // One admitted at a time, but the others ran while the first waited aside.
      expect(started).toEqual([
        [0, 0],
        [1, 0],
        [2, 10]
      ])
    })
  )

  it.effect("puts ready results and results of several elements in their places among the work, and empties them", () =>
    Effect.gen(function* () {
      const running = yield* Ref.make(0)
      const peak = yield* Ref.make(0)
      const work = tracked(running, peak)
      const handed: Array<Array<number>> = []
      const stream = orderedPool(
        (emit) =>
          Effect.forEach(
            Array.from({ length: 12 }, (_, i) => i),
            (n) => {
              if (n % 3 !== 0) return emit.work(n)
              const ready = [-n, -n - 0.5]
              handed.push(ready)
              return emit.ready(ready)
            },
            { discard: true }
          ),
        2,
        (n: number) =>
          Effect.map(work(n), (result) => {
            const out = [result, result + 1]
            handed.push(out)
            return out
          })
      )
      const fiber = yield* Effect.fork(Stream.runCollect(stream))
      yield* TestClock.adjust(Duration.seconds(10))
      const expected = Array.from({ length: 12 }, (_, n) => (n % 3 === 0 ? [-n, -n - 0.5] : [n * 10, n * 10 + 1]))
      expect(Chunk.toReadonlyArray(yield* Fiber.join(fiber))).toEqual(expected.flat())
      expect(yield* Ref.get(peak)).toBe(2)
      // Every result array was taken over by the pool and emptied once its elements were handed on.
      expect(handed).toHaveLength(12)
      expect(handed.every((result) => result.length === 0)).toBe(true)
    })
  )

  it.effect("fails with the upstream's error after the results of the elements before it", () =>
    Effect.gen(function* () {
      const upstream = Stream.concat(Stream.make(1, 2, 3), Stream.fail("unreadable" as const))
      const seen: Array<number> = []
      const exit = yield* mapEffectOrdered(upstream, 2, (n: number) => Effect.succeed(n)).pipe(
        Stream.runForEach((n) => Effect.sync(() => seen.push(n))),
        Effect.exit
      )
      expect(seen).toEqual([1, 2, 3])
      expect(exit).toEqual(Exit.fail("unreadable"))
    })
  )

  it.effect("ends with the defect of a call", () =>
    Effect.gen(function* () {
      const exit = yield* mapEffectOrdered(Stream.make(1, 2, 3), 2, (n: number) =>
        n === 2 ? Effect.dieMessage("boom") : Effect.succeed(n)
      ).pipe(Stream.runCollect, Effect.exit)
      expect(Exit.isFailure(exit) && Exit.causeOption(exit)._tag === "Some").toBe(true)
      expect(String(exit)).toContain("boom")
    })
  )

  it.effect("interrupts the calls in progress when the stream is left early", () =>
    Effect.gen(function* () {
      const finished = yield* Ref.make(0)
      const interrupted = yield* Ref.make(0)
      const slow = (n: number) =>
        Effect.sleep(Duration.seconds(n === 0 ? 0 : 60)).pipe(
          Effect.zipRight(Ref.update(finished, (k) => k + 1)),
          Effect.as(n),
          Effect.onInterrupt(() => Ref.update(interrupted, (k) => k + 1))
        )
      const fiber = yield* Effect.fork(
        Stream.runCollect(Stream.take(mapEffectOrdered(Stream.range(0, 100), 2, slow), 1))
      )
      yield* TestClock.adjust(Duration.millis(1))
      expect(Chunk.toReadonlyArray(yield* Fiber.join(fiber))).toEqual([0])
      expect(yield* Ref.get(finished)).toBe(1)
      expect(yield* Ref.get(interrupted)).toBeGreaterThanOrEqual(1)
    })
  )
})
