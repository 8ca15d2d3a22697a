/**
 * Delivery of a large run (a volume run of the integration gate): 25,000 records through a fake sender that fails,
 * answers 117 and reports partial errors, under the TestClock; every valid record is accepted, none failed or lost.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { DeliveryError } from "../../src/index.js"
import * as OfflineConversions from "../../src/pipeline/offlineConversions.js"
import * as Summary from "../../src/pipeline/summary.js"
import {
  type FakeAnswer,
  atNow,
  bytes,
  clickId,
  collect,
  hoursAgo,
  makeFakeSender,
  rateLimited,
  runWithClock,
  transient
} from "./support.js"

/** The click id of record `i`: those the fake service does not know start with "bad". */
const clickOf = (i: number) => (i % 211 === 0 ? `bad${clickId(i).slice(3)}` : clickId(i))

describe("delivery of a large run through a flaky service", () => {
  it.effect(
    "25,000 records with failures, 117s and partial errors: every valid record accepted, none failed, none lost",
    () =>
      Effect.gen(function* () {
        yield* atNow
        const n = 25_000
        const lines: Array<string> = [
          "MicrosoftClickId,ConversionName,ConversionTime,ConversionValue,ConversionCurrencyCode"
        ]
        // The model: which records are invalid, duplicates, or unknown to the service.
        const expected = new Map<number, string>()
        const keys = new Map<string, number>()
        let sent = 0
        for (let i = 1; i <= n; i++) {
          const line = i + 1
          const source = i % 101 === 0 ? i - 1 : i
          const click = clickOf(source)
          const time = hoursAgo(1 + (source % 500) / 10)
          const currency = i % 97 === 0 ? "XXX" : "USD"
          lines.push(`${click},Purchase,${time},${i % 40},${currency}`)
          if (currency === "XXX") {
            expected.set(line, "Invalid")
            continue
          }
          const key = `${click}|${time}`
          if (keys.has(key)) {
            expected.set(line, "Duplicate")
            continue
          }
          keys.set(key, line)
          sent++
          expected.set(line, click.startsWith("bad") ? "Rejected" : "Accepted")
        }

        const injected = new Map<number, FakeAnswer>([
          [2, transient()],
          [5, rateLimited],
          [9, transient()],
          [10, transient()],
          [17, rateLimited],
          [23, transient("HTTP 503")]
        ])
        const fake = makeFakeSender((call) => {
          const failure = injected.get(call.call)
          if (failure !== undefined) return failure
          const errors = call.items.flatMap((item, Index) =>
            item.MicrosoftClickId?.startsWith("bad")
              ? [{ Index, Code: 5604, ErrorCode: "OfflineConversionMicrosoftClickIdInvalid", Message: "unknown click" }]
              : []
          )
          return { _tag: "ok", errors }
        })

        const outcomes = yield* runWithClock(
          collect(OfflineConversions.apply(bytes(`${lines.join("\r\n")}\r\n`, 64 * 1024))).pipe(
            Effect.provide(fake.layer)
          ),
          "10 seconds"
        )

        // One outcome per record, each line once, each as the model says.
        expect(outcomes).toHaveLength(n)
        const byLine = new Map(outcomes.map((o) => [o.line, o._tag]))
        expect(byLine.size).toBe(n)
        expect(byLine).toEqual(expected)
        const counts = outcomes.reduce(Summary.add, Summary.empty)
        expect(counts.byStatus.failed).toBe(0)
        expect(counts.byStatus.accepted + counts.byStatus.rejected).toBe(sent)
        expect(counts.byCode).toMatchObject({ "5604": counts.byStatus.rejected, "5611": counts.byStatus.invalid })

        // Batches: none over 1,000; calls = ceil(sent / 1000) + the injected failures.
        expect(Math.max(...fake.calls.map((c) => c.items.length))).toBeLessThanOrEqual(1000)
        expect(fake.calls).toHaveLength(Math.ceil(sent / 1000) + injected.size)
        // Every sent record was in exactly one successful call.
        const delivered = fake.calls
          .filter((c) => !injected.has(c.call))
          .flatMap((c) => c.items.map((i) => `${i.MicrosoftClickId}|${i.ConversionTime}`))
        expect(delivered).toHaveLength(sent)
        expect(new Set(delivered).size).toBe(sent)
      }),
    60_000
  )
})

describe("what a run does with each row of the retry table", () => {
  const csv = "MicrosoftClickId,ConversionName,ConversionTime\n" + `${clickId(1)},Purchase,${hoursAgo(1)}\n`
  it.effect.each([
    // retry, attempts a run makes when every attempt fails so (the default schedule: 5 retries)
    ["now", 6],
    ["afterWait", 6],
    ["later", 1],
    ["never", 1]
  ] as const)("%s: %i attempt(s), and the failed outcome carries it", ([retry, attempts]) =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender(() => ({
        _tag: "fail",
        failure: new DeliveryError({ retry, message: `always ${retry}`, kind: "Test" })
      }))
      const outcomes = yield* runWithClock(
        collect(OfflineConversions.apply(bytes(csv))).pipe(Effect.provide(fake.layer))
      )
      expect(fake.calls).toHaveLength(attempts)
      expect(outcomes).toHaveLength(1)
      expect(outcomes[0]).toMatchObject({ _tag: "Failed", cause: { retry, attempts, kind: "Test" } })
    })
  )
})
