/**
 * End to end under the emulator's rate-limit fault alone, over REST and over SOAP, with the default (adaptive)
 * concurrency: 24,000 valid records against a service that admits 4 calls in any 60 s. After the first 117s the run
 * learns that rate and paces to it, so the 117s are those of the first burst only; every record is accepted exactly
 * once (a refused call applies nothing, and nothing is sent twice once answered); requests are the batches plus the
 * 117s; the run takes as long as the paced rate says. The waits run on the TestClock, which the emulator's clock
 * follows; the clock never moves while a request is on the wire.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Outcome from "../../src/pipeline/outcome.js"
import * as RateLimiter from "../../src/pipeline/rateLimiter.js"
import type { Fixture } from "../support/Loopback.js"
import { applyFile, applyRequests, clickId, DAY, iso, NOW, startEmulator, writeInput } from "./support.js"

const RECORDS = 24_000
const BATCH = 1_000
const NAME = "Offline Purchase"
const WINDOW = 60_000
const ADMITTED = 4

describe.each(["rest", "soap"] as const)(
  "24,000 records over %s against a rate limit of 4 calls a minute",
  (transport) => {
    let fixture: Fixture
    beforeAll(async () => {
      fixture = await startEmulator()
      const clicks: Record<string, string> = {}
      for (let i = 1; i <= RECORDS; i++) clicks[clickId(i)] = iso(NOW - 3 * DAY)
      fixture.emulator.registerClicks(clicks)
      fixture.emulator.registerGoals([{ name: NAME, createdAt: NOW - 10 * DAY }])
    })
    afterAll(async () => {
      await fixture?.stop()
    })

    it.effect(
      "learns the rate from the first 117s and paces to it: every record accepted once, nothing lost or sent twice",
      () =>
        Effect.gen(function* () {
          const lines = ["MicrosoftClickId,ConversionName,ConversionTime,ConversionValue,ConversionCurrencyCode"]
          for (let i = 1; i <= RECORDS; i++) {
            lines.push(`${clickId(i)},${NAME},${iso(NOW - 2 * DAY + i * 1000)},${(i % 100) + 0.5},USD`)
          }
          const path = writeInput(fixture.tempDir, `throttle-${transport}.csv`, `${lines.join("\n")}\n`)
          fixture.emulator.setFaults({ rateLimit: { calls: ADMITTED, windowMs: WINDOW } })
          const limiter = RateLimiter.make()
          const started = fixture.virtual.offsetMs
          const { outcomes, requests } = yield* applyFile(fixture, transport, path, { rateLimiter: limiter })

          // One outcome per line, every one accepted.
          assert.strictEqual(outcomes.length, RECORDS)
          assert.isTrue(outcomes.every((outcome) => Outcome.status(outcome) === "accepted"))
          assert.strictEqual(new Set(outcomes.map((outcome) => outcome.line)).size, RECORDS)

          // The emulator applied every record once and received none twice: refused calls apply nothing.
          const state = fixture.emulator.state()
          assert.strictEqual(state.accepted.length, RECORDS)
          assert.strictEqual(new Set(state.accepted.map((entry) => entry.MicrosoftClickId)).size, RECORDS)
          assert.isTrue(Object.values(state.receivedCounts).every((count) => count === 1))

          // Requests: each batch once, plus one per 117; the 117s all came before the rate was learnt.
          const batches = RECORDS / BATCH
          const refused = state.faultsInjected.rateLimit
          assert.isAbove(refused, 0)
          assert.isAtMost(refused, 8)
          assert.strictEqual(applyRequests(requests).length, batches + refused)
          const learnt = yield* limiter.state
          assert.strictEqual(learnt.admittedPerWindow, ADMITTED)
          assert.strictEqual(learnt.slowdowns, 1)
          assert.strictEqual(learnt.throttles, refused)
          // 24 calls at 4 a minute: the first 4 at once, the other 20 paced from the end of the first window (60.6 s)
          // one every 15.15 s — 348.45 s of virtual time; no faster than the service allows (the last call is at least
          // 5 windows after the first).
          const elapsed = fixture.virtual.offsetMs - started
          assert.isAtLeast(elapsed, 5 * WINDOW)
          assert.isAtMost(elapsed, 60_600 + 19 * 15_150 + 1_000)
        }),
      120_000
    )
  }
)
