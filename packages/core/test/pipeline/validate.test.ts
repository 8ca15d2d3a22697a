import { createHash } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { DateTime, Option } from "effect"
import * as Time from "../../src/pipeline/time.js"
import * as Validate from "../../src/pipeline/validate.js"
import type { FieldValues } from "../../src/pipeline/columns.js"
import type { Outcome } from "../../src/pipeline/outcome.js"
import { NOW, clickId, hoursAgo } from "./support.js"

const context: Validate.ValidationContext = { nowMs: NOW, time: {} }
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

const conversion = (values: FieldValues, ctx = context) => Validate.prepareConversion({ line: 7, values }, ctx)
const adjustment = (values: FieldValues, ctx = context) => Validate.prepareAdjustment({ line: 9, values }, ctx)

const base = { MicrosoftClickId: clickId(1), ConversionName: "Purchase", ConversionTime: hoursAgo(3) }
const restate = {
  ...base,
  AdjustmentType: "Restate",
  AdjustmentTime: hoursAgo(1),
  AdjustmentValue: "20",
  AdjustmentCurrencyCode: "EUR"
}
const retract = { ...base, AdjustmentType: "Retract", AdjustmentTime: hoursAgo(1) }

/** The code (numeric, else symbolic) of an invalid result, or "valid". */
const codeOf = (result: Validate.Prepared | Outcome): string | number => {
  if (!Validate.isOutcome(result)) return "valid"
  if (result._tag !== "Invalid") return result._tag
  return result.code ?? result.errorCode
}

