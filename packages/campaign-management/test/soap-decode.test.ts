/**
 * SOAP decoding: strict request decoding for the emulator (order, namespaces, unknown elements and headers) and
 * tolerant response decoding for core (TrackingId, empty lists, xsi:type, newer fields and enum values, faults
 * recognised whatever the HTTP status).
 */
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import {
  decodeSoapRequest,
  decodeSoapResponse,
  encodeSoapFault,
  faultErrorCodes,
  makeWireFault,
  type WireDecodeError,
  type WireFault
} from "../src/index.js"
import { at } from "./fixtures.js"

const ENV = `xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"`
const CM = `https://bingads.microsoft.com/CampaignManagement/v13`

/** The docs' request template (docs/microsoft-api.md §11), with the WCF Action header of the docs' generated templates. */
const docsRequest = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
  <s:Header xmlns="${CM}">
    <Action mustUnderstand="1" xmlns="http://schemas.microsoft.com/ws/2005/05/addressing/none">ApplyOfflineConversions</Action>
    <AuthenticationToken>eyJ0eXAi…</AuthenticationToken>
    <CustomerAccountId>123456789</CustomerAccountId>
    <CustomerId>987654321</CustomerId>
    <DeveloperToken>BBD37VB98</DeveloperToken>
  </s:Header>
  <s:Body>
    <ApplyOfflineConversionsRequest xmlns="${CM}">
      <OfflineConversions>
        <OfflineConversion>
          <ConversionCurrencyCode>USD</ConversionCurrencyCode>
          <ConversionName>My Offline Conversion Goal</ConversionName>
          <ConversionTime>2026-08-01T17:02:35Z</ConversionTime>
          <ConversionValue>10</ConversionValue>
          <MicrosoftClickId>f894f652ea334e739002f7167ab8f8e3</MicrosoftClickId>
        </OfflineConversion>
      </OfflineConversions>
    </ApplyOfflineConversionsRequest>
  </s:Body>
</s:Envelope>`

const request = (conversion: string, header = "") =>
  `<s:Envelope ${ENV}><s:Header>${header}</s:Header><s:Body><ApplyOfflineConversionsRequest xmlns="${CM}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><OfflineConversions><OfflineConversion>${conversion}</OfflineConversion></OfflineConversions></ApplyOfflineConversionsRequest></s:Body></s:Envelope>`

const requestError = (xml: string): WireDecodeError => {
  const result = decodeSoapRequest(xml)
  if (Either.isRight(result)) throw new Error("expected a decode error")
  return result.left
}

const response = (body: string, header = `<s:Header><TrackingId xmlns="${CM}">track-1</TrackingId></s:Header>`) =>
  `<s:Envelope ${ENV}>${header}<s:Body>${body}</s:Body></s:Envelope>`

const applyResponse = (partialErrors: string) =>
  response(
    `<ApplyOfflineConversionsResponse xmlns="${CM}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">${partialErrors}</ApplyOfflineConversionsResponse>`
  )

const faultOf = (xml: string): WireFault => {
  const result = decodeSoapResponse("ApplyOfflineConversions", xml)
  if (Either.isRight(result) || result.left._tag !== "WireFault") throw new Error("expected a fault")
  return result.left
}

