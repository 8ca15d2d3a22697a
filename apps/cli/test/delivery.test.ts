/**
 * `uplink apply`'s delivery flags against the emulator (in-process): without `--concurrency` the adaptive limit grows
 * past the old fixed 2 up to `--max-concurrency` (or `UPLINK_MAX_CONCURRENCY`); `--concurrency n` is exactly n, as the
 * emulator counts the calls in flight; after a 117 the run paces to what the window admitted; the `--json` summary
 * carries the limiter's state; the progress bar's status names the concurrency and counts a pause down.
 */
import { PassThrough } from "node:stream"
import { fixedConcurrency, RateLimiter } from "@uplink/core"
import type { RunningEmulator } from "@uplink/emulator"
import { emulatorEnv, startEmulator, writeInput } from "@uplink/emulator/testing"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { deliveryStatus, deliverySummary } from "../src/render/delivery.js"
import { makeProgress } from "../src/render/progress.js"
import { runInProcess, scratch, validCsv } from "./support.js"

let emulator: RunningEmulator
let dir: string
let env: Record<string, string>

beforeAll(async () => {
  emulator = await startEmulator({ demo: true })
  dir = scratch()
  env = emulatorEnv(emulator, dir)
})
afterAll(() => emulator.stop())
beforeEach(() => emulator.reset())

let files = 0
/** A file of `n` valid records with click ids from `first`. */
const csv = (n: number, first: number) => writeInput(dir, `delivery-${++files}.csv`, validCsv(n, first))

/** 300 records in batches of 10 against a service that answers each call after 100 ms. */
const thirtyBatches = async (first: number, flags: ReadonlyArray<string>, extraEnv: Record<string, string> = {}) => {
  emulator.setFaults({ latencyMs: 100 })
  const run = await runInProcess(["apply", csv(300, first), "--batch-size", "10", "--json", ...flags], {
    ...env,
    ...extraEnv
  })
  expect(run.code, run.stderr).toBe(0)
  return { summary: JSON.parse(run.stdout), maxInFlight: emulator.state().maxInFlight }
}

describe("concurrency", () => {
  it("--concurrency 3 is exactly 3 requests in flight, as the service sees them", async () => {
    const { summary, maxInFlight } = await thirtyBatches(1, ["--concurrency", "3"])
    expect(maxInFlight).toBe(3)
    expect(summary.delivery.concurrency).toEqual({ mode: "fixed", limit: 3, max: 3, peak: 3, backoffs: 0 })
    // Its round trips are measured too: the emulator answers each call after 100 ms.
    expect(summary.delivery.latencyMs.floor).toBeGreaterThanOrEqual(100)
  }, 30_000)

  it("without it, the adaptive limit grows past 3 while latency stays flat, up to --max-concurrency", async () => {
    const adaptive = await thirtyBatches(1000, [])
    expect(adaptive.maxInFlight).toBeGreaterThan(3)
    expect(adaptive.maxInFlight).toBeLessThanOrEqual(16)
    expect(adaptive.summary.delivery.concurrency).toMatchObject({ mode: "adaptive", max: 16 })
    expect(adaptive.summary.delivery.concurrency.peak).toBeGreaterThan(3)
    expect(adaptive.summary.delivery.latencyMs.floor).toBeGreaterThanOrEqual(100)

    emulator.reset()
    const bounded = await thirtyBatches(2000, ["--max-concurrency", "5"])
    expect(bounded.maxInFlight).toBeLessThanOrEqual(5)
    expect(bounded.summary.delivery.concurrency).toMatchObject({ mode: "adaptive", max: 5 })
  }, 60_000)

  it("UPLINK_MAX_CONCURRENCY bounds it too, and the flag wins over it", async () => {
    const fromEnv = await thirtyBatches(3000, [], { UPLINK_MAX_CONCURRENCY: "2" })
    expect(fromEnv.maxInFlight).toBeLessThanOrEqual(2)
    expect(fromEnv.summary.delivery.concurrency.max).toBe(2)
    emulator.reset()
    const flag = await thirtyBatches(4000, ["--max-concurrency", "6"], { UPLINK_MAX_CONCURRENCY: "2" })
    expect(flag.summary.delivery.concurrency.max).toBe(6)
  }, 60_000)

  it("backs off when the service slows down as it is pushed (the emulator's latency profile)", async () => {
    // 100 ms up to 2 calls in flight, 100 ms more for each call beyond: 4 at once take up to 300 ms.
    emulator.setFaults({ latencyMs: 100, latencyPerInFlightMs: 100, latencyKnee: 2 })
    const run = await runInProcess(["apply", csv(400, 7000), "--batch-size", "10", "--json"], env)
    expect(run.code, run.stderr).toBe(0)
    const { delivery, byStatus } = JSON.parse(run.stdout)
    expect(byStatus.accepted).toBe(400)
    expect(delivery.concurrency.backoffs).toBeGreaterThanOrEqual(1)
    // Never near the bound of 16: the limit stayed where latency grows.
    expect(delivery.concurrency.peak).toBeLessThanOrEqual(6)
    expect(emulator.state().maxInFlight).toBeLessThanOrEqual(6)
    expect(delivery.latencyMs.floor).toBeGreaterThanOrEqual(100)
  }, 60_000)

  it("refuses a bound outside 1–64, naming the flag or the variable", async () => {
    const flag = await runInProcess(["apply", csv(1, 5000), "--max-concurrency", "65"], env)
    expect(flag.code).toBe(1)
    expect(flag.stderr).toContain("--max-concurrency must be a whole number from 1 to 64, got 65")
    const variable = await runInProcess(["apply", csv(1, 5001)], { ...env, UPLINK_MAX_CONCURRENCY: "lots" })
    expect(variable.code).toBe(1)
    expect(variable.stderr).toContain('UPLINK_MAX_CONCURRENCY must be a whole number from 1 to 64, got "lots"')
  })
})