describe("conversion rules", () => {
  it("a complete record is valid and becomes the typed request item", () => {
    const result = conversion({
      ...base,
      ConversionValue: "12.50",
      ConversionCurrencyCode: " eur ",
      ExternalAttributionCredit: "0.5",
      ExternalAttributionModel: "Linear"
    })
    expect(Validate.isOutcome(result)).toBe(false)
    if (Validate.isOutcome(result) || result._tag !== "Conversion") return
    expect(result.item).toEqual({
      ConversionCurrencyCode: "EUR",
      ConversionName: "Purchase",
      ConversionTime: DateTime.unsafeMake(NOW - 3 * 3_600_000),
      ConversionValue: 12.5,
      ExternalAttributionCredit: 0.5,
      ExternalAttributionModel: "Linear",
      MicrosoftClickId: clickId(1)
    })
    expect(result.identity).toEqual({
      microsoftClickId: clickId(1),
      conversionName: "Purchase",
      conversionTime: hoursAgo(3)
    })
  })

  const cases: ReadonlyArray<readonly [string, FieldValues, string | number]> = [
    ["5603 no click id and no identifier", { ...base, MicrosoftClickId: " " }, 5603],
    ["5605 no conversion name", { ...base, ConversionName: "" }, 5605],
    ["5605 conversion name of the wrong JSON type", { ...base, ConversionName: { a: 1 } }, 5605],
    ["5607 unparsable time", { ...base, ConversionTime: "next tuesday" }, 5607],
    ["5607 zone-less time without a configured zone", { ...base, ConversionTime: "2025-06-15T08:00:00" }, 5607],
    ["5608 missing time", { ...base, ConversionTime: undefined }, 5608],
    ["5609 more than 90 days ago", { ...base, ConversionTime: hoursAgo(90 * 24 + 1) }, 5609],
    ["5610 negative value", { ...base, ConversionValue: "-1" }, 5610],
    ["5610 value that is not a number", { ...base, ConversionValue: "12,50" }, 5610],
    ["5610 value that is not finite", { ...base, ConversionValue: "1e999" }, 5610],
    ["5611 unknown currency", { ...base, ConversionCurrencyCode: "TRY" }, 5611],
    ["5614 future time", { ...base, ConversionTime: hoursAgo(-0.01) }, 5614],
    [
      "attribution credit without model",
      { ...base, ExternalAttributionCredit: "0.5" },
      "ExternalAttributionRequiredFieldEmpty"
    ],
    [
      "attribution model without credit",
      { ...base, ExternalAttributionModel: "M" },
      "ExternalAttributionRequiredFieldEmpty"
    ],
    [
      "attribution credit 0",
      { ...base, ExternalAttributionCredit: "0", ExternalAttributionModel: "M" },
      "ExternalAttributionCreditValueInvalid"
    ],
    [
      "attribution credit above 1",
      { ...base, ExternalAttributionCredit: 1.01, ExternalAttributionModel: "M" },
      "ExternalAttributionCreditValueInvalid"
    ],
    [
      "hashed email in upper case",
      { ...base, HashedEmailAddress: sha256("a").toUpperCase() },
      "ConversionEmailAddressIsNotHashed"
    ],
    ["hashed phone too short", { ...base, HashedPhoneNumber: "abc123" }, "ConversionPhoneNumberIsNotHashed"],
    ["raw email that is not an address", { ...base, Email: "nobody" }, "EmailAddressInvalid"],
    ["raw phone without region", { ...base, Phone: "425 555 0100" }, "PhoneNumberInvalid"],
    [
      "raw and hashed email together",
      { ...base, Email: "a@b.c", HashedEmailAddress: sha256("a@b.c") },
      "ConflictingIdentifiers"
    ],
    ["an adjustment record in an apply run", { ...base, AdjustmentType: "Retract" }, "AdjustmentInApplyRun"]
  ]

  for (const [name, values, expected] of cases) {
    it(name, () => expect(codeOf(conversion(values))).toBe(expected))
  }

  it("the boundaries: exactly 90 days ago and exactly now are valid", () => {
    expect(codeOf(conversion({ ...base, ConversionTime: hoursAgo(90 * 24) }))).toBe("valid")
    expect(codeOf(conversion({ ...base, ConversionTime: hoursAgo(0) }))).toBe("valid")
    expect(codeOf(conversion({ ...base, ConversionValue: 0 }))).toBe("valid")
    expect(codeOf(conversion({ ...base, ExternalAttributionCredit: 1, ExternalAttributionModel: "M" }))).toBe("valid")
  })

  it("the invalid outcome carries the line, the service message and the field", () => {
    const result = conversion({ ...base, ConversionTime: "2025-02-30T00:00:00Z" })
    expect(result).toMatchObject({
      _tag: "Invalid",
      line: 7,
      code: 5607,
      errorCode: "OfflineConversionTimeInvalid",
      field: "ConversionTime",
      message:
        'The conversion time of offline conversion is invalid. ("2025-02-30T00:00:00Z": the day does not exist in that month.)',
      identity: { microsoftClickId: clickId(1), conversionName: "Purchase", conversionTime: "2025-02-30T00:00:00Z" }
    })
  })

  it("a zone-less time is valid once a time zone is configured", () => {
    const paris = { ...context, time: { timeZone: Option.getOrThrow(Time.zone("Europe/Paris")) } }
    const result = conversion({ ...base, ConversionTime: "2025-06-15T08:00:00" }, paris)
    expect(Validate.isOutcome(result) ? result : result.identity.conversionTime).toBe("2025-06-15T06:00:00.000Z")
  })

  it("outcomes show the conversion time as normalised UTC text, the input's own text when it already is", () => {
    const timeOf = (values: FieldValues, make: (values: FieldValues) => Validate.Prepared | Outcome = conversion) => {
      const result = make(values)
      return Validate.isOutcome(result) ? result._tag : result.identity.conversionTime
    }
    const canonical = new Date(NOW - 3 * 3_600_000 + 387).toISOString()
    expect(timeOf({ ...base, ConversionTime: canonical })).toBe(canonical)
    const shortForm = canonical.replace(/\.\d{3}Z$/, "Z")
    expect(timeOf({ ...base, ConversionTime: shortForm })).toBe(canonical.replace(/\.\d{3}Z$/, ".000Z"))
    const offset = canonical.replace(/Z$/, "+00:00")
    expect(timeOf({ ...base, ConversionTime: offset })).toBe(canonical)
    expect(timeOf({ ...retract, ConversionTime: canonical }, adjustment)).toBe(canonical)
  })

  it("a click id may be left out when a hashed or raw identifier is given", () => {
    expect(codeOf(conversion({ ...base, MicrosoftClickId: undefined, HashedEmailAddress: sha256("x@y.z") }))).toBe(
      "valid"
    )
    expect(codeOf(conversion({ ...base, MicrosoftClickId: undefined, Phone: "+14255550100" }))).toBe("valid")
  })

  it("raw email and phone are hashed and never kept", () => {
    const result = conversion(
      { ...base, Email: "  Jane.Doe@Example.COM ", Phone: "(425) 555-0100" },
      { ...context, defaultRegion: "US" }
    )
    if (Validate.isOutcome(result) || result._tag !== "Conversion") throw new Error("expected a valid record")
    expect(result.item.HashedEmailAddress).toBe(sha256("jane.doe@example.com"))
    expect(result.item.HashedPhoneNumber).toBe(sha256("+14255550100"))
    const text = JSON.stringify(result)
    expect(text).not.toMatch(/jane|example|555|425/i)
  })

  it("an invalid raw identifier is not echoed in the message", () => {
    const result = conversion({ ...base, Email: "jane.doe at example.com" })
    expect(JSON.stringify(result)).not.toMatch(/jane|example/)
    const hashedRaw = conversion({ ...base, HashedEmailAddress: "jane.doe@example.com" })
    expect(codeOf(hashedRaw)).toBe("ConversionEmailAddressIsNotHashed")
    expect(JSON.stringify(hashedRaw)).not.toMatch(/jane|example/)
  })

  it("XML-special and non-ASCII names pass unchanged", () => {
    for (const name of ["Sale <b>&amp;</b> \"quotes\" 'apos'", "Achat réussi – 日本語 – 🚀", "]]><![CDATA["]) {
      const result = conversion({ ...base, ConversionName: name })
      if (Validate.isOutcome(result)) throw new Error(`${name} should be valid`)
      expect(result.item.ConversionName).toBe(name)
    }
  })
})

