import { decodeSoapResponse, faultErrorCodes, type WireFault } from "@uplink/campaign-management"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { validateXml } from "@uplink/xsd-check"
import { DateTime } from "effect"
import { HOUR_MS } from "../src/domain/Time.js"
import type { RunningEmulator } from "../src/Server.js"
import { CLICK_A, NOW, at, conversion } from "./fixtures.js"
import { postSoap, soapCall, soapHeaders, startEmulator } from "./http.js"

let emulator: RunningEmulator

beforeAll(async () => {
  emulator = await startEmulator()
})
afterAll(() => emulator.stop())
beforeEach(() => emulator.reset())

const expectValid = (xml: string) => {
  const result = validateXml(xml)
  expect(result.errors).toEqual([])
  expect(result.valid).toBe(true)
}

const faultOf = (xml: string): WireFault => {
  const decoded = decodeSoapResponse("ApplyOfflineConversions", xml)
  if (decoded._tag === "Right" || decoded.left._tag !== "WireFault") throw new Error(`not a fault: ${xml}`)
  return decoded.left
}

const codes = (fault: WireFault) => faultErrorCodes(fault).map((e) => e.code)

/**
 * The docs' "Request SOAP" template of ApplyOfflineConversions, filled in by hand: `i` declared on the Envelope, the
 * WCF `Action` header (in the v13 namespace, unqualified mustUnderstand), `i:nil="false"` on the nillable elements.
 */
const docsTemplate = (
  items: string
) => `<s:Envelope xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
  <s:Header xmlns="https://bingads.microsoft.com/CampaignManagement/v13">
    <Action mustUnderstand="1">ApplyOfflineConversions</Action>
    <AuthenticationToken i:nil="false">${soapHeaders.AuthenticationToken}</AuthenticationToken>
    <CustomerAccountId i:nil="false">${soapHeaders.CustomerAccountId}</CustomerAccountId>
    <CustomerId i:nil="false">${soapHeaders.CustomerId}</CustomerId>
    <DeveloperToken i:nil="false">${soapHeaders.DeveloperToken}</DeveloperToken>
  </s:Header>
  <s:Body>
    <ApplyOfflineConversionsRequest xmlns="https://bingads.microsoft.com/CampaignManagement/v13">
      <OfflineConversions i:nil="false">${items}
      </OfflineConversions>
    </ApplyOfflineConversionsRequest>
  </s:Body>
</s:Envelope>`

const templateItem = (clickId: string, time: string, extra = "") => `
        <OfflineConversion>
          <ConversionCurrencyCode i:nil="false">USD</ConversionCurrencyCode>
          <ConversionName i:nil="false">Purchase</ConversionName>
          <ConversionTime>${time}</ConversionTime>
          <ConversionValue i:nil="false">10</ConversionValue>${extra}
          <MicrosoftClickId i:nil="false">${clickId}</MicrosoftClickId>
        </OfflineConversion>`

const oneHourAgo = new Date(NOW - HOUR_MS).toISOString()

