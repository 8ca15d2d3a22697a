/**
 * Runs an effect that does real loopback I/O under the `TestClock`: whenever the effect is asleep (a retry backoff,
 * a 117 wait) the clock jumps to the next wake-up, so no test waits for real. Sleeps further away than `maxJump`
 * (request timeouts) are left alone. `onJump` lets the emulator's clock follow the virtual one; with `idle`, the clock
 * moves only while it says true (no request on the wire: an exchange takes no virtual time).
 */
import { Chunk, Clock, Duration, Effect, Fiber, Option, TestClock } from "effect"

export interface DriveOptions {
  readonly maxJump?: Duration.DurationInput
  readonly onJump?: (millis: number) => void
  readonly idle?: () => boolean
}

export const driveClock = <A, E>(effect: Effect.Effect<A, E>, options: DriveOptions = {}): Effect.Effect<A, E> =>
  Effect.gen(function* () {
    const maxJump = Duration.toMillis(options.maxJump ?? Duration.minutes(5))
    const fiber = yield* Effect.fork(effect)
    for (;;) {
      const exit = yield* Fiber.poll(fiber)
      if (Option.isSome(exit)) return yield* exit.value
      const now = yield* Clock.currentTimeMillis
      const wakes = Chunk.toArray(yield* TestClock.sleeps()).filter((at) => at - now <= maxJump)
      if (wakes.length > 0 && (options.idle === undefined || options.idle())) {
        const jump = Math.max(0, Math.min(...wakes) - now)
        options.onJump?.(jump)
        yield* TestClock.adjust(jump)
      } else {
        yield* Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 1)))
      }
    }
  })
