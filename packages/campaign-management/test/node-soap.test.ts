/**
 * Cross-check with an independent implementation, node-soap (its own WSDL parser and serializer):
 * - our envelopes, decoded by node-soap's `wsdl.xmlToObject`, give the same values;
 * - envelopes built by node-soap's client (captured by a 127.0.0.1 HTTP stub), decoded by our strict
 *   `decodeSoapRequest`, give the same values; the stub answers with our response envelope, which the node-soap client
 *   parses back.
 * node-soap conventions are mapped by hand here (nil dropped, longs as numbers, dates as Date, lists as one string,
 * arrays as `{ Item: [...] }`, derived types as `attributes: { "i:type": … }`), so test ids stay below 2^53: node-soap
 * reads xs:long with parseInt.
 */
import { defaultWsdl } from "@uplink/xsd-check"
import { DateTime, Either } from "effect"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import * as soap from "soap"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  decodeSoapRequest,
  encodeSoapFault,
  encodeSoapRequest,
  encodeSoapResponse,
  makeWireFault,
  type OperationName
} from "../src/index.js"
import {
  adjustmentsRequest,
  applyRequest,
  applyResponse,
  headers,
  reportsRequest,
  reportsResponse
} from "./fixtures.js"

const CM = "https://bingads.microsoft.com/CampaignManagement/v13"

/** Array fields and the element name of their items (from the WSDL, by hand). */
const ITEM: Readonly<Record<string, string>> = {
  OfflineConversions: "OfflineConversion",
  OfflineConversionAdjustments: "OfflineConversionAdjustment",
  ConversionGoals: "ConversionGoal",
  ConversionGoalIds: "long",
  PartialErrors: "BatchError",
  BatchErrors: "BatchError",
  OperationErrors: "OperationError",
  Errors: "AdApiError",
  ForwardCompatibilityMap: "KeyValuePairOfstringstring",
  DailySummaries: "DailySummary"
}
/** xs:list fields: node-soap leaves them as one space-separated string. */
const LISTS = new Set(["ConversionGoalTypes", "ReturnAdditionalFields", "Type"])
/** Declared types of the tagged values below: any other `_tag` is written with xsi:type. */
const DECLARED = new Set([
  "BatchError",
  "ConversionGoal",
  "AdApiFaultDetail",
  "ApiFaultDetail",
  "EditorialApiFaultDetail"
])

/** Our decoded value as node-soap's xmlToObject shows it. */
const nodeSoapView = (value: unknown, key = ""): unknown => {
  if (value === null || value === undefined) return undefined
  if (DateTime.isDateTime(value)) return new Date(value.epochMillis)
  if (typeof value === "bigint") return Number(value)
  if (Array.isArray(value)) {
    if (LISTS.has(key)) return value.join(" ")
    return { [ITEM[key]!]: value.map((item) => nodeSoapView(item)) }
  }
  if (typeof value === "object") {
    const out: Record<string, unknown> = {}
    const tag = (value as { _tag?: string })._tag
    if (tag !== undefined && !DECLARED.has(tag)) out.attributes = { "i:type": tag }
    for (const [k, v] of Object.entries(value)) {
      if (k === "_tag") continue
      const view = nodeSoapView(v, k)
      if (view !== undefined) out[k] = view
    }
    return out
  }
  return value
}

/** Our decoded value as node-soap client arguments (ISO strings for times, decimal strings for longs). */
const nodeSoapArgs = (value: unknown, key = ""): unknown => {
  if (DateTime.isDateTime(value)) return DateTime.formatIso(value)
  if (typeof value === "bigint") return value.toString()
  if (Array.isArray(value)) {
    if (LISTS.has(key)) return value.join(" ")
    return { [ITEM[key]!]: value.map((item) => nodeSoapArgs(item)) }
  }
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {}
    const tag = (value as { _tag?: string })._tag
    if (tag !== undefined && !DECLARED.has(tag)) out.attributes = { "xsi:type": tag }
    for (const [k, v] of Object.entries(value)) if (k !== "_tag") out[k] = nodeSoapArgs(v, k)
    return out
  }
  return value
}

/** Bodies with ids node-soap can represent (below 2^53) and no empty or nil-item lists. */
const addGoals = {
  ConversionGoals: [
    {
      _tag: "OfflineConversionGoal",
      ConversionWindowInMinutes: 43200,
      CountType: "All",
      GoalCategory: "Purchase",
      Name: "Offline & <purchases>",
      Revenue: { CurrencyCode: "USD", Type: "FixedValue", Value: 5.5 },
      Scope: "Account",
      Status: "Active",
      Type: ["OfflineConversion"],
      IsExternallyAttributed: true
    },
    { _tag: "UrlGoal", Name: "Thanks", Type: ["Url"], UrlExpression: "contoso.com/thanks", UrlOperator: "Contains" }
  ]
}
const addGoalsReply = {
  ConversionGoalIds: [9007199254740991n, 42n],
  PartialErrors: [
    { _tag: "BatchError", Code: 5324, ErrorCode: "ConversionGoalIdNotNull", Index: 1, Type: "BatchError" }
  ]
}
const getGoals = {
  ConversionGoalIds: [123n, 9007199254740991n],
  ConversionGoalTypes: ["OfflineConversion", "Url"],
  ReturnAdditionalFields: ["GoalCategory"]
}
const getGoalsReply = {
  ConversionGoals: [
    {
      _tag: "OfflineConversionGoal",
      Id: 123n,
      Name: "Offline",
      TagId: 77n,
      Type: ["OfflineConversion"],
      IsExternallyAttributed: false
    }
  ],
  PartialErrors: [{ _tag: "EditorialError", Code: 1, Index: 0, Appealable: true, ReasonCode: 3 }]
}
const applyReply = {
  PartialErrors: [
    { ...applyResponse.PartialErrors![0]!, ForwardCompatibilityMap: [{ key: "k", value: "v" }] },
    applyResponse.PartialErrors![1]!
  ]
}

