import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Schedule, TestClock, TestContext } from "effect"
import * as OfflineConversions from "../../src/pipeline/offlineConversions.js"
import * as ResultsRows from "../../src/pipeline/resultsRows.js"
import { DeliveryError } from "../../src/pipeline/sender.js"
import { NOW, bytes, clickId, collect, hoursAgo, makeFakeSender } from "./support.js"

/** One generated input row: a record in some state, or a line that cannot be read. */
type Row =
  | {
      readonly kind: "record"
      readonly click: number
      readonly name: string
      readonly hours: number
      readonly value: string
      readonly currency: string
      readonly withEmail: boolean
    }
  | { readonly kind: "repeat"; readonly of: number }
  | { readonly kind: "garbage"; readonly text: string }

const nameArb = fc.oneof(
  fc.constantFrom("Purchase", "Lead, qualified", 'Say "hi"', "Multi\nline", "Café – 日本 <&>", "  padded  ", ""),
  fc.string({ maxLength: 12 })
)

const rowArb: fc.Arbitrary<Row> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("record" as const),
      click: fc.integer({ min: 1, max: 400 }),
      name: nameArb,
      hours: fc.oneof(fc.integer({ min: 0, max: 24 * 89 }), fc.constantFrom(-5, 24 * 91)),
      value: fc.constantFrom("1", "12.5", "0", "-3", "abc", ""),
      currency: fc.constantFrom("USD", "eur", "", "XXX"),
      withEmail: fc.boolean()
    })
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("repeat" as const), of: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("garbage" as const),
      text: fc.constantFrom('"x"y,1,2,3,4,5', 'a"b,c,d,e,f,g', "only,three,fields", "1,2,3,4,5,6,7,8")
    })
  }
)

const quote = (value: string) => (/[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value)

/** The CSV text and the 1-based line each record starts on (one per row, garbage included). */
const render = (rows: ReadonlyArray<Row>, crlf: boolean) => {
  const eol = crlf ? "\r\n" : "\n"
  const out = [
    `${crlf ? "\uFEFF" : ""}MicrosoftClickId,ConversionName,ConversionTime,ConversionValue,ConversionCurrencyCode,Email`
  ]
  const startLines: Array<number> = []
  let line = 2
  const rendered: Array<string> = []
  rows.forEach((row, index) => {
    let text: string
    if (row.kind === "garbage") text = row.text
    else if (row.kind === "repeat" && rendered.length > 0) text = rendered[row.of % rendered.length]
    else if (row.kind === "repeat") text = "1,2,3"
    else {
      text = [
        clickId(row.click),
        quote(row.name),
        hoursAgo(row.hours),
        row.value,
        row.currency,
        row.withEmail ? `user${row.click}@example.com` : ""
      ].join(",")
      rendered.push(text)
    }
    void index
    startLines.push(line)
    out.push(text)
    line += text.split("\n").length
  })
  return { text: out.join(eol) + eol, startLines }
}

describe("property: one outcome per record", () => {
  it("for random inputs, outcomes = records and each line appears once", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowArb, { minLength: 0, maxLength: 120 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 3 }),
        async (rows, crlf, chunkSize, batchSize, failEvery) => {
          const { text, startLines } = render(rows, crlf)
          const fake = makeFakeSender((call) =>
            failEvery > 0 && call.call % (failEvery + 1) === 0
              ? {
                  _tag: "fail",
                  failure: new DeliveryError({ retry: call.attempt < 2 ? "now" : "never", message: "flaky" })
                }
              : {
                  _tag: "ok",
                  errors: call.items.flatMap((item, Index) =>
                    item.ConversionName === "Purchase" ? [{ Index, Code: 5606, Message: "no such goal" }] : []
                  )
                }
          )
          const program = Effect.gen(function* () {
            yield* TestClock.setTime(NOW)
            const fiber = yield* Effect.fork(
              collect(
                OfflineConversions.apply(bytes(text, chunkSize), {
                  batchSize,
                  concurrency: 2,
                  retrySchedule: Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(2)))
                })
              ).pipe(Effect.provide(fake.layer))
            )
            yield* TestClock.adjust("1 hour")
            return yield* fiber.await.pipe(Effect.flatten)
          })
          const outcomes = await Effect.runPromise(program.pipe(Effect.provide(TestContext.TestContext)))
          expect(outcomes).toHaveLength(rows.length)
          expect(outcomes.map((o) => o.line).sort((a, b) => a - b)).toEqual(startLines)
          const results = outcomes.map(ResultsRows.row).join("")
          expect(results).not.toContain("@example.com")
          for (const call of fake.calls) expect(call.items.length).toBeLessThanOrEqual(batchSize)
        }
      ),
      { numRuns: 150 }
    )
  }, 60_000)
})
