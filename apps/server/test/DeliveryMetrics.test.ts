/**
 * `/metrics` carries the state of the delivery limiters of the process (@uplink/core's `RateLimiter`): the
 * concurrency they allow, requests in flight, the 117s they have seen, what the throttling window admitted, the
 * seconds left in a pause and the seconds waited, by customer id.
 */
import { describe, expect, it } from "@effect/vitest"
import { RateLimiter } from "@uplink/core"
import { Effect, TestClock } from "effect"
import { prometheusText } from "../src/ServerMetrics.js"

/** The value of the line `name{labels}` of Prometheus text, or undefined. */
const value = (text: string, line: string): number | undefined => {
  const found = text.split("\n").find((candidate) => candidate.startsWith(`${line} `))
  return found === undefined ? undefined : Number(found.slice(line.length + 1))
}

describe("delivery limiter metrics", () => {
  it.effect("a limiter's concurrency, 117s, admitted rate, pause and waits appear by customer id", () =>
    Effect.gen(function* () {
      const limiter = RateLimiter.make({ customerId: "metrics-7000001", window: "60 seconds" })
      // Three calls admitted, the fourth refused (117) 10 s later: 3 per window, paused until the first leaves it.
      const admitted = []
      for (let i = 0; i < 3; i++) admitted.push((yield* limiter.begin(undefined))!)
      for (const call of admitted) yield* limiter.succeeded(call)
      yield* TestClock.adjust("10 seconds")
      const refused = (yield* limiter.begin(undefined))!
      yield* limiter.rateLimited(undefined, refused)

      const text = yield* prometheusText
      const customer = 'customer_id="metrics-7000001"'
      expect(text).toContain("# TYPE uplink_delivery_concurrency gauge")
      // The adaptive concurrency starts at 4; the 117 halved it.
      expect(value(text, `uplink_delivery_concurrency{${customer}}`)).toBe(2)
      expect(value(text, `uplink_delivery_in_flight{${customer}}`)).toBe(0)
      expect(value(text, `uplink_delivery_throttles{${customer}}`)).toBe(1)
      expect(value(text, `uplink_delivery_admitted_per_window{${customer}}`)).toBe(3)
      // Paused until 60.6 s (the calls at 0 leave the 60 s window, plus its 1 % margin): 50.6 s from now.
      expect(value(text, `uplink_delivery_paused_seconds{${customer}}`)).toBe(50.6)
      expect(value(text, `uplink_delivery_wait_seconds{${customer},reason="rateLimited"}`)).toBe(0)

      // A caller waits out the pause: the seconds waited are counted, the pause is over.
      const waiting = yield* Effect.fork(limiter.begin(undefined))
      yield* TestClock.adjust("60 seconds")
      yield* waiting.await
      const later = yield* prometheusText
      expect(value(later, `uplink_delivery_wait_seconds{${customer},reason="rateLimited"}`)).toBe(50.6)
      expect(value(later, `uplink_delivery_paused_seconds{${customer}}`)).toBe(0)
    })
  )
})