describe("decodeSoapRequest (strict, emulator side)", () => {
  it("decodes the docs' request template, understanding the WCF Action header", () => {
    const decoded = Either.getOrThrow(decodeSoapRequest(docsRequest))
    expect(decoded.operation).toBe("ApplyOfflineConversions")
    expect(decoded.headers).toEqual({
      AuthenticationToken: "eyJ0eXAi…",
      CustomerAccountId: "123456789",
      CustomerId: "987654321",
      DeveloperToken: "BBD37VB98"
    })
    expect(decoded.mustUnderstandUnknown).toEqual([])
    expect(decoded.body).toEqual({
      OfflineConversions: [
        {
          ConversionCurrencyCode: "USD",
          ConversionName: "My Offline Conversion Goal",
          ConversionTime: at("2026-08-01T17:02:35Z"),
          ConversionValue: 10,
          MicrosoftClickId: "f894f652ea334e739002f7167ab8f8e3"
        }
      ]
    })
  })

  it("ignores unknown headers but returns those with mustUnderstand", () => {
    const header = `<wsa:To xmlns:wsa="http://www.w3.org/2005/08/addressing">x</wsa:To><wsse:Security s:mustUnderstand="1" xmlns:wsse="urn:wsse"><t>1</t></wsse:Security>`
    const decoded = Either.getOrThrow(decodeSoapRequest(request("<ConversionName>n</ConversionName>", header)))
    expect(decoded.mustUnderstandUnknown).toEqual(["wsse:Security"])
  })

  it("rejects an unknown body element, naming its path", () => {
    const error = requestError(request("<ConversionName>n</ConversionName><ConversionValu>1</ConversionValu>"))
    expect(error.reason).toBe("UnknownElement")
    expect(error.path).toBe("ApplyOfflineConversionsRequest.OfflineConversions[0].ConversionValu")
  })

  it("rejects elements out of XSD order and repeated elements", () => {
    const swapped = requestError(
      request("<ConversionTime>2026-08-01T17:02:35Z</ConversionTime><ConversionName>n</ConversionName>")
    )
    expect(swapped.reason).toBe("OutOfOrder")
    expect(swapped.path).toBe("ApplyOfflineConversionsRequest.OfflineConversions[0].ConversionName")
    const twice = requestError(request("<ConversionName>n</ConversionName><ConversionName>m</ConversionName>"))
    expect(twice.reason).toBe("OutOfOrder")
  })

  it("rejects an element in the wrong namespace", () => {
    const error = requestError(request(`<ConversionName xmlns="urn:other">n</ConversionName>`))
    expect(error.reason).toBe("UnknownElement")
  })

  it("rejects nil on a non-nillable element, an empty dateTime and an unknown enum value", () => {
    expect(requestError(request(`<ConversionTime i:nil="true"/>`)).reason).toBe("SchemaMismatch")
    const empty = requestError(request("<ConversionTime></ConversionTime>"))
    expect(empty.reason).toBe("SchemaMismatch")
    expect(empty.path).toBe("ApplyOfflineConversionsRequest.OfflineConversions[0].ConversionTime")
    const goals = `<s:Envelope ${ENV}><s:Body><GetConversionGoalsByIdsRequest xmlns="${CM}"><ConversionGoalTypes>OfflineConversion Offline</ConversionGoalTypes></GetConversionGoalsByIdsRequest></s:Body></s:Envelope>`
    expect(requestError(goals).reason).toBe("SchemaMismatch")
  })

  it("rejects text where only elements belong", () => {
    expect(requestError(request("stray<ConversionName>n</ConversionName>")).reason).toBe("UnknownElement")
  })

  it("reads the xsi:type of a derived goal and the ArrayOflong items", () => {
    const xml = `<s:Envelope ${ENV}><s:Body><GetConversionGoalsByIdsRequest xmlns="${CM}"><ConversionGoalIds xmlns:a="http://schemas.microsoft.com/2003/10/Serialization/Arrays"><a:long>9223372036854775807</a:long></ConversionGoalIds><ConversionGoalTypes>OfflineConversion</ConversionGoalTypes></GetConversionGoalsByIdsRequest></s:Body></s:Envelope>`
    expect(Either.getOrThrow(decodeSoapRequest(xml)).body).toEqual({
      ConversionGoalIds: [9223372036854775807n],
      ConversionGoalTypes: ["OfflineConversion"]
    })
    const bad = xml.replace("9223372036854775807", "9223372036854775808")
    expect(requestError(bad).path).toBe("GetConversionGoalsByIdsRequest.ConversionGoalIds[0]")
  })

  it("names an unknown operation, and a document that is not an envelope", () => {
    expect(requestError(`<s:Envelope ${ENV}><s:Body><FooRequest xmlns="${CM}"/></s:Body></s:Envelope>`).reason).toBe(
      "UnknownOperation"
    )
    expect(requestError(`<s:Envelope ${ENV}><s:Body/></s:Envelope>`).reason).toBe("UnknownOperation")
    expect(requestError("<html><body>Bad gateway</body></html>").reason).toBe("NotAnEnvelope")
    expect(requestError(`<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"/>`).reason).toBe("NotAnEnvelope")
    expect(requestError(docsRequest.slice(0, 400)).reason).toBe("NotWellFormed")
  })
})

