/**
 * End to end, over REST and over SOAP: one CSV with a record for every local validation rule, every service-side rule
 * the emulator judges from the clicks and goals registered here (5604, 5606, 5615, 5616, 5617), duplicates (exact,
 * via another offset, a sub-second variant, a raw email in other case), XML-special and non-ASCII goal names, +05:30
 * and −08:00 offsets, and raw email and phone. The full list of (line, status, code, errorCode) must come out, and the
 * emulator must have accepted exactly the valid records, field by field, with email and phone arriving hashed only.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import * as GoalCheck from "../../src/pipeline/goalCheck.js"
import * as Outcome from "../../src/pipeline/outcome.js"
import type { Fixture } from "../support/Loopback.js"
import {
  applyFile,
  applyRequests,
  clickId,
  csvLine,
  DAY,
  fetchGoalNames,
  HOUR,
  iso,
  itemsInRequest,
  NOW,
  startEmulator,
  writeInput
} from "./support.js"

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex")

const PURCHASE = "Offline Purchase"
const XML_NAME = 'Purchase & <Lead> "Q4"'
const FRENCH_NAME = "Achat réussi ✓"
const FRESH_GOAL = "Fresh Goal"
const SHORT_WINDOW_GOAL = "Short Window"

/** The usual conversion time, 26 h before NOW, and the usual click time, three days before NOW. */
const CONVERSION = "2026-03-15T10:00:00Z"
const CLICKED = NOW - 3 * DAY

const K = (n: number) => clickId(n)
/**
 * A click id that is not well-formed (not 32 hex digits): the service refuses it with 5604. A well-formed one it does
 * not know is accepted and only reported unattributed later (GetOfflineConversionReportByGoalIds).
 */
const UNKNOWN_CLICK = `not-a-click-${clickId("unknown").slice(0, 8)}`
const GIVEN_HASH = sha256("given@example.net")

const registerWorld = (fixture: Fixture) => {
  const clicks: Record<string, string> = {}
  for (let n = 1; n <= 40; n++) clicks[K(n)] = iso(CLICKED)
  clicks[K(10)] = "2026-03-15T12:00:00Z" // after its conversion: 5616
  clicks[K(11)] = "2026-03-15T06:00:00Z" // four hours before, for a 60-minute goal: 5617
  fixture.emulator.registerClicks(clicks)
  const old = NOW - 10 * DAY
  fixture.emulator.registerGoals([
    { name: PURCHASE, createdAt: old, revenue: { type: "VariableValue", value: 10, currencyCode: "USD" } },
    { name: XML_NAME, createdAt: old },
    { name: FRENCH_NAME, createdAt: old },
    { name: FRESH_GOAL, createdAt: NOW - HOUR },
    { name: SHORT_WINDOW_GOAL, createdAt: old, conversionWindowInMinutes: 60 }
  ])
}

const HEADER = [
  "Microsoft Click Id",
  "Conversion Name",
  "Conversion Time",
  "Conversion Value",
  "Conversion Currency Code",
  "External Attribution Credit",
  "External Attribution Model",
  "Hashed Email Address",
  "Hashed Phone Number",
  "Email",
  "Phone",
  "Adjustment Type"
]

interface Row {
  readonly click?: string
  readonly name?: string
  readonly time?: string
  readonly value?: string
  readonly currency?: string
  readonly credit?: string
  readonly model?: string
  readonly hashedEmail?: string
  readonly hashedPhone?: string
  readonly email?: string
  readonly phone?: string
  readonly adjustmentType?: string
}

/** A row with the usual valid values, overridden by `row`. */
const line = (row: Row): string =>
  csvLine([
    row.click ?? "",
    row.name ?? PURCHASE,
    row.time ?? CONVERSION,
    row.value ?? "10",
    row.currency ?? "USD",
    row.credit ?? "",
    row.model ?? "",
    row.hashedEmail ?? "",
    row.hashedPhone ?? "",
    row.email ?? "",
    row.phone ?? "",
    row.adjustmentType ?? ""
  ])

type Expected = readonly [status: Outcome.Status, code: number | null, errorCode: string | null]

const accepted: Expected = ["accepted", null, null]
const duplicate: Expected = ["duplicate", null, null]
const rejected = (code: number, errorCode: string): Expected => ["rejected", code, errorCode]
const invalid = (code: number | null, errorCode: string): Expected => ["invalid", code, errorCode]

