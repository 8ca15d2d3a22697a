/**
 * One spec, two copies: the per-record rules of ApplyOfflineConversions and ApplyOfflineConversionAdjustments are
 * written once below, from Microsoft's documentation — each code with the docs' own ErrorCode and Message (the
 * "Operation error codes" page) — and both copies are held to it: the client's validation (`Codes.ServiceCodes`,
 * `Validate.prepare*`) and the emulator's rules (`errorCatalog`, what it answers when the record reaches it
 * unchecked). Neither side wrote this table, so a rule that drifts in one copy fails here rather than agreeing with
 * its twin.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type { RequestOf } from "@uplink/campaign-management"
import { errorCatalog } from "@uplink/emulator"
import { DAY, HOUR, iso, NOW } from "@uplink/emulator/testing"
import { DateTime, Effect, TestClock } from "effect"
import { CampaignManagement } from "../../src/index.js"
import * as Codes from "../../src/pipeline/codes.js"
import * as Validate from "../../src/pipeline/validate.js"
import type { FieldValues } from "../../src/pipeline/columns.js"
import { type Fixture, makeClient, runDriven, startFixture } from "../support/Loopback.js"

/** Where the codes and their wording come from. */
const DOCS = "https://learn.microsoft.com/en-us/advertising/guides/operation-error-codes?view=bingads-13"

const CLICK = "c1ab0000000000000000000000000001"
const GOAL = "Spec Goal"

interface Rule {
  readonly code: number
  readonly errorCode: string
  /** The docs' Message, verbatim (including its typos and spacing). */
  readonly message: string
  /** A record that breaks this rule and no earlier one. */
  readonly example: FieldValues
  readonly kind: "conversion" | "adjustment"
  /** Whether the client checks it before sending (`false`: only the service, which holds goals and clicks, can). */
  readonly local: boolean
  /**
   * Whether the record can be put on the wire to let the emulator judge it. An unparsable time cannot: the typed
   * request has no way to carry it (and the service's own decoder would refuse the request as a whole).
   */
  readonly sendable: boolean
}

const conversion = { MicrosoftClickId: CLICK, ConversionName: GOAL, ConversionTime: iso(NOW - 2 * HOUR) }
const restate = {
  ...conversion,
  AdjustmentType: "Restate",
  AdjustmentTime: iso(NOW - HOUR),
  AdjustmentValue: "20",
  AdjustmentCurrencyCode: "EUR"
}
const retract = { ...conversion, AdjustmentType: "Retract", AdjustmentTime: iso(NOW - HOUR) }

const rule = (
  code: number,
  errorCode: string,
  message: string,
  kind: Rule["kind"],
  example: FieldValues,
  options: { readonly local?: boolean; readonly sendable?: boolean } = {}
): Rule => ({
  code,
  errorCode,
  message,
  kind,
  example,
  local: options.local ?? true,
  sendable: options.sendable ?? true
})

/** The spec, from the docs (codes 5603–5626 that concern one record). */
const rules: ReadonlyArray<Rule> = [
  rule(
    5603,
    "OfflineConversionMicrosoftClickIdNullOrEmpty",
    "The Microsoft Click Id of offline conversion cannot be null or empty.",
    "conversion",
    { ...conversion, MicrosoftClickId: "" }
  ),
  rule(
    5604,
    "OfflineConversionMicrosoftClickIdInvalid",
    "The Microsoft Click Id of the offline conversion is invalid.",
    "conversion",
    // Not well-formed (32 hex digits would be accepted and reported unattributed later).
    { ...conversion, MicrosoftClickId: "ffff0000-not-a-click-id" },
    { local: false }
  ),
  rule(
    5605,
    "OfflineConversionNameNullOrEmpty",
    "The conversion name of offline conversion cannot be null or empty.",
    "conversion",
    { ...conversion, ConversionName: "" }
  ),
  rule(
    5606,
    "OfflineConversionNameInvalid",
    "The conversion name do not match an existing offline conversion goal.",
    "conversion",
    { ...conversion, ConversionName: "No Such Goal" },
    { local: false }
  ),
  rule(
    5607,
    "OfflineConversionTimeInvalid",
    "The conversion time of offline conversion is invalid.",
    "conversion",
    { ...conversion, ConversionTime: "yesterday" },
    { sendable: false }
  ),
  rule(
    5608,
    "OfflineConversionTimeNullOrEmpty",
    "The conversion time of offline conversion cannot be null or empty .",
    "conversion",
    { ...conversion, ConversionTime: "" }
  ),
  rule(5609, "OfflineConversionTimeOutOfWindow", "The conversion time is out of the conversion window.", "conversion", {
    ...conversion,
    ConversionTime: iso(NOW - 91 * DAY)
  }),
  rule(5610, "OfflineConversionValueInvalid", "The conversion value of offline conversion is invalid.", "conversion", {
    ...conversion,
    ConversionValue: "-1"
  }),
  rule(
    5611,
    "OfflineConversionCurrencyCodeInvalid",
    "The currency code of offline conversion is invalid.",
    "conversion",
    { ...conversion, ConversionCurrencyCode: "XYZ" }
  ),
  rule(5614, "FutureConversionTimeCannotBeSet", "A future conversion time cannot be set.", "conversion", {
    ...conversion,
    ConversionTime: iso(NOW + HOUR)
  }),
  rule(
    5618,
    "OfflineConversionInvalidAdjustmentType",
    "The offline conversion adjustment type is invalid.",
    "adjustment",
    { ...retract, AdjustmentType: "Delete" }
  ),
  rule(
    5619,
    "OfflineConversionAdjustmentTimeNullOrEmpty",
    "The offline conversion adjustment time is empty.",
    "adjustment",
    { ...retract, AdjustmentTime: "" }
  ),
  rule(
    5620,
    "OfflineConversionAdjustmentTimeEarlierThanConversionTime",
    "The offline conversion adjustment time is earlier than conversion time.",
    "adjustment",
    { ...retract, AdjustmentTime: iso(NOW - 3 * HOUR) }
  ),
  rule(
    5621,
    "OfflineConversionAdjustmentTimeInvalid",
    "The offline conversion adjustment time is invalid.",
    "adjustment",
    { ...retract, AdjustmentTime: "soon" },
    { sendable: false }
  ),
  rule(
    5622,
    "OfflineConversionFutureAdjustmentTimeCannotBeSet",
    "The offline conversion adjustment time cannot be in the future.",
    "adjustment",
    { ...retract, AdjustmentTime: iso(NOW + HOUR) }
  ),
  rule(
    5624,
    "OfflineConversionAdjustmentValueNotExpected",
    "The offline conversion adjustment value is not expected.",
    "adjustment",
    { ...retract, AdjustmentValue: "5" }
  ),
  rule(
    5625,
    "OfflineConversionAdjustmentValueRequired",
    "The offline conversion adjustment value is required.",
    "adjustment",
    { ...restate, AdjustmentValue: "" }
  ),
  rule(
    5626,
    "OfflineConversionCurrencyValueRequired",
    "The offline conversion currency value is required.",
    "adjustment",
    { ...restate, AdjustmentCurrencyCode: "" }
  )
]

