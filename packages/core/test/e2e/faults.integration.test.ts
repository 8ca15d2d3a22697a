/**
 * End to end under fault injection, over REST and over SOAP: 25,000 valid records against an emulator that fails
 * calls with code 0 (the first and every 9th), answers 117 beyond 6 calls a minute, applies and then drops every 7th
 * answered call or cuts its body (every 5th), lets each access token make 10 calls before 109 (OAuth refreshes it)
 * and, over SOAP, sends its faults with HTTP 200. The run must end with every record accepted, none failed or lost,
 * no request over 1,000 items, and exactly ceil(n / 1,000) requests plus one per injected fault. Waits (backoff, the
 * 60 s after a 117) run on the TestClock, which the emulator's clock follows, so they cost no real time.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Deliver from "../../src/pipeline/deliver.js"
import * as Outcome from "../../src/pipeline/outcome.js"
import type { Fixture } from "../support/Loopback.js"
import {
  applyFile,
  applyRequests,
  clickId,
  DAY,
  iso,
  itemsInRequest,
  NOW,
  startEmulator,
  writeInput
} from "./support.js"

const RECORDS = 25_000
const BATCH = 1_000
const NAME = "Offline Purchase"

const writeFile = (fixture: Fixture): string => {
  const lines = ["MicrosoftClickId,ConversionName,ConversionTime,ConversionValue,ConversionCurrencyCode"]
  for (let i = 1; i <= RECORDS; i++) {
    lines.push(`${clickId(i)},${NAME},${iso(NOW - 2 * DAY + i * 1000)},${(i % 100) + 0.5},USD`)
  }
  return writeInput(fixture.tempDir, "faults.csv", `${lines.join("\n")}\n`)
}

describe.each(["rest", "soap"] as const)("25,000 records over %s with injected faults", (transport) => {
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
    "every record is accepted exactly once, none failed or lost, and every extra request is an injected fault",
    () =>
      Effect.gen(function* () {
        const path = writeFile(fixture)
        fixture.emulator.setFaults({
          failFirst: 1,
          failEvery: 9,
          rateLimit: { calls: 6, windowMs: 60_000 },
          dropAfterApplyEvery: 7,
          garbageEvery: 5,
          expireTokenAfter: 10,
          faultsHttp200: transport === "soap"
        })
        const { outcomes, requests } = yield* applyFile(fixture, transport, path, {
          concurrency: 4,
          retrySchedule: Deliver.retrySchedule({ maxRetries: 20 })
        })

        // One outcome per line, every one accepted.
        assert.strictEqual(outcomes.length, RECORDS)
        const statuses = new Map<string, number>()
        for (const outcome of outcomes) {
          const status = Outcome.status(outcome)
          statuses.set(status, (statuses.get(status) ?? 0) + 1)
        }
        assert.deepStrictEqual(Object.fromEntries(statuses), { accepted: RECORDS })
        const lines = new Set(outcomes.map((outcome) => outcome.line))
        assert.strictEqual(lines.size, RECORDS)
        for (let line = 2; line <= RECORDS + 1; line++) {
          if (!lines.has(line)) assert.fail(`line ${line} has no outcome`)
        }

        // The emulator accepted exactly the file's records, each once.
        const state = fixture.emulator.state()
        assert.strictEqual(state.accepted.length, RECORDS)
        const accepted = new Set(state.accepted.map((entry) => entry.MicrosoftClickId))
        assert.strictEqual(accepted.size, RECORDS)
        for (let i = 1; i <= RECORDS; i++) {
          if (!accepted.has(clickId(i))) assert.fail(`click ${i} was not accepted`)
        }

        // Every kind of fault happened, and each cost exactly one more request.
        const faults = state.faultsInjected
        assert.isAbove(faults.failure, 0)
        assert.isAbove(faults.rateLimit, 0)
        assert.isAbove(faults.dropAfterApply, 0)
        assert.isAbove(faults.garbage, 0)
        assert.isAbove(faults.tokenExpired, 0)
        assert.strictEqual(faults.faultHttp200 > 0, transport === "soap")
        const retries = faults.failure + faults.rateLimit + faults.dropAfterApply + faults.garbage + faults.tokenExpired
        const batches = Math.ceil(RECORDS / BATCH)
        assert.strictEqual(state.requestsByOp.ApplyOfflineConversions, batches + retries)
        assert.strictEqual(state.requests, batches + retries)

        // What the client sent: the same number of requests, none over 1,000 items.
        const sent = applyRequests(requests)
        assert.strictEqual(sent.length, batches + retries)
        const sizes = sent.map(itemsInRequest)
        assert.isAtMost(Math.max(...sizes), BATCH)
        assert.strictEqual(
          sizes.reduce((a, b) => a + b, 0),
          BATCH * sent.length
        )
        // Applied calls whose answer was lost were sent again: the service saw those records twice and ignored them.
        const received = Object.values(state.receivedCounts).reduce((a, b) => a + b, 0)
        assert.strictEqual(received, BATCH * (batches + faults.dropAfterApply + faults.garbage))
        // 109 was answered by refreshing the access token (OAuth), not by failing.
        const refreshes = state.tokenRequests.filter((r) => r.grantType === "refresh_token" && r.outcome === "issued")
        assert.isAtLeast(refreshes.length, 2)
      }),
    60_000
  )
})