/** The file, one entry per line after the header: the raw text and what must become of it. */
const records: ReadonlyArray<readonly [text: string, expected: Expected]> = [
  // 2–9: valid
  [line({ click: K(1), value: "12.5" }), accepted],
  [line({ click: K(2), name: XML_NAME, time: "2026-03-15T15:30:00+05:30", value: "99.99", currency: "usd" }), accepted],
  [
    line({ click: K(3), name: FRENCH_NAME, time: "2026-03-15T02:00:00\u221208:00", value: "7", currency: "EUR" }),
    accepted
  ],
  [line({ click: K(4), time: "2026-03-14T18:15:30.250-08:00", value: "", currency: "" }), accepted],
  [line({ email: " Jane.Doe@Example.COM ", phone: "+44 20 7946 0958" }), accepted],
  [line({ click: K(5), name: FRENCH_NAME, time: "2026-03-15 11:00:00+01:00", email: "sam@example.org" }), accepted],
  [line({ click: K(6), hashedEmail: GIVEN_HASH }), accepted],
  [line({ click: K(7), credit: "0.4", model: "Linear" }), accepted],
  // 10–12: duplicates of lines 2 and 6 (the same second via another offset; the same email in other case)
  [line({ click: K(1), value: "12.5" }), duplicate],
  [line({ click: K(1), time: "2026-03-15T15:30:00.900+05:30", value: "13" }), duplicate],
  [line({ email: "JANE.DOE@EXAMPLE.COM", phone: "+442079460958" }), duplicate],
  // 13–17: rules only the service can judge
  [line({ click: UNKNOWN_CLICK }), rejected(5604, "OfflineConversionMicrosoftClickIdInvalid")],
  [line({ click: K(8), name: "No Such Goal" }), rejected(5606, "OfflineConversionNameInvalid")],
  [line({ click: K(9), name: FRESH_GOAL }), rejected(5615, "OfflineConversionNotAcceptedForGoal")],
  [line({ click: K(10) }), rejected(5616, "ConversionTimeEarlierThanClickTime")],
  [line({ click: K(11), name: SHORT_WINDOW_GOAL }), rejected(5617, "ClickIdDateTimeOutsideGoalConversionWindow")],
  // 18–35: local validation, each on a record with a known click that the service would otherwise accept
  [line({}), invalid(5603, "OfflineConversionMicrosoftClickIdNullOrEmpty")],
  [line({ click: K(20), name: "" }), invalid(5605, "OfflineConversionNameNullOrEmpty")],
  [line({ click: K(21), time: "" }), invalid(5608, "OfflineConversionTimeNullOrEmpty")],
  [line({ click: K(22), time: "yesterday" }), invalid(5607, "OfflineConversionTimeInvalid")],
  [line({ click: K(23), time: "2026-03-15T10:00:00" }), invalid(5607, "OfflineConversionTimeInvalid")],
  [line({ click: K(24), time: "2026-03-17T10:00:00Z" }), invalid(5614, "FutureConversionTimeCannotBeSet")],
  [line({ click: K(25), time: "2025-12-01T10:00:00Z" }), invalid(5609, "OfflineConversionTimeOutOfWindow")],
  [line({ click: K(26), value: "-5" }), invalid(5610, "OfflineConversionValueInvalid")],
  [line({ click: K(27), value: "abc" }), invalid(5610, "OfflineConversionValueInvalid")],
  [line({ click: K(28), currency: "XYZ" }), invalid(5611, "OfflineConversionCurrencyCodeInvalid")],
  [line({ click: K(29), credit: "0.5" }), invalid(null, "ExternalAttributionRequiredFieldEmpty")],
  [line({ click: K(30), credit: "1.5", model: "Linear" }), invalid(null, "ExternalAttributionCreditValueInvalid")],
  [line({ click: K(31), email: "a@b.example", hashedEmail: GIVEN_HASH }), invalid(null, "ConflictingIdentifiers")],
  [line({ click: K(32), hashedEmail: "not-a-hash" }), invalid(null, "ConversionEmailAddressIsNotHashed")],
  [line({ click: K(33), hashedPhone: GIVEN_HASH.toUpperCase() }), invalid(null, "ConversionPhoneNumberIsNotHashed")],
  [line({ click: K(34), email: "not an email" }), invalid(null, "EmailAddressInvalid")],
  [line({ click: K(35), phone: "12345" }), invalid(null, "PhoneNumberInvalid")],
  [line({ click: K(36), adjustmentType: "Retract" }), invalid(null, "AdjustmentInApplyRun")],
  // 36: a stray quote in an unquoted field; 37: the next line is read normally
  [`${K(37)},Offline "Purchase,${CONVERSION},1,USD,,,,,,,`, invalid(null, "MalformedRecord")],
  [line({ click: K(38), name: ` ${PURCHASE} `, value: "1", currency: "usd" }), accepted]
]