const cases: ReadonlyArray<readonly [OperationName, unknown, unknown]> = [
  ["ApplyOfflineConversions", applyRequest, applyReply],
  ["ApplyOfflineConversionAdjustments", adjustmentsRequest, applyReply],
  ["AddConversionGoals", addGoals, addGoalsReply],
  ["GetConversionGoalsByIds", getGoals, getGoalsReply],
  ["GetOfflineConversionReports", reportsRequest, reportsResponse]
]

let client: soap.Client
let server: Server
let reply = ""
let captured = ""

beforeAll(async () => {
  client = await soap.createClientAsync(defaultWsdl())
  server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      captured = Buffer.concat(chunks).toString("utf8")
      res.writeHead(200, { "content-type": "text/xml; charset=utf-8" })
      res.end(reply)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  client.setEndpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
  client.addSoapHeader(
    {
      AuthenticationToken: headers.AuthenticationToken,
      CustomerAccountId: headers.CustomerAccountId,
      CustomerId: headers.CustomerId,
      DeveloperToken: headers.DeveloperToken
    },
    "",
    "tns",
    CM
  )
})

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
})

describe("our envelopes, read by node-soap", () => {
  it.each(cases)("%s request and response", (op, body, response) => {
    const request = Either.getOrThrow(encodeSoapRequest(op, body as never, headers))
    const parsed = client.wsdl.xmlToObject(request) as { Header: unknown; Body: Record<string, unknown> }
    expect(parsed.Header).toEqual({ ...headers })
    expect(parsed.Body).toEqual({ [`${op}Request`]: nodeSoapView(body) })

    const answer = Either.getOrThrow(encodeSoapResponse(op, response as never, "track-1"))
    const parsedAnswer = client.wsdl.xmlToObject(answer) as { Header: unknown; Body: Record<string, unknown> }
    expect(parsedAnswer.Header).toEqual({ TrackingId: "track-1" })
    expect(parsedAnswer.Body).toEqual({ [`${op}Response`]: nodeSoapView(response) })
  })

  it("a fault with ApiFaultDetail", () => {
    const fault = makeWireFault({
      message: "Invalid client data.",
      detail: {
        _tag: "ApiFaultDetail",
        value: {
          _tag: "ApiFaultDetail",
          TrackingId: "t-9",
          OperationErrors: [{ Code: 117, ErrorCode: "CallRateExceeded", Message: "Slow down." }]
        }
      }
    })
    // node-soap reports a fault by throwing, with the parsed envelope as `root` (detail values stay untyped strings).
    let thrown: unknown
    try {
      client.wsdl.xmlToObject(encodeSoapFault(fault))
    } catch (e) {
      thrown = e
    }
    expect((thrown as Error).message).toMatch(/^s:Server: Invalid client data\.: /)
    expect((thrown as { root: { Envelope: { Body: { Fault: unknown } } } }).root.Envelope.Body.Fault).toEqual({
      faultcode: "s:Server",
      faultstring: "Invalid client data.",
      detail: {
        ApiFaultDetail: {
          TrackingId: "t-9",
          OperationErrors: { OperationError: { Code: "117", ErrorCode: "CallRateExceeded", Message: "Slow down." } }
        }
      }
    })
  })
})

describe("node-soap's envelopes, read by our strict decoder", () => {
  it.each(cases)("%s (sent by the node-soap client to a 127.0.0.1 stub)", async (op, body, response) => {
    reply = Either.getOrThrow(encodeSoapResponse(op, response as never, "stub-track"))
    const method = (client as unknown as Record<string, (args: unknown) => Promise<[unknown, string, unknown]>>)[
      `${op}Async`
    ]!
    const [result, , soapHeader] = await method.call(client, nodeSoapArgs(body))

    const decoded = Either.getOrThrow(decodeSoapRequest(captured))
    expect(decoded.operation).toBe(op)
    expect(decoded.headers).toEqual({ ...headers })
    expect(decoded.body).toEqual(body)

    expect(soapHeader).toEqual({ TrackingId: "stub-track" })
    expect(result).toEqual(nodeSoapView(response))
  })

  it("the envelope node-soap builds itself keeps the 13 KB of namespace declarations ours avoids", async () => {
    reply = Either.getOrThrow(encodeSoapResponse("ApplyOfflineConversions", { PartialErrors: [] }, "stub-track"))
    await (
      client as unknown as { ApplyOfflineConversionsAsync: (args: unknown) => Promise<unknown> }
    ).ApplyOfflineConversionsAsync(nodeSoapArgs(applyRequest))
    const ours = Either.getOrThrow(encodeSoapRequest("ApplyOfflineConversions", applyRequest, headers))
    expect(Either.getOrThrow(decodeSoapRequest(captured)).operation).toBe("ApplyOfflineConversions")
    expect(captured.length).toBeGreaterThan(ours.length + 10_000)
  })
})