describe("the per-record rules, from the docs", () => {
  it("every rule the client checks carries the docs' code, ErrorCode and Message", () => {
    const client = new Map(Object.values(Codes.ServiceCodes).map((entry) => [entry.code, entry]))
    for (const spec of rules.filter((r) => r.local)) {
      assert.deepStrictEqual(
        client.get(spec.code),
        { code: spec.code, errorCode: spec.errorCode, message: spec.message },
        DOCS
      )
    }
  })

  it("the emulator answers every rule with the docs' code, ErrorCode and Message", () => {
    for (const spec of rules) {
      const entry = (errorCatalog as Record<number, unknown>)[spec.code]
      assert.deepStrictEqual(entry, { code: spec.code, errorCode: spec.errorCode, message: spec.message }, DOCS)
    }
  })

  it("the client's validation gives each local rule's code for its example, and passes the others' examples", () => {
    const context: Validate.ValidationContext = { nowMs: NOW, time: {} }
    for (const spec of rules) {
      const record = { line: 1, values: spec.example }
      const result =
        spec.kind === "conversion"
          ? Validate.prepareConversion(record, context)
          : Validate.prepareAdjustment(record, context)
      const code = Validate.isOutcome(result) && result._tag === "Invalid" ? result.code : "valid"
      assert.strictEqual(code, spec.local ? spec.code : "valid", `${spec.code} ${spec.errorCode}`)
    }
  })
})

/** The typed request item of an example, as an unchecking client would send it. */
const time = (text: unknown) =>
  typeof text === "string" && text !== "" ? DateTime.unsafeMake(Date.parse(text)) : undefined
const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined)
const amount = (value: unknown) => (typeof value === "string" && value !== "" ? Number(value) : undefined)

const conversionItem = (values: FieldValues) => ({
  MicrosoftClickId: text(values.MicrosoftClickId),
  ConversionName: text(values.ConversionName),
  ConversionTime: time(values.ConversionTime),
  ConversionValue: amount(values.ConversionValue),
  ConversionCurrencyCode: text(values.ConversionCurrencyCode)
})

const adjustmentItem = (values: FieldValues) => ({
  ...conversionItem(values),
  ConversionValue: undefined,
  ConversionCurrencyCode: undefined,
  AdjustmentType: text(values.AdjustmentType),
  AdjustmentTime: time(values.AdjustmentTime),
  AdjustmentValue: amount(values.AdjustmentValue),
  AdjustmentCurrencyCode: text(values.AdjustmentCurrencyCode)
})

/** `value` without its undefined members (optional fields are absent, not undefined, in the typed request). */
const defined = <A extends object>(value: A): A =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as A

describe("the emulator judges each sendable example by the same spec", () => {
  let fixture: Fixture
  beforeAll(async () => {
    fixture = await startFixture({ demo: false }, () => NOW)
    fixture.emulator.registerClicks({ [CLICK]: iso(NOW - DAY) })
    // No revenue currency on the goal: the docs make AdjustmentCurrencyCode required for a Restate (5626).
    fixture.emulator.registerGoals([{ name: GOAL, createdAt: NOW - 10 * DAY }])
  })
  afterAll(async () => {
    await fixture?.stop()
  })

  it.effect("each example comes back as one partial error with the rule's code", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const client = makeClient(fixture, { transport: "rest" })
      for (const spec of rules.filter((r) => r.sendable)) {
        const call = Effect.flatMap(CampaignManagement, (cm) =>
          spec.kind === "conversion"
            ? Effect.map(
                cm.callOnce("ApplyOfflineConversions", {
                  OfflineConversions: [defined(conversionItem(spec.example))]
                } as RequestOf<"ApplyOfflineConversions">),
                (result) => result.response.PartialErrors
              )
            : Effect.map(
                cm.callOnce("ApplyOfflineConversionAdjustments", {
                  OfflineConversionAdjustments: [defined(adjustmentItem(spec.example))]
                } as RequestOf<"ApplyOfflineConversionAdjustments">),
                (result) => result.response.PartialErrors
              )
        )
        const errors = yield* runDriven(fixture, call, client.layer)
        const codes = (errors ?? []).map((error) => error?.Code)
        assert.deepStrictEqual(codes, [spec.code], `${spec.code} ${spec.errorCode}`)
      }
    })
  )
})