const fileText = `${csvLine(HEADER)}\r\n${records.map(([text]) => text).join("\r\n")}\r\n`

const expectedOutcomes = records.map(([, [status, code, errorCode]], index) => [index + 2, status, code, errorCode])

/** What the emulator must hold for each accepted line, field by field (names trimmed, times UTC, hashes only). */
const expectedAccepted = [
  {
    MicrosoftClickId: K(1),
    ConversionName: PURCHASE,
    ConversionTime: "2026-03-15T10:00:00.000Z",
    ConversionValue: 12.5,
    ConversionCurrencyCode: "USD"
  },
  {
    MicrosoftClickId: K(2),
    ConversionName: XML_NAME,
    ConversionTime: "2026-03-15T10:00:00.000Z",
    ConversionValue: 99.99,
    ConversionCurrencyCode: "USD"
  },
  {
    MicrosoftClickId: K(3),
    ConversionName: FRENCH_NAME,
    ConversionTime: "2026-03-15T10:00:00.000Z",
    ConversionValue: 7,
    ConversionCurrencyCode: "EUR"
  },
  {
    MicrosoftClickId: K(4),
    ConversionName: PURCHASE,
    ConversionTime: "2026-03-15T02:15:30.250Z",
    ConversionValue: null,
    ConversionCurrencyCode: null
  },
  {
    MicrosoftClickId: null,
    ConversionName: PURCHASE,
    ConversionTime: "2026-03-15T10:00:00.000Z",
    HashedEmailAddress: sha256("jane.doe@example.com"),
    HashedPhoneNumber: sha256("+442079460958")
  },
  {
    MicrosoftClickId: K(5),
    ConversionName: FRENCH_NAME,
    ConversionTime: "2026-03-15T10:00:00.000Z",
    HashedEmailAddress: sha256("sam@example.org")
  },
  {
    MicrosoftClickId: K(6),
    ConversionName: PURCHASE,
    ConversionTime: "2026-03-15T10:00:00.000Z",
    HashedEmailAddress: GIVEN_HASH
  },
  {
    MicrosoftClickId: K(7),
    ConversionName: PURCHASE,
    ConversionTime: "2026-03-15T10:00:00.000Z",
    ExternalAttributionCredit: 0.4,
    ExternalAttributionModel: "Linear"
  },
  {
    MicrosoftClickId: K(38),
    ConversionName: PURCHASE,
    ConversionTime: "2026-03-15T10:00:00.000Z",
    ConversionValue: 1,
    ConversionCurrencyCode: "USD"
  }
].map((fields) => ({
  ConversionCurrencyCode: "USD",
  ConversionValue: 10,
  ExternalAttributionCredit: null,
  ExternalAttributionModel: null,
  HashedEmailAddress: null,
  HashedPhoneNumber: null,
  ...fields
}))

const fieldsOf = (entry: Record<string, unknown>) => ({
  MicrosoftClickId: entry.MicrosoftClickId,
  ConversionName: entry.ConversionName,
  ConversionTime: entry.ConversionTime,
  ConversionValue: entry.ConversionValue,
  ConversionCurrencyCode: entry.ConversionCurrencyCode,
  ExternalAttributionCredit: entry.ExternalAttributionCredit,
  ExternalAttributionModel: entry.ExternalAttributionModel,
  HashedEmailAddress: entry.HashedEmailAddress,
  HashedPhoneNumber: entry.HashedPhoneNumber
})

const sortKey = (entry: { MicrosoftClickId: unknown; ConversionName: unknown }) =>
  `${entry.MicrosoftClickId ?? ""}|${entry.ConversionName}`
const byKey = <A extends { MicrosoftClickId: unknown; ConversionName: unknown }>(list: ReadonlyArray<A>) =>
  [...list].sort((a, b) => sortKey(a).localeCompare(sortKey(b)))

