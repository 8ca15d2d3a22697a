/** Helpers for `TestClock` tests: wait until a fiber is asleep before moving the clock. */
import { Chunk, Effect, TestClock } from "effect"

/** Yields until at least `count` sleeps are scheduled on the TestClock (real I/O may run meanwhile). */
export const awaitSleeps = (count = 1): Effect.Effect<void> =>
  Effect.gen(function* () {
    for (let spins = 0; spins < 100_000; spins++) {
      if (Chunk.size(yield* TestClock.sleeps()) >= count) return
      yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
    }
    return yield* Effect.dieMessage("no sleep was scheduled on the TestClock")
  })
