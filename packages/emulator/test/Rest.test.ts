import { decodeRestFault, decodeRestResponse, decodeSoapResponse, faultErrorCodes } from "@uplink/campaign-management"
import type { Schemas } from "@uplink/campaign-management"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { HOUR_MS, MINUTE_MS } from "../src/domain/Time.js"
import type { RunningEmulator } from "../src/Server.js"
import { CLICK_A, CLICK_B, HASH, NOW, adjustment, at, conversion } from "./fixtures.js"
import { restCall, restHeaders, soapCall, startEmulator } from "./http.js"

let emulator: RunningEmulator

beforeAll(async () => {
  emulator = await startEmulator()
})
afterAll(() => emulator.stop())
beforeEach(() => emulator.reset())

const restFault = (text: string) => {
  const fault = decodeRestFault(text)
  if (fault._tag === "Left") throw fault.left
  return fault.right
}

describe("REST endpoints", () => {
  it("applies conversions at /CampaignManagement/v13/OfflineConversions/Apply with TrackingId as HTTP header", async () => {
    const answer = await restCall(emulator.url, "ApplyOfflineConversions", {
      OfflineConversions: [conversion(), conversion({ ConversionName: "Fresh" })]
    })
    expect(answer.status).toBe(200)
    expect(answer.headers.get("trackingid")).toMatch(/^[0-9a-f-]{36}$/)
    expect(answer.headers.get("content-type")).toMatch(/^application\/json/)
    const body = decodeRestResponse("ApplyOfflineConversions", answer.text)
    if (body._tag === "Left") throw body.left
    expect(body.right.PartialErrors?.map((e) => [e?.Index, e?.Code])).toEqual([[1, 5615]])
    expect(emulator.state().accepted.map((a) => a.transport)).toEqual(["rest"])
  })

  it("answers auth failures with top-level error bodies: 401 for 105/109, 403 for 106", async () => {
    const body = { OfflineConversions: [conversion()] }
    const cases: ReadonlyArray<readonly [Record<string, string>, number, number]> = [
      [{ ...restHeaders(), DeveloperToken: "WRONG" }, 401, 105],
      [{ ...restHeaders(), Authorization: "emulator-access-token" }, 401, 105],
      [{ ...restHeaders(), CustomerId: "5" }, 403, 106]
    ]
    for (const [headers, status, code] of cases) {
      const answer = await restCall(emulator.url, "ApplyOfflineConversions", body, headers)
      expect(answer.status).toBe(status)
      const json = JSON.parse(answer.text)
      expect(json).toMatchObject({ Type: "AdApiFaultDetail", TrackingId: answer.headers.get("trackingid") })
      expect(faultErrorCodes(restFault(answer.text)).map((e) => e.code)).toEqual([code])
    }
    emulator.setFaults({ expireTokenAfter: 0 })
    const expired = await restCall(emulator.url, "ApplyOfflineConversions", body)
    expect(expired.status).toBe(401)
    expect(faultErrorCodes(restFault(expired.text)).map((e) => e.code)).toEqual([109])
  })

  it("answers 5600 / 5601 with 400 and OperationErrors, and a body the decoder refuses with 400 naming the field", async () => {
    const empty = await restCall(emulator.url, "ApplyOfflineConversions", { OfflineConversions: [] })
    expect(empty.status).toBe(400)
    expect(JSON.parse(empty.text)).toMatchObject({ Type: "ApiFaultDetail", OperationErrors: [{ Code: 5600 }] })
    const unknown = await fetch(`${emulator.url}/CampaignManagement/v13/OfflineConversions/Apply`, {
      method: "POST",
      headers: { "content-type": "application/json", ...restHeaders() },
      body: JSON.stringify({ OfflineConversions: [{ ConversionName: "Purchase", ConversionValu: 3 }] })
    })
    expect(unknown.status).toBe(400)
    const text = await unknown.text()
    const fault = restFault(text)
    expect(faultErrorCodes(fault).map((e) => e.code)).toEqual([201])
    expect(JSON.parse(text).OperationErrors[0].Details).toMatch(/ConversionValu/)
  })

  it("serves goals and reports on their REST routes (PUT for UpdateConversionGoals)", async () => {
    const added = await restCall(emulator.url, "AddConversionGoals", {
      ConversionGoals: [{ _tag: "OfflineConversionGoal", Name: "Rest goal", Revenue: { Type: "NoValue" } }]
    })
    expect(added.status).toBe(200)
    const addedBody = decodeRestResponse("AddConversionGoals", added.text)
    if (addedBody._tag === "Left") throw addedBody.left
    const id = addedBody.right.ConversionGoalIds?.[0] as bigint
    const updated = await restCall(emulator.url, "UpdateConversionGoals", {
      ConversionGoals: [{ _tag: "OfflineConversionGoal", Id: id, ConversionWindowInMinutes: 90 }]
    })
    expect(updated.status).toBe(200)
    const got = await restCall(emulator.url, "GetConversionGoalsByIds", {
      ConversionGoalIds: [id],
      ConversionGoalTypes: ["OfflineConversion"]
    })
    const gotBody = decodeRestResponse("GetConversionGoalsByIds", got.text)
    if (gotBody._tag === "Left") throw gotBody.left
    expect(gotBody.right.ConversionGoals?.[0]).toMatchObject({ Name: "Rest goal", ConversionWindowInMinutes: 90 })
    const report = await restCall(emulator.url, "GetOfflineConversionReports", {
      StartDateUtc: at(NOW - HOUR_MS),
      EndDateUtc: at(NOW)
    })
    expect(report.status).toBe(200)
  })
})