describe.each(["rest", "soap"] as const)("a mixed file against the emulator over %s", (transport) => {
  let fixture: Fixture
  beforeAll(async () => {
    fixture = await startEmulator()
    registerWorld(fixture)
  })
  afterAll(async () => {
    await fixture?.stop()
  })

  it.effect("every line gets exactly its expected outcome and the emulator holds exactly the valid records", () =>
    Effect.gen(function* () {
      fixture.emulator.reset() // the file's other case may have run first (shuffled order) against this emulator
      const path = writeInput(fixture.tempDir, "mixed.csv", fileText)
      const { outcomes, requests } = yield* applyFile(fixture, transport, path)

      const actual = outcomes.map((outcome) => {
        const { code, errorCode } = Outcome.describe(outcome)
        const shown = outcome._tag === "Invalid" || outcome._tag === "Rejected" ? [code, errorCode] : [null, null]
        return [outcome.line, Outcome.status(outcome), ...shown]
      })
      assert.deepStrictEqual(
        [...actual].sort((a, b) => (a[0] as number) - (b[0] as number)),
        expectedOutcomes
      )
      const duplicates = outcomes.flatMap((o) => (o._tag === "Duplicate" ? [[o.line, o.firstLine]] : []))
      assert.deepStrictEqual(duplicates, [
        [10, 2],
        [11, 2],
        [12, 6]
      ])

      // One request: the 14 records that passed local checks (9 valid, 5 for the service's own rules).
      const sent = applyRequests(requests)
      assert.strictEqual(sent.length, 1)
      const state = fixture.emulator.state()
      assert.strictEqual(state.requestsByOp.ApplyOfflineConversions, 1)
      assert.deepStrictEqual(
        byKey(state.accepted.map((entry) => fieldsOf(entry as unknown as Record<string, unknown>))),
        byKey(expectedAccepted)
      )
      assert.isTrue(state.accepted.every((entry) => entry.transport === transport))
      // The XML-special name went over the wire escaped, and arrived intact (checked above).
      if (transport === "soap") assert.include(sent[0]!.body, "Purchase &amp; &lt;Lead")

      // Raw identifiers never left the process: not in what was sent, not in what the emulator holds.
      const wire = sent.map((request) => request.body).join("\n")
      const held = JSON.stringify(state)
      for (const raw of ["Jane.Doe", "jane.doe@", "JANE.DOE", "sam@example", "7946", "given@example"]) {
        assert.notInclude(wire, raw)
        assert.notInclude(held, raw)
      }
      // Nothing was judged twice, and nothing beyond the sent records reached the service.
      assert.strictEqual(Object.keys(state.receivedCounts).length, expectedAccepted.length)
      assert.isTrue(Object.values(state.receivedCounts).every((count) => count === 1))
    })
  )

  it.effect("with the goal check, the unknown goal is invalid 5606 before sending and the rest is unchanged", () =>
    Effect.gen(function* () {
      fixture.emulator.reset()
      const names = yield* fetchGoalNames(fixture, transport)
      assert.deepStrictEqual([...names].sort(), [FRENCH_NAME, FRESH_GOAL, PURCHASE, XML_NAME, SHORT_WINDOW_GOAL].sort())
      const path = writeInput(fixture.tempDir, "mixed-goals.csv", fileText)
      const { outcomes, requests } = yield* applyFile(fixture, transport, path, { goals: GoalCheck.make(names) })

      const unknownGoalLine = 14
      const actual = outcomes
        .map((outcome) => [outcome.line, Outcome.status(outcome), Outcome.describe(outcome).code] as const)
        .sort((a, b) => a[0] - b[0])
      assert.deepStrictEqual(
        actual,
        expectedOutcomes.map(([lineNumber, status, code]) =>
          lineNumber === unknownGoalLine
            ? ([lineNumber, "invalid", 5606] as const)
            : ([lineNumber, status, status === "invalid" || status === "rejected" ? code : null] as const)
        )
      )
      // The record with the unknown goal never reached the service: 13 items in the one request.
      const sent = applyRequests(requests)
      assert.deepStrictEqual(sent.map(itemsInRequest), [13])
      assert.strictEqual(fixture.emulator.state().accepted.length, expectedAccepted.length)
    })
  )
})
