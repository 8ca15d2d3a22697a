import { assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, Layer, TestClock } from "effect"
import {
  AuthenticationError,
  CampaignManagementError,
  type CampaignManagementErrorReason,
  DecodeError,
  HttpStatusError,
  RateLimitError,
  TransportError
} from "../src/errors/CampaignManagementError.js"
import { RetryPolicy, type RetrySchedule } from "../src/retry/RetryPolicy.js"
import { awaitSleeps } from "./support/TestClockTools.js"

const error = (reason: CampaignManagementErrorReason) =>
  new CampaignManagementError({ operation: "ApplyOfflineConversions", trackingId: "t-1", reason })

const transient = error(new TransportError({ kind: "RequestFailed", detail: "socket hang up" }))
const rateLimited = (retryAfter?: Duration.Duration) =>
  error(new RateLimitError({ code: 117, errorCode: "CallRateExceeded", detail: "slow down", retryAfter }))
const permanent = error(
  new AuthenticationError({ kind: "Credentials", code: 105, errorCode: "InvalidCredentials", detail: "no" })
)

/** An effect that fails with `failures` in order, then succeeds; records the clock time of each attempt. */
const scripted = (failures: ReadonlyArray<CampaignManagementError>) => {
  const attempts: Array<number> = []
  const effect = Effect.gen(function* () {
    attempts.push(yield* Clock.currentTimeMillis)
    const next = failures[attempts.length - 1]
    if (next !== undefined) return yield* next
    return "done"
  })
  return { attempts, effect }
}

const withPolicy = <A, E>(effect: Effect.Effect<A, E>, schedule?: RetrySchedule) =>
  Effect.gen(function* () {
    const policy = yield* RetryPolicy
    return yield* Effect.retry(effect, policy as never)
  }).pipe(schedule === undefined ? (x) => x : Effect.provide(RetryPolicy.layer(schedule)))

describe("RetryPolicy", () => {
  it.effect("retries transient failures with capped, jittered exponential backoff until success", () =>
    Effect.gen(function* () {
      const { attempts, effect } = scripted([transient, transient, transient, transient])
      const fiber = yield* Effect.fork(withPolicy(effect, RetryPolicy.make({ base: "1 second", cap: "3 seconds" })))
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(yield* Fiber.join(fiber), "done")
      assert.strictEqual(attempts.length, 5)
      const gaps = attempts.slice(1).map((time, i) => time - attempts[i]!)
      // 1 s, 2 s, 4 s → capped at 3 s, 8 s → capped; each jittered by 0.8–1.2 before the cap.
      const expected = [1000, 2000, 3000, 3000]
      gaps.forEach((gap, i) => {
        assert.isAtLeast(gap, Math.min(expected[i]! * 0.8, 3000) - 1)
        assert.isAtMost(gap, Math.min(expected[i]! * 1.2, 3000) + 1)
      })
    })
  )

  it.effect("never retries a permanent reason", () =>
    Effect.gen(function* () {
      const { attempts, effect } = scripted([permanent])
      const failure = yield* Effect.flip(withPolicy(effect))
      assert.strictEqual(failure, permanent)
      assert.strictEqual(attempts.length, 1)
    })
  )

  it.effect.each([
    ["HTTP 503", error(new HttpStatusError({ status: 503, bodyExcerpt: "" })), 2],
    ["HTTP 400", error(new HttpStatusError({ status: 400, bodyExcerpt: "" })), 1],
    ["a cut body", error(new DecodeError({ wireReason: "NotWellFormed", path: undefined, detail: "eof" })), 2],
    ["a contract mismatch", error(new DecodeError({ wireReason: "SchemaMismatch", path: "x", detail: "bad" })), 1]
  ] as const)("%s is attempted %i time(s) when it fails once", ([, failure, expected]) =>
    Effect.gen(function* () {
      const { attempts, effect } = scripted([failure])
      const fiber = yield* Effect.fork(Effect.either(withPolicy(effect)))
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      assert.strictEqual(attempts.length, expected)
    })
  )

  it.effect("waits the documented 60 s after 117 before sending again", () =>
    Effect.gen(function* () {
      const { attempts, effect } = scripted([rateLimited()])
      const fiber = yield* Effect.fork(withPolicy(effect))
      yield* awaitSleeps()
      yield* TestClock.adjust("59 seconds")
      assert.strictEqual(attempts.length, 1)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(fiber), "done")
      assert.deepStrictEqual(attempts, [0, 60_000])
    })
  )

  it.effect("honours a Retry-After and a configured rate-limit wait", () =>
    Effect.gen(function* () {
      const first = scripted([rateLimited(Duration.seconds(5))])
      const fiber = yield* Effect.fork(withPolicy(first.effect))
      yield* awaitSleeps()
      yield* TestClock.adjust("5 seconds")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(first.attempts, [0, 5000])

      const second = scripted([rateLimited()])
      const start = yield* Clock.currentTimeMillis
      const fiber2 = yield* Effect.fork(withPolicy(second.effect, RetryPolicy.make({ rateLimitWait: "90 seconds" })))
      yield* awaitSleeps()
      yield* TestClock.adjust("90 seconds")
      yield* Fiber.join(fiber2)
      assert.deepStrictEqual(second.attempts, [start, start + 90_000])
    })
  )

  it.effect("gives up after maxRetries and returns the last error", () =>
    Effect.gen(function* () {
      const { attempts, effect } = scripted(Array.from({ length: 10 }, () => transient))
      const fiber = yield* Effect.fork(Effect.flip(withPolicy(effect, RetryPolicy.make({ maxRetries: 3 }))))
      yield* TestClock.adjust("10 minutes")
      assert.strictEqual(yield* Fiber.join(fiber), transient)
      assert.strictEqual(attempts.length, 4)
    })
  )

  it.effect("RetryPolicy.never and a replaced policy through a layer", () =>
    Effect.gen(function* () {
      const { attempts, effect } = scripted([transient])
      yield* Effect.flip(withPolicy(effect, RetryPolicy.never))
      assert.strictEqual(attempts.length, 1)
      const layered = scripted([transient, transient])
      const policyLayer = Layer.succeed(RetryPolicy, RetryPolicy.make({ base: "10 millis" }))
      const fiber = yield* Effect.fork(withPolicy(layered.effect).pipe(Effect.provide(policyLayer)))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(fiber), "done")
      assert.isAtMost(layered.attempts[2]! - layered.attempts[0]!, 40)
    })
  )
})