/** SOAP carries nil where REST omits the property: compare with absent and null alike (bigints as text). */
const withoutNulls = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (_key, v) => (v === null ? undefined : typeof v === "bigint" ? v.toString() : v)))

describe("REST and SOAP parity", () => {
  /** The same inputs, one emulator per transport: the same answers and the same accepted records. */
  it("gives the same results for the same inputs", async () => {
    const conversions: ReadonlyArray<Schemas.OfflineConversion | null> = [
      conversion(),
      conversion({ MicrosoftClickId: "not-a-click-id" }),
      null,
      conversion({ ConversionTime: at(NOW + MINUTE_MS) }),
      conversion({ ConversionName: "Short", MicrosoftClickId: CLICK_B }),
      conversion({ ConversionValue: 1 }),
      conversion({ MicrosoftClickId: null, HashedEmailAddress: HASH, HashedPhoneNumber: HASH }),
      conversion({ ConversionName: "Unique", ConversionCurrencyCode: "EUR", ConversionValue: 0.5 })
    ]
    const adjustments = [adjustment(), adjustment({ AdjustmentType: "Retract" }), adjustment({ AdjustmentType: "X" })]
    const run = async (transport: "soap" | "rest") => {
      const instance = await startEmulator()
      try {
        const call = transport === "soap" ? soapCall : restCall
        const decode = <Op extends "ApplyOfflineConversions" | "ApplyOfflineConversionAdjustments">(
          op: Op,
          text: string
        ) => {
          const decoded = transport === "soap" ? decodeSoapResponse(op, text) : decodeRestResponse(op, text)
          if (decoded._tag === "Left") throw new Error(JSON.stringify(decoded.left))
          return "body" in decoded.right ? decoded.right.body : decoded.right
        }
        const applied = await call(instance.url, "ApplyOfflineConversions", { OfflineConversions: conversions })
        const adjusted = await call(instance.url, "ApplyOfflineConversionAdjustments", {
          OfflineConversionAdjustments: adjustments
        })
        const refused = await call(instance.url, "ApplyOfflineConversions", { OfflineConversions: [] })
        const state = instance.state()
        return {
          applied: withoutNulls(
            decode("ApplyOfflineConversions", applied.text)
          ) as Schemas.ApplyOfflineConversionsResponse,
          adjusted: withoutNulls(decode("ApplyOfflineConversionAdjustments", adjusted.text)),
          refused: faultErrorCodes(
            transport === "soap"
              ? (decodeSoapResponse("ApplyOfflineConversions", refused.text) as any).left
              : restFault(refused.text)
          ),
          accepted: state.accepted.map(({ transport: _, ...rest }) => rest),
          adjustments: state.adjustments.map(({ transport: _, ...rest }) => rest),
          receivedCounts: state.receivedCounts
        }
      } finally {
        await instance.stop()
      }
    }
    const [soap, rest] = [await run("soap"), await run("rest")]
    expect(soap.applied.PartialErrors?.length).toBe(4)
    expect(soap.accepted.length).toBe(3)
    expect(rest).toEqual(soap)
    expect(soap.accepted[0]?.MicrosoftClickId).toBe(CLICK_A)
  })
})
