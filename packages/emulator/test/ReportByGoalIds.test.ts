/**
 * GetOfflineConversionReportByGoalIds: per goal and UTC upload day, the records received, counted or unattributed with
 * the reason (acceptance is not attribution: src/domain/Attribution.ts); its documented limits; served over REST only.
 */
import { decodeRestFault, decodeRestResponse, faultErrorCodes, type Schemas } from "@uplink/campaign-management"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { DateTime } from "effect"
import type { EmulatedService } from "../src/domain/EmulatedService.js"
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../src/domain/Time.js"
import type { RunningEmulator } from "../src/Server.js"
import { HASH, NOW, adjustment, at, codesByIndex, conversion, makeClock, makeService } from "./fixtures.js"
import { restCall, startEmulator } from "./http.js"

/** Well-formed click ids (32 hex digits) the service does not know when the conversions arrive. */
const LATE_CLICK = "1111111111111111aaaaaaaaaaaaaaaa"
const EARLY_CLICK = "2222222222222222bbbbbbbbbbbbbbbb"
const NEVER_CLICK = "3333333333333333cccccccccccccccc"

const apply = (service: EmulatedService, items: ReadonlyArray<Schemas.OfflineConversion>) => {
  const outcome = service.handle("ApplyOfflineConversions", { OfflineConversions: items }, { transport: "rest" })
  if (outcome._tag !== "Answered") throw new Error("refused")
  return outcome.body.PartialErrors ?? []
}

const adjust = (service: EmulatedService, items: ReadonlyArray<Schemas.OfflineConversionAdjustment>) => {
  const outcome = service.handle(
    "ApplyOfflineConversionAdjustments",
    { OfflineConversionAdjustments: items },
    { transport: "rest" }
  )
  if (outcome._tag !== "Answered") throw new Error("refused")
  return outcome.body.PartialErrors ?? []
}

const goalId = (service: EmulatedService, name: string): bigint => service.goals.byName(name)!.id

const report = (
  service: EmulatedService,
  body: Partial<Schemas.GetOfflineConversionReportByGoalIdsRequest>
): Schemas.GetOfflineConversionReportByGoalIdsResponse => {
  const outcome = service.handle(
    "GetOfflineConversionReportByGoalIds",
    { StartDateUtc: at(NOW - DAY_MS), EndDateUtc: at(NOW + DAY_MS), ...body },
    { transport: "rest" }
  )
  if (outcome._tag !== "Answered") throw new Error(`refused: ${JSON.stringify(outcome.refusal)}`)
  return outcome.body
}

/** A summary as [reason, count] pairs, the overall counts and the days. */
const shape = (summary: Schemas.OfflineGoalConversionSummary | null | undefined) => ({
  success: summary?.OverallSuccessCount,
  unattributed: summary?.OverallUnattributedCount,
  rate: summary?.OverallSuccessRate,
  alerts: (summary?.OverallAlerts ?? []).map((a) => [a?.UnattributedReason, a?.Count]),
  days: (summary?.DailySummaries ?? []).map((d) => [
    d?.UploadDate === undefined ? null : DateTime.formatIsoDateUtc(d.UploadDate),
    d?.SuccessCount,
    d?.UnattributedCount
  ])
})

const refusalCode = (service: EmulatedService, body: Schemas.GetOfflineConversionReportByGoalIdsRequest) => {
  const outcome = service.handle("GetOfflineConversionReportByGoalIds", body, { transport: "rest" })
  return outcome._tag === "Refused" && outcome.refusal._tag === "ApiRefusal"
    ? [outcome.refusal.errors[0]?.error.code, outcome.refusal.errors[0]?.details]
    : undefined
}

