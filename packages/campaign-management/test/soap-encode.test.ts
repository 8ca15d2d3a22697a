/**
 * SOAP request and response encoding: envelope and header shape, namespaces, XSD order, xsi:type, xsi:nil only where
 * nillable, xs:list, numbers and times, escaping, and the values that cannot be put on the wire.
 */
import { DateTime, Either } from "effect"
import { describe, expect, it } from "vitest"
import {
  decodeSoapRequest,
  decodeSoapResponse,
  encodeSoapRequest,
  encodeSoapResponse,
  type RequestOf,
  type WireEncodeError
} from "../src/index.js"
import { addGoalsRequest, applyRequest, at, getGoalsRequest, headers } from "./fixtures.js"

const encodeApply = (body: unknown) =>
  encodeSoapRequest("ApplyOfflineConversions", body as RequestOf<"ApplyOfflineConversions">, headers)

const xmlOf = (body: unknown): string => Either.getOrThrow(encodeApply(body))

const errorOf = (body: unknown): WireEncodeError => {
  const result = encodeApply(body)
  if (Either.isRight(result)) throw new Error("expected an encode error")
  return result.left
}

const conversion = (fields: Record<string, unknown>) => ({
  OfflineConversions: [{ ConversionName: "Purchase", ConversionTime: at("2026-08-01T17:02:35Z"), ...fields }]
})

/** Encodes one conversion and decodes it back with the strict request decoder. */
const roundTrip = (fields: Record<string, unknown>): Record<string, unknown> => {
  const decoded = Either.getOrThrow(decodeSoapRequest(xmlOf(conversion(fields))))
  return (decoded.body as { OfflineConversions: Array<Record<string, unknown>> }).OfflineConversions[0]!
}

describe("the request envelope", () => {
  const xml = xmlOf(applyRequest)

  it("declares only the SOAP and XSI namespaces on the Envelope and the v13 namespace on header and body", () => {
    expect(
      xml.startsWith(
        `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">`
      )
    ).toBe(true)
    expect(xml.match(/xmlns(:\w+)?=/g)).toHaveLength(4)
    expect(xml).toContain(
      `<s:Body><ApplyOfflineConversionsRequest xmlns="https://bingads.microsoft.com/CampaignManagement/v13">`
    )
  })

  it("carries the four headers in WSDL order in the v13 namespace", () => {
    expect(xml).toContain(
      `<s:Header xmlns="https://bingads.microsoft.com/CampaignManagement/v13"><AuthenticationToken>eyJ0eXAi.token</AuthenticationToken><CustomerAccountId>2000002</CustomerAccountId><CustomerId>1000001</CustomerId><DeveloperToken>BBD37VB98</DeveloperToken></s:Header>`
    )
  })

  it("omits headers that are not given, and the Header element when none is", () => {
    const bare = Either.getOrThrow(encodeSoapRequest("ApplyOfflineConversions", applyRequest, {}))
    expect(bare).not.toContain("Header")
    const some = Either.getOrThrow(encodeSoapRequest("ApplyOfflineConversions", applyRequest, { DeveloperToken: "d" }))
    expect(some).toContain(
      `<s:Header xmlns="https://bingads.microsoft.com/CampaignManagement/v13"><DeveloperToken>d</DeveloperToken></s:Header>`
    )
  })

  it("writes elements in XSD order whatever the key order of the value", () => {
    const shuffled = conversion({ MicrosoftClickId: "m", ConversionValue: 1, ConversionCurrencyCode: "USD" })
    const names = [...xmlOf(shuffled).matchAll(/<(\w+)>/g)].map((m) => m[1]).filter((n) => n !== "OfflineConversions")
    expect(names.slice(names.indexOf("OfflineConversion") + 1)).toEqual([
      "ConversionCurrencyCode",
      "ConversionName",
      "ConversionTime",
      "ConversionValue",
      "MicrosoftClickId"
    ])
  })

  it("writes xsi:nil for null where the element is nillable, and refuses null where it is not", () => {
    expect(xmlOf(conversion({ ConversionValue: null }))).toContain(`<ConversionValue i:nil="true"/>`)
    const error = errorOf({ OfflineConversions: [{ ConversionName: "x", ConversionTime: null }] })
    expect(error.reason).toBe("InvalidValue")
    expect(error.path).toBe("ApplyOfflineConversionsRequest.OfflineConversions[0].ConversionTime")
    expect(error.message).toMatch(/not nillable/)
  })

  it("writes a nil array item where items are nillable", () => {
    expect(xmlOf({ OfflineConversions: [null] })).toContain(
      `<OfflineConversions><OfflineConversion i:nil="true"/></OfflineConversions>`
    )
  })

  it("writes dateTime in UTC with Z", () => {
    const zoned = DateTime.unsafeMakeZoned(Date.UTC(2026, 7, 1, 17, 2, 35), { timeZone: "America/New_York" })
    expect(xmlOf(conversion({ ConversionTime: zoned }))).toContain(
      "<ConversionTime>2026-08-01T17:02:35Z</ConversionTime>"
    )
  })
})