describe("SOAP endpoint", () => {
  it("accepts the docs' request template written by hand (WCF Action header included) and answers a valid envelope", async () => {
    const answer = await postSoap(
      emulator.url,
      docsTemplate(templateItem(CLICK_A, oneHourAgo) + templateItem("unknown-click", oneHourAgo)),
      "ApplyOfflineConversions"
    )
    expect(answer.status).toBe(200)
    expectValid(answer.text)
    const decoded = decodeSoapResponse("ApplyOfflineConversions", answer.text)
    expect(decoded._tag).toBe("Right")
    if (decoded._tag === "Right") {
      expect(decoded.right.body.PartialErrors?.map((e) => [e?.Index, e?.Code, e?.ErrorCode])).toEqual([
        [1, 5604, "OfflineConversionMicrosoftClickIdInvalid"]
      ])
      expect(decoded.right.trackingId).toMatch(/^[0-9a-f-]{36}$/)
    }
    expect(emulator.state().accepted.map((a) => [a.MicrosoftClickId, a.transport])).toEqual([[CLICK_A, "soap"]])
  })

  it("refuses a request without SOAPAction HTTP header (WCF dispatches on it) with a fault that validates", async () => {
    const answer = await postSoap(emulator.url, docsTemplate(templateItem(CLICK_A, oneHourAgo)), undefined)
    expect(answer.status).toBe(500)
    expectValid(answer.text)
    expect(faultOf(answer.text).message).toMatch(/SOAPAction/)
    expect(emulator.state().accepted).toEqual([])
  })

  it("refuses a body element out of XSD order with a fault naming it, and validates the fault", async () => {
    const swapped = `
        <OfflineConversion>
          <ConversionName>Purchase</ConversionName>
          <ConversionCurrencyCode>USD</ConversionCurrencyCode>
          <ConversionTime>${oneHourAgo}</ConversionTime>
          <MicrosoftClickId>${CLICK_A}</MicrosoftClickId>
        </OfflineConversion>`
    const answer = await postSoap(emulator.url, docsTemplate(swapped), "ApplyOfflineConversions")
    expect(answer.status).toBe(500)
    expectValid(answer.text)
    const fault = faultOf(answer.text)
    expect(fault.faultCode).toBe("s:Client")
    expect(fault.message).toMatch(/ConversionCurrencyCode/)
    expect(codes(fault)).toEqual([201])
    expect(emulator.state().accepted).toEqual([])
  })

  it("refuses an unknown body element with a fault naming it", async () => {
    const answer = await postSoap(
      emulator.url,
      docsTemplate(templateItem(CLICK_A, oneHourAgo, "\n          <ConversionValu>3</ConversionValu>")),
      "ApplyOfflineConversions"
    )
    expect(answer.status).toBe(500)
    expectValid(answer.text)
    expect(faultOf(answer.text).message).toMatch(/ConversionValu/)
  })

  it("refuses a SOAPAction that does not match the body, and an unknown mustUnderstand header", async () => {
    const mismatch = await postSoap(
      emulator.url,
      docsTemplate(templateItem(CLICK_A, oneHourAgo)),
      "GetOfflineConversionReports"
    )
    expect(mismatch.status).toBe(500)
    expectValid(mismatch.text)
    expect(faultOf(mismatch.text).message).toMatch(/SOAPAction/)
    const wsa = docsTemplate(templateItem(CLICK_A, oneHourAgo)).replace(
      '<s:Header xmlns="https://bingads.microsoft.com/CampaignManagement/v13">',
      `<s:Header xmlns="https://bingads.microsoft.com/CampaignManagement/v13">
    <wsa:MessageID xmlns:wsa="http://www.w3.org/2005/08/addressing">urn:uuid:1</wsa:MessageID>`
    )
    expect((await postSoap(emulator.url, wsa, "ApplyOfflineConversions")).status).toBe(200)
    const mustUnderstand = wsa.replace("<wsa:MessageID ", '<wsa:MessageID s:mustUnderstand="1" ')
    const refused = await postSoap(emulator.url, mustUnderstand, "ApplyOfflineConversions")
    expect(refused.status).toBe(500)
    expectValid(refused.text)
    expect(faultOf(refused.text).faultCode).toBe("s:MustUnderstand")
  })

  it("answers 105, 106 and 109 as AdApiFaultDetail faults that validate", async () => {
    const body = { OfflineConversions: [conversion()] }
    const cases = [
      [{ ...soapHeaders, DeveloperToken: "WRONG" }, 105],
      [{ ...soapHeaders, AuthenticationToken: "forged" }, 105],
      [{ ...soapHeaders, CustomerAccountId: "1" }, 106],
      [{ ...soapHeaders, CustomerId: "1" }, 106]
    ] as const
    for (const [headers, code] of cases) {
      const answer = await soapCall(emulator.url, "ApplyOfflineConversions", body, headers)
      expect(answer.status).toBe(500)
      expectValid(answer.text)
      const fault = faultOf(answer.text)
      expect(fault.detail?._tag).toBe("AdApiFaultDetail")
      expect(codes(fault)).toEqual([code])
      expect(fault.message).toMatch(/^Invalid client data\. .*TrackingId: [0-9a-f-]{36}\.$/)
    }
    emulator.setFaults({ expireTokenAfter: 0 })
    const expired = await soapCall(emulator.url, "ApplyOfflineConversions", body)
    expectValid(expired.text)
    expect(codes(faultOf(expired.text))).toEqual([109])
  })

  it("answers 5600 and 5601 as ApiFaultDetail OperationErrors", async () => {
    const empty = await soapCall(emulator.url, "ApplyOfflineConversions", { OfflineConversions: [] })
    expectValid(empty.text)
    const fault = faultOf(empty.text)
    expect(fault.detail?._tag).toBe("ApiFaultDetail")
    expect(codes(fault)).toEqual([5600])
    const many = Array.from({ length: 1001 }, (_, i) => conversion({ ConversionTime: at(NOW - HOUR_MS - i) }))
    const tooMany = await soapCall(emulator.url, "ApplyOfflineConversions", { OfflineConversions: many })
    expectValid(tooMany.text)
    expect(codes(faultOf(tooMany.text))).toEqual([5601])
  })

  it("serves the goal operations and the report with responses that validate", async () => {
    const added = await soapCall(emulator.url, "AddConversionGoals", {
      ConversionGoals: [
        {
          _tag: "OfflineConversionGoal",
          Name: "Soap goal",
          GoalCategory: "Purchase",
          Revenue: { Type: "FixedValue", Value: 1.5, CurrencyCode: "EUR" }
        },
        { _tag: "OfflineConversionGoal", Name: "Purchase" }
      ]
    })
    expectValid(added.text)
    const addedBody = decodeSoapResponse("AddConversionGoals", added.text)
    if (addedBody._tag === "Left") throw new Error(String(addedBody.left))
    const id = addedBody.right.body.ConversionGoalIds?.[0]
    expect(typeof id).toBe("bigint")
    expect(addedBody.right.body.ConversionGoalIds?.[1]).toBeNull()
    expect(addedBody.right.body.PartialErrors?.map((e) => [e?.Index, e?.Code])).toEqual([[1, 5317]])
    const got = await soapCall(emulator.url, "GetConversionGoalsByIds", {
      ConversionGoalIds: [id as bigint, 1n],
      ConversionGoalTypes: ["OfflineConversion"],
      ReturnAdditionalFields: ["GoalCategory", "IsExternallyAttributed"]
    })
    expectValid(got.text)
    const gotBody = decodeSoapResponse("GetConversionGoalsByIds", got.text)
    if (gotBody._tag === "Left") throw new Error(String(gotBody.left))
    expect(gotBody.right.body.ConversionGoals?.[0]).toMatchObject({
      _tag: "OfflineConversionGoal",
      Name: "Soap goal",
      GoalCategory: "Purchase",
      Revenue: { Type: "FixedValue", Value: 1.5, CurrencyCode: "EUR" }
    })
    expect(gotBody.right.body.ConversionGoals?.[1]).toBeNull()
    const updated = await soapCall(emulator.url, "UpdateConversionGoals", {
      ConversionGoals: [{ _tag: "OfflineConversionGoal", Id: id as bigint, CountType: "Unique" }]
    })
    expectValid(updated.text)
    expect(updated.status).toBe(200)
    await soapCall(emulator.url, "ApplyOfflineConversions", {
      OfflineConversions: [conversion(), conversion({ ConversionName: "nope" })]
    })
    const report = await soapCall(emulator.url, "GetOfflineConversionReports", {
      StartDateUtc: at(NOW - 24 * HOUR_MS),
      EndDateUtc: at(NOW)
    })
    expectValid(report.text)
    const reportBody = decodeSoapResponse("GetOfflineConversionReports", report.text)
    if (reportBody._tag === "Left") throw new Error(String(reportBody.left))
    expect(
      reportBody.right.body.DailySummaries?.map((d) => [
        d?.UploadDate && DateTime.formatIsoDateUtc(d.UploadDate),
        d?.SuccessCount,
        d?.FailureCount
      ])
    ).toEqual([["2026-08-01", 1, 1]])
  })

  it("answers operations it does not emulate with a fault, and counts requests per operation", async () => {
    const answer = await soapCall(emulator.url, "GetCampaignsByAccountId", { AccountId: 2000002n } as never)
    expect(answer.status).toBe(500)
    expectValid(answer.text)
    expect(codes(faultOf(answer.text))).toEqual([204])
    expect(emulator.state().requestsByOp).toEqual({ GetCampaignsByAccountId: 1 })
  })
})
