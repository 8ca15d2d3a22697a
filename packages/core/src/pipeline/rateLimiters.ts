/**
 * `RateLimiters`: the rate limiters of a process by customer id, so that every run for one customer — CLI runs of a
 * program, outbox batches of the server, calls of the Promise client — paces with one limiter, as Microsoft counts
 * calls per customer (rateLimiter.ts).
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { make, type RateLimiter, type RateLimiterOptions, type RateLimiterState } from "./rateLimiter.js"

/** Rate limiters by customer id, shared by every run in the process. */
export class RateLimiters extends Context.Tag("@uplink/core/pipeline/RateLimiters")<
  RateLimiters,
  {
    /** The customer's limiter, made on first use (with the layer's options, then `options`). */
    readonly forCustomer: (customerId: string, options?: RateLimiterOptions) => Effect.Effect<RateLimiter>
    /** The state of every customer's limiter. */
    readonly states: Effect.Effect<ReadonlyArray<RateLimiterState>>
  }
>() {
  /** One limiter per customer id, created on first use with `options` (the first run's settings win after that). */
  static layer(options: RateLimiterOptions = {}): Layer.Layer<RateLimiters> {
    return Layer.sync(RateLimiters, () => {
      const limiters = new Map<string, RateLimiter>()
      return {
        forCustomer: (customerId, extra) =>
          Effect.sync(() => {
            let limiter = limiters.get(customerId)
            if (limiter === undefined) {
              limiter = make({ ...options, ...extra, customerId })
              limiters.set(customerId, limiter)
            }
            return limiter
          }),
        states: Effect.map(Clock.currentTimeMillis, (now) => [...limiters.values()].map((l) => l.stateAt(now)))
      }
    })
  }
}
