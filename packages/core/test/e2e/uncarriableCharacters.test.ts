/**
 * End to end, over REST and over SOAP: records whose sent text (click id, goal name, attribution model) holds a
 * character XML 1.0 cannot carry — a C0 control, an unpaired surrogate, U+FFFE/U+FFFF — are `invalid` with that field
 * named, before batching, and the good records of the same file are delivered in the same request. Before this rule,
 * one such record made the SOAP encoder fail the whole request: every record `failed`, blamed on the wrong field.
 * The input is JSON Lines, whose `\u` escapes carry any UTF-16 code unit.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Outcome from "../../src/pipeline/outcome.js"
import type { Fixture } from "../support/Loopback.js"
import { applyFile, applyRequests, clickId, DAY, iso, NOW, startEmulator, writeInput } from "./support.js"

const PURCHASE = "Offline Purchase"
const CONVERSION = "2026-03-15T10:00:00Z"
const K = (n: number) => clickId(n)

const record = (fields: Record<string, unknown>): string =>
  JSON.stringify({ ConversionName: PURCHASE, ConversionTime: CONVERSION, ConversionValue: 5, ...fields })

/** Each line of the file, and the field its record must be refused for (`null`: the record is accepted). */
const lines: ReadonlyArray<readonly [text: string, field: string | null]> = [
  [record({ MicrosoftClickId: K(1) }), null],
  [record({ MicrosoftClickId: K(2), ConversionName: "Offline\u0007Purchase" }), "ConversionName"],
  [record({ MicrosoftClickId: K(3) }), null],
  [record({ MicrosoftClickId: `${K(4)}\u0000` }), "MicrosoftClickId"],
  [
    record({ MicrosoftClickId: K(5), ExternalAttributionCredit: 0.5, ExternalAttributionModel: "Lin\ud800ear" }),
    "ExternalAttributionModel"
  ],
  [record({ MicrosoftClickId: K(6), ConversionName: "Offline Purchase\uffff" }), "ConversionName"],
  [record({ MicrosoftClickId: K(7), ConversionName: "\udc00Offline Purchase" }), "ConversionName"],
  // TAB, LF and CR are carried by both transports (CR as &#13; in XML): not refused for them.
  [record({ MicrosoftClickId: K(8), ExternalAttributionCredit: 1, ExternalAttributionModel: "Last\tTouch\r\n" }), null],
  // A paired surrogate (an emoji) is an ordinary character.
  [
    record({ MicrosoftClickId: K(9), ExternalAttributionCredit: 1, ExternalAttributionModel: "Linear \ud83d\ude80" }),
    null
  ]
]

describe.each(["rest", "soap"] as const)("characters a transport cannot carry, over %s", (transport) => {
  let fixture: Fixture
  beforeAll(async () => {
    fixture = await startEmulator()
    const clicks: Record<string, string> = {}
    for (let n = 1; n <= 9; n++) clicks[K(n)] = iso(NOW - 3 * DAY)
    fixture.emulator.registerClicks(clicks)
    fixture.emulator.registerGoals([{ name: PURCHASE, createdAt: NOW - 10 * DAY }])
  })
  afterAll(async () => {
    await fixture?.stop()
  })

  it.effect("make their record invalid with the field named, and the other records are delivered", () =>
    Effect.gen(function* () {
      const path = writeInput(fixture.tempDir, "controls.jsonl", `${lines.map(([text]) => text).join("\n")}\n`)
      const { outcomes, requests } = yield* applyFile(fixture, transport, path)

      const actual = [...outcomes]
        .sort((a, b) => a.line - b.line)
        .map((outcome) => [outcome.line, Outcome.status(outcome), outcome._tag === "Invalid" ? outcome.field : null])
      const expected = lines.map(([, field], index) => [index + 1, field === null ? "accepted" : "invalid", field])
      assert.deepStrictEqual(actual, expected)
      for (const outcome of outcomes) {
        if (outcome._tag !== "Invalid") continue
        assert.strictEqual(outcome.errorCode, "UnsupportedCharacter")
        assert.match(
          outcome.message,
          /^\w+ contains the (control character|unpaired surrogate|noncharacter) U\+[0-9A-F]{4} at position \d+, which cannot be sent/
        )
      }
      const second = outcomes.find((outcome) => outcome.line === 2)
      assert.include(second?._tag === "Invalid" ? second.message : "", "control character U+0007 at position 8")

      // The good records went out in one request, and the service took exactly them, TAB/CR/LF intact.
      assert.strictEqual(applyRequests(requests).length, 1)
      const accepted = fixture.emulator.state().accepted
      assert.deepStrictEqual(accepted.map((entry) => entry.MicrosoftClickId).sort(), [K(1), K(3), K(8), K(9)])
      const models = accepted.map((entry) => entry.ExternalAttributionModel).filter((model) => model !== null)
      assert.sameMembers(models, ["Last\tTouch", "Linear \ud83d\ude80"])
    })
  )
})