describe("acceptance is not attribution", () => {
  it("accepts a well-formed click id it does not know (5604 only for one that is not well-formed)", () => {
    const service = makeService()
    const errors = apply(service, [
      conversion({ MicrosoftClickId: NEVER_CLICK }),
      conversion({ MicrosoftClickId: "not-a-click-id" })
    ])
    expect(codesByIndex(errors)).toEqual([[1, 5604]])
    expect(service.state().accepted.map((a) => a.MicrosoftClickId)).toEqual([NEVER_CLICK])
  })

  it("reports each accepted record as counted or unattributed with its reason", () => {
    const time = makeClock()
    const service = makeService({ clock: time.clock })
    service.registerGoals([{ name: "Paused later", createdAt: NOW - 30 * DAY_MS }])
    const purchase = goalId(service, "Purchase")
    const short = goalId(service, "Short")
    const paused = goalId(service, "Paused later")
    const conversionAt = NOW - HOUR_MS
    // Day 1 (2026-08-01): everything is accepted.
    expect(
      apply(service, [
        conversion(), // counted
        conversion(), // the same key again: DuplicateConversionKey
        conversion({ MicrosoftClickId: NEVER_CLICK }), // never registered: NoMatchingClickFound
        conversion({ MicrosoftClickId: LATE_CLICK }), // registered later, after the conversion
        conversion({ ConversionName: "Short", MicrosoftClickId: EARLY_CLICK }), // registered later, 2 h before (window 60 min)
        conversion({ ConversionName: "Paused later" }), // its goal is paused later: GoalNotFoundOrInactive
        conversion({ MicrosoftClickId: null, HashedEmailAddress: HASH, ConversionTime: at(NOW - 2 * HOUR_MS) }) // counted
      ])
    ).toEqual([])
    expect(adjust(service, [adjustment({ ConversionTime: at(NOW - 3 * HOUR_MS) })])).toEqual([]) // no such original
    service.registerClicks({
      [LATE_CLICK]: new Date(conversionAt + MINUTE_MS).toISOString(),
      [EARLY_CLICK]: new Date(conversionAt - 2 * HOUR_MS).toISOString()
    })
    const update = service.handle(
      "UpdateConversionGoals",
      { ConversionGoals: [{ _tag: "OfflineConversionGoal", Id: paused, Status: "Paused" }] },
      { transport: "rest" }
    )
    expect(update._tag === "Answered" && (update.body.PartialErrors ?? []).length).toBe(0)
    // Day 2: a Retract, the retracted conversion again and the Retract again.
    time.advance(DAY_MS)
    const retract = adjustment({ AdjustmentType: "Retract", AdjustmentValue: null, AdjustmentTime: at(NOW) })
    expect(adjust(service, [retract])).toEqual([])
    expect(apply(service, [conversion()])).toEqual([])
    expect(adjust(service, [retract])).toEqual([])

    const body = report(service, { GoalIds: [purchase, short, paused] })
    expect(body.PartialErrors).toEqual([])
    const [p, s, g] = body.OfflineGoalConversionSummaries ?? []
    expect(p?.GoalId).toBe(purchase)
    expect(p?.ConversionName).toBe("Purchase")
    expect(shape(p)).toEqual({
      success: 3n, // the conversion, the hashed one, the Retract (its original was received)
      unattributed: 6n,
      rate: 0.3333,
      alerts: [
        ["ConversionAlreadyRetracted", 2n],
        ["AdjustmentOriginalNotFound", 1n],
        ["DuplicateConversionKey", 1n],
        ["ClickTimestampAfterConversion", 1n],
        ["NoMatchingClickFound", 1n]
      ],
      days: [
        ["2026-08-01", 2, 4],
        ["2026-08-02", 1, 2]
      ]
    })
    expect(p?.DailySummaries?.[0]?.Alerts?.map((a) => a?.UnattributedReason)).toEqual([
      "AdjustmentOriginalNotFound",
      "DuplicateConversionKey",
      "ClickTimestampAfterConversion",
      "NoMatchingClickFound"
    ])
    expect(p?.DailySummaries?.[0]?.SuccessRate).toBe(0.3333)
    expect(shape(s).alerts).toEqual([["OutsideGoalLookbackWindow", 1n]])
    expect(shape(g)).toMatchObject({ success: 0n, alerts: [["GoalNotFoundOrInactive", 1n]], rate: 0 })

    // The range selects upload days; a channel filter without the API channel matches nothing.
    expect(
      shape(
        report(service, { GoalIds: [purchase], StartDateUtc: at(NOW + DAY_MS) }).OfflineGoalConversionSummaries?.[0]
      ).days
    ).toEqual([["2026-08-02", 1, 2]])
    const bulkOnly = report(service, { GoalIds: [purchase], UploadChannelFilter: ["BulkAPI", "WebUpload"] })
    expect(shape(bulkOnly.OfflineGoalConversionSummaries?.[0])).toEqual({
      success: 0n,
      unattributed: 0n,
      rate: 0,
      alerts: [],
      days: []
    })
    const api = report(service, { GoalIds: [purchase], UploadChannelFilter: ["CampaignManagementAPI"] })
    expect(shape(api.OfflineGoalConversionSummaries?.[0]).success).toBe(3n)
  })

  it("judges clicks and goals when the report is asked: a click registered later makes a conversion count", () => {
    const service = makeService()
    apply(service, [conversion({ MicrosoftClickId: LATE_CLICK })])
    const ids = [goalId(service, "Purchase")]
    expect(shape(report(service, { GoalIds: ids }).OfflineGoalConversionSummaries?.[0]).alerts).toEqual([
      ["NoMatchingClickFound", 1n]
    ])
    service.registerClicks({ [LATE_CLICK]: new Date(NOW - 2 * HOUR_MS).toISOString() })
    expect(shape(report(service, { GoalIds: ids }).OfflineGoalConversionSummaries?.[0])).toMatchObject({
      success: 1n,
      unattributed: 0n,
      rate: 1
    })
  })
})

