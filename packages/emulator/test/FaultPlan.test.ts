import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { FaultConfig, FaultInjector } from "../src/domain/FaultPlan.js"
import { decodeJson } from "../src/domain/Seed.js"
import { makeClock } from "./fixtures.js"

const calls = (injector: FaultInjector, n: number, step: (number: number) => boolean) =>
  Array.from({ length: n }, () => step(injector.beginCall().number))

describe("FaultInjector", () => {
  it("fails the first N calls and every Nth call with code 0, counting each", () => {
    const injector = new FaultInjector(makeClock().clock)
    injector.configure({ failFirst: 2, failEvery: 4 })
    expect(calls(injector, 9, (n) => injector.internalFailure(n))).toEqual([
      true,
      true,
      false,
      true,
      false,
      false,
      false,
      true,
      false
    ])
    expect(injector.injected().failure).toBe(4)
  })

  it("rate-limits in a sliding window of admitted calls", () => {
    const time = makeClock()
    const injector = new FaultInjector(time.clock)
    injector.configure({ rateLimit: { calls: 2, windowMs: 1000 } })
    expect(injector.rateLimited()).toBe(false) // t=0
    time.advance(400)
    expect(injector.rateLimited()).toBe(false) // t=400
    expect(injector.rateLimited()).toBe(true) // t=400: 2 in window
    time.advance(600)
    expect(injector.rateLimited()).toBe(false) // t=1000: the call at t=0 left the window
    expect(injector.rateLimited()).toBe(true)
    time.advance(400)
    expect(injector.rateLimited()).toBe(false) // t=1400: the call at 400 left
    expect(injector.injected().rateLimit).toBe(2)
  })

  it("expires each access token after N calls, independently", () => {
    const injector = new FaultInjector(makeClock().clock)
    injector.configure({ expireTokenAfter: 2 })
    expect([1, 2, 3].map(() => injector.tokenExpired("a"))).toEqual([false, false, true])
    expect(injector.tokenExpired("b")).toBe(false)
    expect(injector.injected().tokenExpired).toBe(1)
    injector.configure({})
    expect(injector.tokenExpired("a")).toBe(false)
  })

  it("drops or garbles every Nth successful response; drop wins when both fall on the same call", () => {
    const injector = new FaultInjector(makeClock().clock)
    injector.configure({ dropAfterApplyEvery: 3, garbageEvery: 2 })
    expect(Array.from({ length: 6 }, () => injector.afterSuccess())).toEqual([
      undefined,
      "garbage",
      "drop",
      "garbage",
      undefined,
      "drop"
    ])
    expect(injector.injected()).toMatchObject({ dropAfterApply: 2, garbage: 2 })
  })

  it("sends SOAP faults with HTTP 200 only when asked, and counts latency", () => {
    const injector = new FaultInjector(makeClock().clock)
    expect(injector.soapFaultStatus()).toBe(500)
    injector.configure({ faultsHttp200: true, latencyMs: 25 })
    expect(injector.soapFaultStatus()).toBe(200)
    expect(injector.beginCall().latencyMs).toBe(25)
    expect(injector.injected()).toMatchObject({ faultHttp200: 1, latency: 1 })
    injector.reset()
    expect(injector.injected()).toMatchObject({ faultHttp200: 0, latency: 0 })
    expect(injector.config()).toEqual({})
  })

  it("grows latency with the calls in flight beyond the knee, and keeps the most calls in flight at once", () => {
    const injector = new FaultInjector(makeClock().clock)
    injector.configure({ latencyMs: 100, latencyPerInFlightMs: 50, latencyKnee: 2 })
    const latencies = [1, 2, 3, 4].map(() => injector.beginCall().latencyMs)
    expect(latencies).toEqual([100, 100, 150, 200])
    injector.endCall()
    injector.endCall()
    expect(injector.beginCall().latencyMs).toBe(150)
    expect(injector.maxInFlight()).toBe(4)
    injector.reset()
    // In flight at the reset: three calls.
    expect(injector.maxInFlight()).toBe(3)
    injector.configure({ latencyPerInFlightMs: 10 })
    // The default knee is one call: a lone call has no extra latency.
    for (let i = 0; i < 3; i++) injector.endCall()
    expect(injector.beginCall().latencyMs).toBe(0)
    expect(injector.beginCall().latencyMs).toBe(10)
  })

  it("restarts its schedules when the plan is set again", () => {
    const injector = new FaultInjector(makeClock().clock)
    injector.configure({ failFirst: 1 })
    expect(calls(injector, 2, (n) => injector.internalFailure(n))).toEqual([true, false])
    injector.configure({ failFirst: 1 })
    expect(calls(injector, 1, (n) => injector.internalFailure(n))).toEqual([true])
  })

  it("parses the admin body strictly: unknown options and bad numbers are refused", () => {
    expect(decodeJson(FaultConfig, { failEvery: 3, rateLimit: { calls: 5, windowMs: 60000 } })).toEqual(
      Either.right({ failEvery: 3, rateLimit: { calls: 5, windowMs: 60000 } })
    )
    expect(Either.isLeft(decodeJson(FaultConfig, { failEvery: 0 }))).toBe(true)
    expect(Either.isLeft(decodeJson(FaultConfig, { latency: 10 }))).toBe(true)
    expect(Either.isLeft(decodeJson(FaultConfig, { rateLimit: { calls: 1 } }))).toBe(true)
  })
})