describe("polymorphism, lists and arrays of primitives", () => {
  it("writes a derived type with xsi:type and its base-type fields first", () => {
    const xml = Either.getOrThrow(encodeSoapRequest("AddConversionGoals", addGoalsRequest, headers))
    expect(xml).toContain(
      `<ConversionGoal i:type="OfflineConversionGoal"><ConversionWindowInMinutes>43200</ConversionWindowInMinutes>`
    )
    expect(xml).toMatch(
      /<Type>OfflineConversion<\/Type><IsExternallyAttributed>true<\/IsExternallyAttributed><\/ConversionGoal>/
    )
    expect(xml).toContain(
      `<ConversionGoal i:type="UrlGoal"><Name>Thank-you page</Name><Type>Url</Type><UrlExpression>contoso.com/thanks?a=1&amp;b=2</UrlExpression><UrlOperator>Contains</UrlOperator></ConversionGoal>`
    )
  })

  it("refuses a _tag that is not the declared type or derived from it", () => {
    const result = encodeSoapRequest("AddConversionGoals", { ConversionGoals: [{ _tag: "TextAd" }] } as never, headers)
    expect(Either.isLeft(result) && result.left.message).toMatch(/_tag TextAd is not ConversionGoal/)
  })

  it("writes xs:list values space-separated and ArrayOflong items in the Arrays namespace, declared once", () => {
    const xml = Either.getOrThrow(encodeSoapRequest("GetConversionGoalsByIds", getGoalsRequest, headers))
    expect(xml).toContain(
      `<GetConversionGoalsByIdsRequest xmlns="https://bingads.microsoft.com/CampaignManagement/v13" xmlns:a="http://schemas.microsoft.com/2003/10/Serialization/Arrays"><ConversionGoalIds><a:long>123</a:long><a:long>9007199254740993</a:long><a:long>9223372036854775807</a:long></ConversionGoalIds><ConversionGoalTypes>OfflineConversion Url</ConversionGoalTypes><ReturnAdditionalFields>IsExternallyAttributed GoalCategory</ReturnAdditionalFields>`
    )
  })

  it("refuses list values and enum values the WSDL does not define, and longs out of range", () => {
    const list = encodeSoapRequest("GetConversionGoalsByIds", { ConversionGoalTypes: ["Offline"] } as never, headers)
    expect(Either.isLeft(list) && list.left.path).toBe("GetConversionGoalsByIdsRequest.ConversionGoalTypes")
    const big = encodeSoapRequest("GetConversionGoalsByIds", { ConversionGoalIds: [2n ** 63n] } as never, headers)
    expect(Either.isLeft(big) && big.left.path).toBe("GetConversionGoalsByIdsRequest.ConversionGoalIds[0]")
    const number = encodeSoapRequest("GetConversionGoalsByIds", { ConversionGoalIds: [123] } as never, headers)
    expect(Either.isLeft(number) && number.left.message).toMatch(/expected a bigint, got a number/)
  })
})