describe("decodeSoapResponse (tolerant, client side)", () => {
  it("reads absent, empty and nil lists as no errors", () => {
    const absent = Either.getOrThrow(decodeSoapResponse("ApplyOfflineConversions", applyResponse("")))
    const empty = Either.getOrThrow(decodeSoapResponse("ApplyOfflineConversions", applyResponse("<PartialErrors/>")))
    const nil = Either.getOrThrow(
      decodeSoapResponse("ApplyOfflineConversions", applyResponse(`<PartialErrors i:nil="true"/>`))
    )
    for (const decoded of [absent, empty, nil]) {
      expect(decoded.trackingId).toBe("track-1")
      expect(decoded.body.PartialErrors ?? []).toEqual([])
    }
    expect([absent.body.PartialErrors, empty.body.PartialErrors, nil.body.PartialErrors]).toEqual([undefined, [], null])
  })

  it("reads i:type=EditorialError on a BatchError", () => {
    const xml = applyResponse(
      `<PartialErrors><BatchError i:type="EditorialError"><Code>1</Code><Index>2</Index><Appealable>true</Appealable><ReasonCode>9</ReasonCode></BatchError></PartialErrors>`
    )
    expect(Either.getOrThrow(decodeSoapResponse("ApplyOfflineConversions", xml)).body.PartialErrors).toEqual([
      { _tag: "EditorialError", Code: 1, Index: 2, Appealable: true, ReasonCode: 9 }
    ])
  })

  it("ignores elements a newer service version adds, and reads an unknown derived type as its base type", () => {
    const xml = applyResponse(
      `<NewTopLevel><X>1</X></NewTopLevel><PartialErrors><BatchError i:type="FutureError"><Code>5604</Code><Severity>High</Severity><Index>0</Index><Nested><A/></Nested></BatchError></PartialErrors>`
    )
    expect(Either.getOrThrow(decodeSoapResponse("ApplyOfflineConversions", xml)).body).toEqual({
      PartialErrors: [{ _tag: "BatchError", Code: 5604, Index: 0 }]
    })
  })

  it("passes enum values this WSDL does not know through, and reads the REST overlay's fields a newer WSDL sends", () => {
    const xml = response(
      `<GetConversionGoalsByIdsResponse xmlns="${CM}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><ConversionGoals><ConversionGoal i:type="OfflineConversionGoal"><AttributionModelType>DataDriven</AttributionModelType><Id>9007199254740993</Id><IsAutoGoal>false</IsAutoGoal><Type>OfflineConversion AppDownload</Type></ConversionGoal></ConversionGoals></GetConversionGoalsByIdsResponse>`
    )
    expect(Either.getOrThrow(decodeSoapResponse("GetConversionGoalsByIds", xml)).body.ConversionGoals).toEqual([
      {
        _tag: "OfflineConversionGoal",
        AttributionModelType: "DataDriven",
        Id: 9007199254740993n,
        IsAutoGoal: false,
        Type: ["OfflineConversion", "AppDownload"]
      }
    ])
  })

  it("still refuses values that are wrong, not just new", () => {
    const result = decodeSoapResponse(
      "ApplyOfflineConversions",
      applyResponse("<PartialErrors><BatchError><Index>three</Index></BatchError></PartialErrors>")
    )
    expect(Either.isLeft(result) && (result.left as WireDecodeError).path).toBe(
      "ApplyOfflineConversionsResponse.PartialErrors[0].Index"
    )
  })

  it("refuses the response of another operation", () => {
    const result = decodeSoapResponse("AddConversionGoals", applyResponse(""))
    expect(Either.isLeft(result) && (result.left as WireDecodeError).reason).toBe("SchemaMismatch")
  })

  it("reads a TrackingId header with a prefix and without one", () => {
    const xml = applyResponse("").replace(
      `<TrackingId xmlns="${CM}">track-1</TrackingId>`,
      `<h:TrackingId xmlns:h="${CM}">t-2</h:TrackingId>`
    )
    expect(Either.getOrThrow(decodeSoapResponse("ApplyOfflineConversions", xml)).trackingId).toBe("t-2")
    const none = response(`<ApplyOfflineConversionsResponse xmlns="${CM}"/>`, "")
    expect(Either.getOrThrow(decodeSoapResponse("ApplyOfflineConversions", none)).trackingId).toBeUndefined()
  })
})

