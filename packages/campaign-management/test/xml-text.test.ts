/**
 * The one rule of which characters XML 1.0 can carry: `uncarriableCharacter` (what validation asks before a record is
 * batched) and `escapeText` (what the SOAP writer does) agree on every string — a value is refused by one exactly when
 * the other finds a character, at the same offset.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { uncarriableCharacter } from "../src/index.js"
import { escapeText } from "../src/xml/text.js"

const offsetInMessage = (s: string): number | undefined => {
  try {
    escapeText(s)
    return undefined
  } catch (error) {
    return Number(/at offset (\d+)/.exec((error as { message: string }).message)?.[1])
  }
}

/** Strings that often hold controls, surrogates (paired and not), U+FFFE/U+FFFF and XML specials. */
const tricky = fc.array(
  fc.oneof(
    fc.integer({ min: 0, max: 0x20 }).map((code) => String.fromCharCode(code)),
    fc.constantFrom(
      "\ud800",
      "\udbff",
      "\udc00",
      "\udfff",
      "\ud83d\ude80",
      "\ufffe",
      "\uffff",
      "\ufffd",
      "&",
      "<",
      "é"
    ),
    fc.string({ maxLength: 3 })
  ),
  { maxLength: 8 }
)

describe("characters XML 1.0 can carry", () => {
  it("uncarriableCharacter and escapeText agree on every string", () => {
    fc.assert(
      fc.property(tricky, (parts) => {
        const s = parts.join("")
        expect(uncarriableCharacter(s)?.offset).toBe(offsetInMessage(s))
      }),
      { numRuns: 2_000 }
    )
  })

  it("names what it finds", () => {
    expect(uncarriableCharacter("ab\u0007")).toEqual({ offset: 2, character: "U+0007", kind: "control character" })
    expect(uncarriableCharacter("x\udc00")).toEqual({ offset: 1, character: "U+DC00", kind: "unpaired surrogate" })
    expect(uncarriableCharacter("\ud800x")).toEqual({ offset: 0, character: "U+D800", kind: "unpaired surrogate" })
    expect(uncarriableCharacter("\uffff")).toEqual({ offset: 0, character: "U+FFFF", kind: "noncharacter" })
    expect(uncarriableCharacter("tab\tcr\rlf\n \ud83d\ude80 <&>")).toBeUndefined()
  })
})
