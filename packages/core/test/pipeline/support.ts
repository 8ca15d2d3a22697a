/**
 * Test support for the pipeline: a fixed "now", input helpers, a fake `Sender` that records every call and can inject
 * failures, 117s and partial errors, and a runner that drives TestClock until a forked effect is done.
 */
import type { Schemas } from "@uplink/campaign-management"
import { Chunk, type Duration, Effect, Fiber, Layer, Stream, TestClock } from "effect"
import { type BatchErrorLike, DeliveryError, type DeliveryFailure, Sender } from "../../src/index.js"

/** "Now" in every test: 2025-06-15T12:00:00Z. */
export const NOW = Date.UTC(2025, 5, 15, 12, 0, 0)

/** An ISO time `hoursAgo` hours before NOW. */
export const hoursAgo = (hours: number): string => new Date(NOW - hours * 3_600_000).toISOString()

/** Sets the TestClock to NOW. */
export const atNow = TestClock.setTime(NOW)

/** The UTF-8 bytes of `text` as a stream of chunks of `size` bytes (default: one chunk). */
export const bytes = (text: string, size?: number): Stream.Stream<Uint8Array> => {
  const all = new TextEncoder().encode(text)
  if (size === undefined) return Stream.make(all)
  const chunks: Array<Uint8Array> = []
  for (let i = 0; i < all.length; i += size) chunks.push(all.subarray(i, i + size))
  return Stream.fromIterable(chunks)
}

export { clickId } from "@uplink/emulator/testing"

/** What a fake sender call sees and answers. */
export interface FakeCall {
  readonly kind: "conversions" | "adjustments"
  readonly items: ReadonlyArray<Schemas.OfflineConversion | Schemas.OfflineConversionAdjustment>
  /** 1-based number of this call. */
  readonly call: number
  /** 1-based attempt of this batch (same first item and size seen before). */
  readonly attempt: number
  /** When the call arrived (ms of the Effect clock). */
  readonly at: number
  /** Calls in flight at the fake when this one arrived, itself included. */
  readonly inFlight: number
}

export type FakeAnswer =
  | { readonly _tag: "ok"; readonly errors?: ReadonlyArray<BatchErrorLike> }
  | { readonly _tag: "fail"; readonly failure: DeliveryFailure }

export const transient = (message = "connection reset"): FakeAnswer => ({
  _tag: "fail",
  failure: new DeliveryError({ retry: "now", message, trackingId: "t-transient" })
})

export const rateLimited: FakeAnswer = {
  _tag: "fail",
  failure: new DeliveryError({
    retry: "afterWait",
    message: "You have exceeded the number of calls that you are allowed to make in a minute.",
    code: 117,
    errorCode: "CallRateExceeded",
    trackingId: "t-117"
  })
}

export const permanent: FakeAnswer = {
  _tag: "fail",
  failure: new DeliveryError({
    retry: "later",
    message: "Authentication failed.",
    code: 105,
    errorCode: "InvalidCredentials",
    trackingId: "t-105"
  })
}

/** A fake sender; `answer` decides each call (default: success without partial errors). */
export const makeFakeSender = (
  answer: (call: FakeCall) => FakeAnswer = () => ({ _tag: "ok" }),
  options: {
    /** How long every call takes, or how long a call takes given the calls in flight when it arrived (itself included). */
    readonly latency?: Duration.DurationInput | ((inFlight: number) => Duration.DurationInput)
    /** Keep the items of each call (default true); large runs turn it off so the fake holds no records. */
    readonly keepItems?: boolean
  } = {}
) => {
  const calls: Array<FakeCall> = []
  const attempts = new Map<string, number>()
  const load = { inFlight: 0, maxInFlight: 0 }
  let now = () => 0
  const handle = (
    kind: FakeCall["kind"],
    items: ReadonlyArray<Schemas.OfflineConversion | Schemas.OfflineConversionAdjustment>
  ): Effect.Effect<ReadonlyArray<BatchErrorLike>, DeliveryFailure> =>
    Effect.suspend(() => {
      const key = `${kind}|${items.length}|${JSON.stringify(items[0])}`
      const attempt = (attempts.get(key) ?? 0) + 1
      attempts.set(key, attempt)
      const inFlight = load.inFlight + 1
      const call: FakeCall = { kind, items, call: calls.length + 1, attempt, at: now(), inFlight }
      calls.push({ ...call, items: options.keepItems === false ? [] : [...items] })
      const result = answer(call)
      const reply = result._tag === "ok" ? Effect.succeed(result.errors ?? []) : Effect.fail(result.failure)
      if (options.latency === undefined) return reply
      load.inFlight++
      load.maxInFlight = Math.max(load.maxInFlight, load.inFlight)
      const latency = typeof options.latency === "function" ? options.latency(inFlight) : options.latency
      return Effect.sleep(latency).pipe(Effect.zipRight(reply), Effect.ensuring(Effect.sync(() => load.inFlight--)))
    })
  const layer = Layer.effect(
    Sender,
    Effect.map(Effect.clockWith(Effect.succeed), (clock) => {
      now = () => clock.unsafeCurrentTimeMillis()
      return Sender.of({
        applyConversions: (batch) => handle("conversions", batch),
        applyAdjustments: (batch) => handle("adjustments", batch)
      })
    })
  )
  return { calls, layer, load }
}

/**
 * A service that admits at most `calls` answered calls within any `windowMs` (a sliding window, as the emulator's
 * rate-limit fault): beyond that, 117; `then` answers the calls it admits.
 */
export const slidingWindow = (
  calls: number,
  windowMs: number,
  then: (call: FakeCall) => FakeAnswer = () => ({ _tag: "ok" })
): ((call: FakeCall) => FakeAnswer) => {
  const admitted: Array<number> = []
  return (call) => {
    while (admitted.length > 0 && admitted[0]! <= call.at - windowMs) admitted.shift()
    if (admitted.length >= calls) return rateLimited
    admitted.push(call.at)
    return then(call)
  }
}

/** The most calls that fell within any `windowMs` (a sliding window ending at each call), of times `at`. */
export const busiestWindow = (at: ReadonlyArray<number>, windowMs: number): number => {
  const sorted = [...at].sort((a, b) => a - b)
  let most = 0
  for (let end = 0, start = 0; end < sorted.length; end++) {
    while (sorted[start]! <= sorted[end]! - windowMs) start++
    most = Math.max(most, end - start + 1)
  }
  return most
}

/** Runs `effect` in a fiber and moves the TestClock forward in `step`s until it is done. */
export const runWithClock = <A, E>(effect: Effect.Effect<A, E>, step: Duration.DurationInput = "10 seconds") =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    for (;;) {
      const done = yield* Fiber.poll(fiber)
      if (done._tag === "Some") return yield* Fiber.join(fiber)
      // Let real I/O (file reads) progress before moving the clock on.
      yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
      const again = yield* Fiber.poll(fiber)
      if (again._tag === "Some") return yield* Fiber.join(fiber)
      yield* TestClock.adjust(step)
    }
  })

/** Collects a stream into an array. */
export const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Effect.map(Stream.runCollect(stream), (chunk) => Chunk.toArray(chunk))