describe("adjustment rules", () => {
  it("Restate and Retract records become typed items (Retract without value or currency)", () => {
    const restated = adjustment(restate)
    if (Validate.isOutcome(restated) || restated._tag !== "Adjustment") throw new Error("expected valid")
    expect(restated.item).toEqual({
      AdjustmentCurrencyCode: "EUR",
      AdjustmentTime: DateTime.unsafeMake(NOW - 3_600_000),
      AdjustmentType: "Restate",
      AdjustmentValue: 20,
      ConversionName: "Purchase",
      ConversionTime: DateTime.unsafeMake(NOW - 3 * 3_600_000),
      MicrosoftClickId: clickId(1)
    })
    const retracted = adjustment({ ...retract, AdjustmentType: "RETRACT", AdjustmentCurrencyCode: "USD" })
    if (Validate.isOutcome(retracted) || retracted._tag !== "Adjustment") throw new Error("expected valid")
    expect(retracted.item.AdjustmentType).toBe("Retract")
    expect(retracted.item).not.toHaveProperty("AdjustmentValue")
    expect(retracted.item).not.toHaveProperty("AdjustmentCurrencyCode")
  })

  const cases: ReadonlyArray<readonly [string, FieldValues, string | number]> = [
    ["5618 missing adjustment type", { ...retract, AdjustmentType: undefined }, 5618],
    ["5618 unknown adjustment type", { ...retract, AdjustmentType: "Delete" }, 5618],
    ["5619 missing adjustment time", { ...retract, AdjustmentTime: "" }, 5619],
    ["5620 adjustment before the conversion", { ...retract, AdjustmentTime: hoursAgo(4) }, 5620],
    ["5621 unparsable adjustment time", { ...retract, AdjustmentTime: "soon" }, 5621],
    ["5622 future adjustment time", { ...retract, AdjustmentTime: hoursAgo(-1) }, 5622],
    [
      "5609 first when the original conversion is out of the window",
      { ...retract, ConversionTime: hoursAgo(24 * 95), AdjustmentTime: hoursAgo(24 * 91) },
      5609
    ],
    ["5624 Retract with a value", { ...retract, AdjustmentValue: "3" }, 5624],
    ["5625 Restate without a value", { ...restate, AdjustmentValue: undefined }, 5625],
    ["5626 Restate without a currency", { ...restate, AdjustmentCurrencyCode: undefined }, 5626],
    ["5611 Restate with an unknown currency", { ...restate, AdjustmentCurrencyCode: "XYZ" }, 5611],
    ["5610 Restate with a negative value", { ...restate, AdjustmentValue: "-5" }, 5610],
    ["5605 adjustment without a name", { ...retract, ConversionName: undefined }, 5605],
    ["5608 adjustment without the original time", { ...retract, ConversionTime: undefined }, 5608],
    ["5603 adjustment without identifiers", { ...retract, MicrosoftClickId: undefined }, 5603]
  ]

  for (const [name, values, expected] of cases) {
    it(name, () => expect(codeOf(adjustment(values))).toBe(expected))
  }

  it("5623: an adjustment time out of the window (the original conversion inside it)", () => {
    // Unreachable with a valid ConversionTime (adjustment ≥ conversion ≥ now − 90 d), so check the rule's order with
    // a conversion time right at the window's edge and an adjustment time before it.
    const result = adjustment({ ...retract, ConversionTime: hoursAgo(24 * 90), AdjustmentTime: hoursAgo(24 * 90 + 1) })
    expect(codeOf(result)).toBe(5623)
  })
})