describe("text values", () => {
  it("escapes & < > and keeps quotes, non-ASCII and whitespace exactly", () => {
    const name = `a & b < c > d "e" 'f' ]]> é 日本 😀 \t tab\nline`
    const xml = xmlOf(conversion({ ConversionName: name }))
    expect(xml).toContain(
      `<ConversionName>a &amp; b &lt; c &gt; d "e" 'f' ]]&gt; é 日本 😀 \t tab\nline</ConversionName>`
    )
    expect(roundTrip({ ConversionName: name }).ConversionName).toBe(name)
  })

  it("escapes CR so that it survives a parser's line-end normalisation", () => {
    expect(xmlOf(conversion({ ConversionName: "a\r\nb\rc" }))).toContain(
      "<ConversionName>a&#13;\nb&#13;c</ConversionName>"
    )
    expect(roundTrip({ ConversionName: "a\r\nb\rc" }).ConversionName).toBe("a\r\nb\rc")
  })

  it.each([
    ["\u0000", "U+0000"],
    ["\u0001", "U+0001"],
    ["\u001f", "U+001F"],
    ["\ufffe", "U+FFFE"],
    ["\ud800", "U+D800"],
    ["x\udc00", "U+DC00"]
  ])("refuses %j, which XML 1.0 cannot carry, with a clear error naming the field", (bad, code) => {
    const error = errorOf(conversion({ MicrosoftClickId: `abc${bad}def` }))
    expect(error.path).toBe("ApplyOfflineConversionsRequest.OfflineConversions[0].MicrosoftClickId")
    expect(error.message).toContain(code)
    expect(error.message).toMatch(/cannot be carried by XML 1.0/)
    expect(error.message).not.toContain("abc")
  })

  it("refuses a header XML cannot carry", () => {
    const result = encodeSoapRequest("ApplyOfflineConversions", applyRequest, { AuthenticationToken: "tok\u0007en" })
    expect(Either.isLeft(result) && result.left.path).toBe("Header.AuthenticationToken")
  })

  it("round-trips a very long string", () => {
    const long = "x&<y>".repeat(200_000)
    expect(roundTrip({ ExternalAttributionModel: long }).ExternalAttributionModel).toBe(long)
  })

  it("writes an empty string as an empty element and reads it back as empty", () => {
    expect(xmlOf(conversion({ HashedEmailAddress: "" }))).toContain("<HashedEmailAddress/>")
    expect(roundTrip({ HashedEmailAddress: "" }).HashedEmailAddress).toBe("")
  })
})

describe("numbers", () => {
  it("writes 1e21 in plain notation and reads it back", () => {
    expect(xmlOf(conversion({ ConversionValue: 1e21 }))).toContain(
      "<ConversionValue>1000000000000000000000</ConversionValue>"
    )
    expect(roundTrip({ ConversionValue: 1e21 }).ConversionValue).toBe(1e21)
  })

  it("keeps -0", () => {
    expect(xmlOf(conversion({ ConversionValue: -0 }))).toContain("<ConversionValue>-0</ConversionValue>")
    expect(Object.is(roundTrip({ ConversionValue: -0 }).ConversionValue, -0)).toBe(true)
  })

  it("writes tiny values without an exponent", () => {
    expect(xmlOf(conversion({ ExternalAttributionCredit: 1e-7 }))).toContain(
      "<ExternalAttributionCredit>0.0000001</ExternalAttributionCredit>"
    )
  })

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])("refuses %s", (n) => {
    const error = errorOf(conversion({ ConversionValue: n }))
    expect(error.path).toBe("ApplyOfflineConversionsRequest.OfflineConversions[0].ConversionValue")
    expect(error.message).toMatch(/not a finite number/)
  })

  it("refuses a number where an integer is expected, and an int out of range", () => {
    const response = (code: unknown) =>
      encodeSoapResponse(
        "ApplyOfflineConversions",
        { PartialErrors: [{ _tag: "BatchError", Code: code as number }] },
        "t"
      )
    expect(Either.isLeft(response(1.5))).toBe(true)
    expect(Either.isLeft(response(2 ** 31))).toBe(true)
    expect(Either.isRight(response(-(2 ** 31)))).toBe(true)
  })
})

describe("the response envelope", () => {
  it("carries the TrackingId header and decodes back", () => {
    const xml = Either.getOrThrow(encodeSoapResponse("ApplyOfflineConversions", { PartialErrors: [] }, "9f1c-track"))
    expect(xml).toContain(
      `<s:Header><TrackingId xmlns="https://bingads.microsoft.com/CampaignManagement/v13">9f1c-track</TrackingId></s:Header>`
    )
    expect(Either.getOrThrow(decodeSoapResponse("ApplyOfflineConversions", xml))).toEqual({
      body: { PartialErrors: [] },
      trackingId: "9f1c-track"
    })
  })
})