describe("after a 117", () => {
  it("paces to what the window admitted; the --json summary carries the limiter's state", async () => {
    // 2 calls in any 1.5 s; 8 batches.
    emulator.setFaults({ rateLimit: { calls: 2, windowMs: 1500 } })
    const run = await runInProcess(
      ["apply", csv(80, 6000), "--batch-size", "10", "--rate-limit-window", "1500ms", "--json"],
      env
    )
    expect(run.code, run.stderr).toBe(0)
    const state = emulator.state()
    expect(state.accepted).toHaveLength(80)
    const { delivery, waits } = JSON.parse(run.stdout)
    expect(delivery).toMatchObject({ windowSeconds: 1.5, throttles: state.faultsInjected.rateLimit })
    expect(delivery.throttles).toBeGreaterThan(0)
    // What the window admits was learnt (real time jitters: a paced call may still meet the window's edge).
    expect(delivery.admittedPerWindow).toBeGreaterThanOrEqual(1)
    expect(delivery.admittedPerWindow).toBeLessThanOrEqual(2)
    expect(delivery.throttleEpisodes).toBeGreaterThanOrEqual(1)
    // 8 batches at 2 per 1.5 s take about 4.5 s: most of it paced, not paused.
    expect(delivery.waitSeconds.paced).toBeGreaterThan(0)
    expect(delivery.waitSeconds.rateLimited).toBeGreaterThan(0)
    expect(waits.rateLimited.count).toBeGreaterThan(0)
    expect(waits.paced.count).toBeGreaterThan(0)
    expect(delivery.concurrency.backoffs).toBeGreaterThanOrEqual(1)
  }, 30_000)
})

describe("the progress bar's status and the summary's delivery object", () => {
  const limiter = RateLimiter.make({ window: "60 seconds" })
  const base = limiter.stateAt(0)

  it("names the concurrency, and counts a pause after a 117 down in whole seconds", () => {
    const adaptive = limiter.concurrency.snapshot()
    const fixed = fixedConcurrency(3).snapshot()
    expect(deliveryStatus(base, adaptive, 0)).toBe("concurrency 4")
    expect(deliveryStatus(base, fixed, 0)).toBe("concurrency 3")
    const paused = { ...base, pausedUntil: 12_000 }
    expect(deliveryStatus(paused, adaptive, 0)).toBe("concurrency 4 | throttled, resuming in 12 s")
    expect(deliveryStatus(paused, adaptive, 11_500)).toBe("concurrency 4 | throttled, resuming in 1 s")
    expect(deliveryStatus(paused, adaptive, 12_000)).toBe("concurrency 4")
  })

  it("puts waits in seconds and the window's admitted rate in the summary", () => {
    const state = {
      ...base,
      admittedPerWindow: 40,
      throttles: 3,
      slowdowns: 1,
      waitedMs: { rateLimited: 12_345, paced: 500 }
    }
    expect(deliverySummary(state, limiter.concurrency.snapshot())).toEqual({
      concurrency: { mode: "adaptive", limit: 4, max: 16, peak: 4, backoffs: 0 },
      throttles: 3,
      throttleEpisodes: 1,
      admittedPerWindow: 40,
      windowSeconds: 60,
      waitSeconds: { rateLimited: 12.345, paced: 0.5 },
      latencyMs: { floor: null, median: null }
    })
  })
})

describe("the progress bar", () => {
  /** A stream that passes for a terminal, and everything drawn on it. */
  const terminal = () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 200 }) as unknown as NodeJS.WriteStream &
      PassThrough
    let drawn = ""
    stream.on("data", (chunk: Buffer) => {
      drawn += chunk.toString()
    })
    /** Resolves once `text` has been drawn (the bar redraws on its own timer, a few times a second). */
    const drawnSoon = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (!drawn.includes(text)) return
          stream.off("data", check)
          resolve()
        }
        stream.on("data", check)
        check()
      })
    return { stream, drawnSoon }
  }

  it("shows the delivery status beside the counts, and redraws it while no outcome comes", async () => {
    const { stream, drawnSoon } = terminal()
    let status = "concurrency 4"
    const progress = makeProgress({ enabled: true, totalBytes: 1000, status: () => status, stream })
    progress.update(10, 100)
    await drawnSoon("10 records")
    await drawnSoon("| concurrency 4")
    // A 117 pauses the run: no outcome comes, but the countdown is drawn (at least once a second).
    status = "concurrency 2 | throttled, resuming in 12 s"
    await drawnSoon("| concurrency 2 | throttled, resuming in 12 s")
    progress.stop()
  }, 10_000)
})