describe("faults", () => {
  /** The AdApiFaultDetail fault of docs/microsoft-api.md §1, "SOAP". */
  const adApiFault = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
  <s:Body>
    <s:Fault>
      <faultcode>s:Server</faultcode>
      <faultstring xml:lang="en-US">Invalid client data. Check the SOAP fault details for more information. TrackingId: 00000000-0000-0000-0000-000000000000.</faultstring>
      <detail>
        <AdApiFaultDetail xmlns="https://adapi.microsoft.com" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
          <TrackingId>00000000-0000-0000-0000-000000000000</TrackingId>
          <Errors>
            <AdApiError>
              <Code>105</Code>
              <Detail i:nil="true"/>
              <ErrorCode>InvalidCredentials</ErrorCode>
              <Message>Authentication failed.</Message>
            </AdApiError>
          </Errors>
        </AdApiFaultDetail>
      </detail>
    </s:Fault>
  </s:Body>
</s:Envelope>`

  it("reads the docs' AdApiFaultDetail fault", () => {
    const fault = faultOf(adApiFault)
    expect(fault).toMatchObject({
      _tag: "WireFault",
      faultCode: "s:Server",
      trackingId: "00000000-0000-0000-0000-000000000000",
      detail: {
        _tag: "AdApiFaultDetail",
        value: {
          _tag: "AdApiFaultDetail",
          TrackingId: "00000000-0000-0000-0000-000000000000",
          Errors: [{ Code: 105, Detail: null, ErrorCode: "InvalidCredentials", Message: "Authentication failed." }]
        }
      }
    })
    expect(fault.message).toMatch(/^Invalid client data/)
    expect(faultErrorCodes(fault)).toEqual([
      { code: 105, errorCode: "InvalidCredentials", message: "Authentication failed." }
    ])
  })

  it.each([
    ["the adapi namespace", `<TrackingId xmlns="https://adapi.microsoft.com">t-adapi</TrackingId>`, "t-adapi"],
    ["the v13 namespace", `<TrackingId>t-v13</TrackingId>`, "t-v13"]
  ])("reads an ApiFaultDetail with its TrackingId in %s", (_, tracking, expected) => {
    const xml = response(
      `<s:Fault><faultcode>s:Server</faultcode><faultstring>Invalid client data.</faultstring><detail><ApiFaultDetail xmlns="${CM}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">${tracking}<BatchErrors><BatchError><Code>5604</Code><Index>3</Index></BatchError></BatchErrors><OperationErrors><OperationError><Code>117</Code><Details i:nil="true"/><ErrorCode>CallRateExceeded</ErrorCode><Message>Slow down.</Message></OperationError></OperationErrors></ApiFaultDetail></detail></s:Fault>`,
      ""
    )
    const fault = faultOf(xml)
    expect(fault.trackingId).toBe(expected)
    expect(faultErrorCodes(fault)).toEqual([
      { code: 117, errorCode: "CallRateExceeded", message: "Slow down." },
      { code: 5604, errorCode: "", message: "" }
    ])
  })

  it("reads an EditorialApiFaultDetail, and takes the TrackingId from the header or the faultstring when the detail has none", () => {
    const editorial = response(
      `<s:Fault><faultcode>s:Server</faultcode><faultstring>Editorial</faultstring><detail><EditorialApiFaultDetail xmlns="${CM}"><EditorialErrors><EditorialError><Code>1</Code><ReasonCode>4</ReasonCode></EditorialError></EditorialErrors></EditorialApiFaultDetail></detail></s:Fault>`
    )
    const fault = faultOf(editorial)
    expect(fault.detail?._tag).toBe("EditorialApiFaultDetail")
    expect(fault.trackingId).toBe("track-1")
    expect(faultErrorCodes(fault)).toEqual([{ code: 1, errorCode: "", message: "" }])
    const bare = response(
      `<s:Fault><faultcode>s:Client</faultcode><faultstring>Bad. TrackingId: 3c87c4f2-1111-2222-3333-444455556666.</faultstring></s:Fault>`,
      ""
    )
    expect(faultOf(bare)).toEqual(
      makeWireFault({
        faultCode: "s:Client",
        message: "Bad. TrackingId: 3c87c4f2-1111-2222-3333-444455556666.",
        trackingId: "3c87c4f2-1111-2222-3333-444455556666"
      })
    )
  })

  it("recognises a fault in place of any response (the service has sent faults with HTTP 200)", () => {
    for (const op of ["ApplyOfflineConversions", "AddConversionGoals", "GetOfflineConversionReports"] as const) {
      const result = decodeSoapResponse(op, adApiFault)
      expect(Either.isLeft(result) && result.left._tag).toBe("WireFault")
    }
  })

  it.each([
    [
      "AdApiFaultDetail",
      {
        _tag: "AdApiFaultDetail",
        TrackingId: "t",
        Errors: [{ Code: 109, Detail: "expired", ErrorCode: "AuthenticationTokenExpired", Message: "Expired." }]
      }
    ],
    [
      "ApiFaultDetail",
      {
        _tag: "ApiFaultDetail",
        TrackingId: "t",
        BatchErrors: [{ _tag: "EditorialError", Code: 1, ReasonCode: 2 }],
        OperationErrors: [
          { Code: 0, Details: null, ErrorCode: "InternalError", Message: "An internal error has occurred." }
        ]
      }
    ],
    [
      "EditorialApiFaultDetail",
      {
        _tag: "EditorialApiFaultDetail",
        TrackingId: "t",
        BatchErrors: [],
        EditorialErrors: [{ _tag: "EditorialError", Code: 3, Location: "Name" }],
        OperationErrors: null
      }
    ]
  ] as const)("writes and reads back a %s fault", (name, value) => {
    const fault = makeWireFault({ message: "Invalid client data & more", detail: { _tag: name, value } as never })
    const xml = encodeSoapFault(fault)
    expect(xml).toContain(
      `<faultcode>s:Server</faultcode><faultstring>Invalid client data &amp; more</faultstring><detail><${name} xmlns=`
    )
    expect(faultOf(xml)).toEqual(fault)
  })

  it("always writes a well-formed fault, even from text XML cannot carry", () => {
    const fault = makeWireFault({ faultCode: "soap:Client", message: "bad\u0001char", trackingId: "t" })
    const xml = encodeSoapFault(fault)
    expect(faultOf(xml)).toMatchObject({ faultCode: "s:Client", message: "bad\ufffdchar" })
  })
})
