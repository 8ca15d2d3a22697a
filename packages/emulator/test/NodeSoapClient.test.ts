/**
 * An independent client — the wsdl-tsclient/node-soap client generated from the WSDL, not Uplink's codec — applies
 * conversions to the emulator over loopback and gets the documented PartialErrors and faults.
 */
import { createClientAsync } from "@uplink/campaign-management/soap-client"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { defaultWsdl } from "@uplink/xsd-check"
import { HOUR_MS, MINUTE_MS } from "../src/domain/Time.js"
import type { RunningEmulator } from "../src/Server.js"
import { CLICK_A, CLICK_B, HASH, NOW } from "./fixtures.js"
import { SOAP_PATH, soapHeaders, startEmulator } from "./http.js"

const NS = "https://bingads.microsoft.com/CampaignManagement/v13"

let emulator: RunningEmulator

beforeAll(async () => {
  emulator = await startEmulator()
})
afterAll(() => emulator.stop())
beforeEach(() => emulator.reset())

const makeClient = async (headers: typeof soapHeaders = soapHeaders) => {
  const client = await createClientAsync(defaultWsdl())
  client.setEndpoint(emulator.url + SOAP_PATH)
  client.addSoapHeader(headers, "", "tns", NS)
  return client
}

const iso = (ms: number) => new Date(ms).toISOString()

describe("node-soap client against the emulator", () => {
  it("applies conversions and gets the documented PartialErrors with zero-based indexes", async () => {
    const client = await makeClient()
    const [result, , header] = await client.ApplyOfflineConversionsAsync({
      OfflineConversions: {
        OfflineConversion: [
          {
            ConversionCurrencyCode: "USD",
            ConversionName: "Purchase",
            ConversionTime: iso(NOW - HOUR_MS),
            ConversionValue: 10,
            MicrosoftClickId: CLICK_A
          },
          {
            ConversionName: "Purchase",
            ConversionTime: iso(NOW - HOUR_MS),
            MicrosoftClickId: "0000-0000-not-a-click-id"
          },
          { ConversionName: "Purchase", ConversionTime: iso(NOW + MINUTE_MS), MicrosoftClickId: CLICK_A },
          { ConversionName: "Fresh", ConversionTime: iso(NOW - HOUR_MS), MicrosoftClickId: CLICK_B },
          { ConversionName: "Purchase", ConversionTime: iso(NOW - 2 * HOUR_MS), HashedEmailAddress: HASH }
        ]
      }
    })
    const errors = result.PartialErrors?.BatchError ?? []
    expect(errors.map((e) => [Number(e.Index), Number(e.Code), e.ErrorCode])).toEqual([
      [1, 5604, "OfflineConversionMicrosoftClickIdInvalid"],
      [2, 5614, "FutureConversionTimeCannotBeSet"],
      [3, 5615, "OfflineConversionNotAcceptedForGoal"]
    ])
    expect(header.TrackingId).toMatch(/^[0-9a-f-]{36}$/)
    expect(emulator.state().accepted.map((a) => a.MicrosoftClickId ?? a.HashedEmailAddress)).toEqual([CLICK_A, HASH])
  })

  it("gets an AdApiFaultDetail fault for a wrong developer token", async () => {
    const client = await makeClient({ ...soapHeaders, DeveloperToken: "NOT-THE-TOKEN" })
    const failure = await client
      .ApplyOfflineConversionsAsync({
        OfflineConversions: {
          OfflineConversion: [
            { ConversionName: "Purchase", ConversionTime: iso(NOW - HOUR_MS), MicrosoftClickId: CLICK_A }
          ]
        }
      })
      .then(
        () => undefined,
        (error: any) => error
      )
    expect(failure).toBeDefined()
    const fault = failure.root?.Envelope?.Body?.Fault
    expect(fault?.faultcode).toBe("s:Server")
    expect(JSON.stringify(fault?.detail)).toContain("InvalidCredentials")
  })

  it("reads the offline conversion report", async () => {
    const client = await makeClient()
    await client.ApplyOfflineConversionsAsync({
      OfflineConversions: {
        OfflineConversion: [
          { ConversionName: "Purchase", ConversionTime: iso(NOW - HOUR_MS), MicrosoftClickId: CLICK_A },
          { ConversionName: "Nope", ConversionTime: iso(NOW - HOUR_MS), MicrosoftClickId: CLICK_A }
        ]
      }
    })
    const [result] = await client.GetOfflineConversionReportsAsync({
      StartDateUtc: iso(NOW - 24 * HOUR_MS),
      EndDateUtc: iso(NOW)
    })
    const days = result.DailySummaries?.DailySummary ?? []
    expect(
      days.map((d) => [new Date(d.UploadDate as never).toISOString(), Number(d.SuccessCount), Number(d.FailureCount)])
    ).toEqual([["2026-08-01T00:00:00.000Z", 1, 1]])
  })
})