describe("limits of GetOfflineConversionReportByGoalIds", () => {
  const service = makeService()
  const purchase = goalId(service, "Purchase")

  it("takes up to 7 days and refuses a longer, reversed or missing range with 113", () => {
    const from = NOW - 7 * DAY_MS
    expect(refusalCode(service, { StartDateUtc: at(from), EndDateUtc: at(NOW), GoalIds: [purchase] })).toBeUndefined()
    expect(refusalCode(service, { StartDateUtc: at(from - 1000), EndDateUtc: at(NOW), GoalIds: [purchase] })).toEqual([
      113,
      "The date range is up to 7 days."
    ])
    expect(refusalCode(service, { StartDateUtc: at(NOW), EndDateUtc: at(from), GoalIds: [purchase] })?.[0]).toBe(113)
    expect(refusalCode(service, { StartDateUtc: at(NOW), GoalIds: [purchase] })?.[0]).toBe(113)
  })

  it("takes up to 20 goal ids: more is 5318, none is 514", () => {
    const range = { StartDateUtc: at(NOW - DAY_MS), EndDateUtc: at(NOW) }
    const twenty = Array.from({ length: 20 }, (_, i) => purchase + BigInt(i))
    expect(refusalCode(service, { ...range, GoalIds: twenty })).toBeUndefined()
    expect(refusalCode(service, { ...range, GoalIds: [...twenty, 1n] })?.[0]).toBe(5318)
    expect(refusalCode(service, { ...range, GoalIds: [] })?.[0]).toBe(514)
    expect(refusalCode(service, range)?.[0]).toBe(514)
  })

  it("answers an unknown or repeated goal id with a BatchError at its index", () => {
    const body = report(service, { GoalIds: [purchase, 999n, purchase] })
    expect(codesByIndex(body.PartialErrors)).toEqual([
      [1, 5314],
      [2, 5315]
    ])
    expect(body.OfflineGoalConversionSummaries?.map((s) => s?.GoalId)).toEqual([purchase])
  })
})

describe("GetOfflineConversionReportByGoalIds over HTTP", () => {
  let emulator: RunningEmulator
  beforeAll(async () => {
    emulator = await startEmulator()
  })
  afterAll(() => emulator.stop())

  it("is served on its REST route with the report as JSON", async () => {
    const applied = await restCall(emulator.url, "ApplyOfflineConversions", {
      OfflineConversions: [conversion(), conversion({ MicrosoftClickId: NEVER_CLICK })]
    })
    expect(applied.status).toBe(200)
    const id = emulator.service.goals.byName("Purchase")!.id
    const answer = await restCall(emulator.url, "GetOfflineConversionReportByGoalIds", {
      StartDateUtc: at(NOW - DAY_MS),
      EndDateUtc: at(NOW),
      GoalIds: [id]
    })
    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.text).OfflineGoalConversionSummaries[0]).toMatchObject({
      GoalId: id.toString(),
      OverallSuccessCount: "1",
      OverallUnattributedCount: "1",
      OverallAlerts: [{ UnattributedReason: "NoMatchingClickFound", Count: "1" }]
    })
    const decoded = decodeRestResponse("GetOfflineConversionReportByGoalIds", answer.text)
    expect(decoded._tag).toBe("Right")
  })

  it("is not a SOAP operation: a SOAP request for it is refused", async () => {
    const envelope = `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetOfflineConversionReportByGoalIdsRequest xmlns="https://bingads.microsoft.com/CampaignManagement/v13"/></s:Body></s:Envelope>`
    const answer = await fetch(`${emulator.url}/Api/Advertiser/CampaignManagement/v13/CampaignManagementService.svc`, {
      method: "POST",
      headers: { "content-type": "text/xml; charset=utf-8", soapaction: '"GetOfflineConversionReportByGoalIds"' },
      body: envelope
    })
    expect(answer.status).toBe(500)
    expect(await answer.text()).toContain("is not a request of this service")
  })

  it("refuses a range over 7 days with a top-level ApiFaultDetail body and HTTP 400", async () => {
    const answer = await restCall(emulator.url, "GetOfflineConversionReportByGoalIds", {
      StartDateUtc: at(NOW - 8 * DAY_MS),
      EndDateUtc: at(NOW),
      GoalIds: [1n]
    })
    expect(answer.status).toBe(400)
    const json = JSON.parse(answer.text)
    expect(json.Type).toBe("ApiFaultDetail")
    expect(json.Message).toBeUndefined()
    const fault = decodeRestFault(answer.text)
    expect(fault._tag === "Right" && faultErrorCodes(fault.right).map((e) => e.code)).toEqual([113])
  })
})
