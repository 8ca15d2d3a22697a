/**
 * Deterministic fault injection for tests and benchmarks (packages/emulator/README.md, "Fault plan"): latency (fixed, or growing with the calls in
 * flight: a service that slows down when pushed), a sliding-window rate limit (117), internal failures (code 0) for
 * the first N calls and/or every Nth call, lost responses after applying, faults sent with HTTP 200, truncated bodies,
 * and access tokens that expire (109) after N calls. Nothing is random: the same plan and the same calls give the same
 * faults. Every injected fault is counted, and so is the most API calls in flight at once.
 */
import * as Schema from "effect/Schema"
import type { Clock } from "./Time.js"

const Count = Schema.Int.pipe(Schema.greaterThanOrEqualTo(0))
const Every = Schema.Int.pipe(Schema.greaterThanOrEqualTo(1))
const off = <A, I>(schema: Schema.Schema<A, I>) => Schema.optional(Schema.NullOr(schema))

/** The body of `POST /__emulator/faults`; an omitted (or null) option is off. */
export const FaultConfig = Schema.Struct({
  /** Every API call waits this long before it is handled. */
  latencyMs: off(Count),
  /**
   * A call that arrives with more than `latencyKnee` calls in flight (itself included) waits this much longer for each
   * call beyond the knee: `latencyMs + latencyPerInFlightMs × max(0, inFlight − latencyKnee)`.
   */
  latencyPerInFlightMs: off(Count),
  /** Calls in flight (itself included) the service serves at `latencyMs` (default 1). */
  latencyKnee: off(Every),
  /** The first N API calls after the plan is set fail with code 0 (InternalError). */
  failFirst: off(Count),
  /** Every Nth API call fails with code 0. */
  failEvery: off(Every),
  /** More than `calls` admitted API calls within any `windowMs` are refused with 117 CallRateExceeded. */
  rateLimit: off(Schema.Struct({ calls: Every, windowMs: Every })),
  /** Every Nth successful API call is applied, then its connection is dropped without a response. */
  dropAfterApplyEvery: off(Every),
  /** SOAP faults are sent with HTTP 200 instead of 500 (as the service has been observed to do). */
  faultsHttp200: off(Schema.Boolean),
  /** Every Nth successful API call is applied, then answered with a truncated (not well-formed) body. */
  garbageEvery: off(Every),
  /** An access token works for N API calls, then answers 109 AuthenticationTokenExpired. */
  expireTokenAfter: off(Count)
}).annotations({ identifier: "FaultConfig" })
export type FaultConfig = typeof FaultConfig.Type

/** The kinds of injected faults, as counted in `faultsInjected`. */
export const faultKinds = [
  "latency",
  "rateLimit",
  "failure",
  "dropAfterApply",
  "faultHttp200",
  "garbage",
  "tokenExpired"
] as const
export type FaultKind = (typeof faultKinds)[number]

/** What to do with the response of a call that succeeded. */
export type ResponseFault = "drop" | "garbage" | undefined

const emptyCounts = (): Record<FaultKind, number> =>
  Object.fromEntries(faultKinds.map((kind) => [kind, 0])) as Record<FaultKind, number>

export class FaultInjector {
  #config: FaultConfig = {}
  #calls = 0
  #successes = 0
  #admitted: Array<number> = []
  #tokenUses = new Map<string, number>()
  #injected = emptyCounts()
  #inFlight = 0
  #maxInFlight = 0

  constructor(private readonly clock: Clock) {}

  /** Replaces the plan and restarts its schedules (call numbers, rate window, token uses); counts are kept. */
  configure(config: FaultConfig): void {
    this.#config = config
    this.#calls = 0
    this.#successes = 0
    this.#admitted = []
    this.#tokenUses.clear()
  }

  /** Turns every fault off and zeroes the counts (the most calls in flight too). */
  reset(): void {
    this.configure({})
    this.#injected = emptyCounts()
    this.#maxInFlight = this.#inFlight
  }

  /** The most API calls in flight at once since the last reset. */
  maxInFlight(): number {
    return this.#maxInFlight
  }

  config(): FaultConfig {
    return this.#config
  }

  injected(): Record<FaultKind, number> {
    return { ...this.#injected }
  }

  #inject(kind: FaultKind): true {
    this.#injected[kind]++
    return true
  }

  /**
   * Starts an API call: its 1-based number since the plan was set, and how long to delay it (the calls in flight,
   * this one included, set the latency profile's share). Every `beginCall` is followed by one `endCall`.
   */
  beginCall(): { readonly number: number; readonly latencyMs: number } {
    this.#calls++
    this.#inFlight++
    if (this.#inFlight > this.#maxInFlight) this.#maxInFlight = this.#inFlight
    const perInFlight = this.#config.latencyPerInFlightMs ?? 0
    const knee = this.#config.latencyKnee ?? 1
    const latencyMs = (this.#config.latencyMs ?? 0) + perInFlight * Math.max(0, this.#inFlight - knee)
    if (latencyMs > 0) this.#inject("latency")
    return { number: this.#calls, latencyMs }
  }

  /** Ends an API call, however it ended. */
  endCall(): void {
    this.#inFlight--
  }

  /** Whether this use of an access token finds it expired by the plan; a use that works is counted. */
  tokenExpired(token: string): boolean {
    const limit = this.#config.expireTokenAfter
    if (limit === undefined || limit === null) return false
    const uses = this.#tokenUses.get(token) ?? 0
    if (uses >= limit) return this.#inject("tokenExpired")
    this.#tokenUses.set(token, uses + 1)
    return false
  }

  /** Whether the call exceeds the sliding-window rate limit; admitted calls enter the window. */
  rateLimited(): boolean {
    const limit = this.#config.rateLimit
    if (limit === undefined || limit === null) return false
    const now = this.clock()
    this.#admitted = this.#admitted.filter((at) => at > now - limit.windowMs)
    if (this.#admitted.length >= limit.calls) return this.#inject("rateLimit")
    this.#admitted.push(now)
    return false
  }

  /** Whether call number `n` fails with code 0 (failFirst / failEvery). */
  internalFailure(n: number): boolean {
    const { failFirst, failEvery } = this.#config
    const fails = (failFirst != null && n <= failFirst) || (failEvery != null && n % failEvery === 0)
    return fails ? this.#inject("failure") : false
  }

  /** After a call succeeded (and was applied): drop its connection, garble its body, or answer normally. */
  afterSuccess(): ResponseFault {
    this.#successes++
    const { dropAfterApplyEvery, garbageEvery } = this.#config
    if (dropAfterApplyEvery != null && this.#successes % dropAfterApplyEvery === 0) {
      this.#inject("dropAfterApply")
      return "drop"
    }
    if (garbageEvery != null && this.#successes % garbageEvery === 0) {
      this.#inject("garbage")
      return "garbage"
    }
    return undefined
  }

  /** The HTTP status of a SOAP fault: 200 when the plan says so (counted), else 500. */
  soapFaultStatus(): number {
    return this.#config.faultsHttp200 === true && this.#inject("faultHttp200") ? 200 : 500
  }
}
