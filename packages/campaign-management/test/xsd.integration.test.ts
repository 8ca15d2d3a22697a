/**
 * The schema check: every envelope shape the codec produces validates with `xmllint --schema` against the WSDL's XSD
 * (tools/xsd-check) — the offline-conversion operations and faults by hand, and sample envelopes of all 178
 * operations in one batch — and the check itself fails on a swapped element, an empty dateTime and nil on a
 * non-nillable element.
 */
import { extractXsd, validateXml } from "@uplink/xsd-check"
import { Either } from "effect"
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import {
  encodeSoapFault,
  encodeSoapRequest,
  encodeSoapResponse,
  makeWireFault,
  type OperationName,
  operationNames,
  operations,
  type WireFaultDetail
} from "../src/index.js"
import { sampleRequest, sampleResponse } from "../src/testing/samples.js"
import { applyRequest, headers, shapes } from "./fixtures.js"

const request = (op: OperationName, body: unknown) => Either.getOrThrow(encodeSoapRequest(op, body as never, headers))
const response = (op: OperationName, body: unknown) =>
  Either.getOrThrow(encodeSoapResponse(op, body as never, "0a1b2c3d"))

const expectValid = (xml: string) => {
  const result = validateXml(xml)
  expect(result.errors).toEqual([])
  expect(result.valid).toBe(true)
}

describe("envelopes of the offline-conversion operations validate", () => {
  it.each(shapes)("%s request and response", (op, body, reply) => {
    expectValid(request(op, body))
    expectValid(response(op, reply))
  })

  it.each([
    "ApplyOfflineConversions",
    "ApplyOfflineConversionAdjustments",
    "AddConversionGoals",
    "GetConversionGoalsByIds",
    "GetOfflineConversionReports"
  ] as const)("%s with every field filled, and with nils", (op) => {
    for (const nils of [false, true]) {
      expectValid(request(op, sampleRequest(op, { nils, protocol: "soap" })))
      expectValid(response(op, sampleResponse(op, { nils, protocol: "soap" })))
    }
  })

  const details: ReadonlyArray<WireFaultDetail> = [
    {
      _tag: "AdApiFaultDetail",
      value: {
        _tag: "AdApiFaultDetail",
        TrackingId: "t",
        Errors: [{ Code: 105, Detail: null, ErrorCode: "InvalidCredentials", Message: "Authentication failed." }]
      }
    },
    {
      _tag: "ApiFaultDetail",
      value: {
        _tag: "ApiFaultDetail",
        TrackingId: "t",
        BatchErrors: [
          { _tag: "BatchError", Code: 5604, Index: 3, ForwardCompatibilityMap: [{ key: "k", value: "v" }] }
        ],
        OperationErrors: [{ Code: 117, Details: null, ErrorCode: "CallRateExceeded", Message: "Slow down." }]
      }
    },
    {
      _tag: "EditorialApiFaultDetail",
      value: {
        _tag: "EditorialApiFaultDetail",
        TrackingId: "t",
        EditorialErrors: [{ _tag: "EditorialError", Code: 1, ReasonCode: 2 }]
      }
    }
  ]

  it.each(details.map((detail) => [detail._tag, detail] as const))("a fault with %s", (_, detail) => {
    const xml = encodeSoapFault(
      makeWireFault({ message: "Invalid client data. Check the SOAP fault details for more information.", detail })
    )
    expectValid(xml)
  })

  it("a fault without detail", () => {
    expectValid(encodeSoapFault(makeWireFault({ message: "Internal error", trackingId: "t" })))
  })
})

describe("the schema check itself", () => {
  const valid = request("ApplyOfflineConversions", applyRequest)

  it("accepts the unmodified envelope", () => {
    expectValid(valid)
  })

  it("fails on a swapped element", () => {
    const swapped = valid.replace(
      /(<ConversionName>[^<]*<\/ConversionName>)(<ConversionTime>[^<]*<\/ConversionTime>)/,
      "$2$1"
    )
    expect(swapped).not.toBe(valid)
    const result = validateXml(swapped)
    expect(result.valid).toBe(false)
    expect(result.errors.join("\n")).toMatch(/ConversionName.*This element is not expected/)
  })

  it("fails on an empty dateTime (what node-soap sends for a Date)", () => {
    const empty = valid.replace(/<ConversionTime>[^<]*<\/ConversionTime>/, "<ConversionTime></ConversionTime>")
    const result = validateXml(empty)
    expect(result.valid).toBe(false)
    expect(result.errors.join("\n")).toMatch(/ConversionTime.*not a valid value of the atomic type 'xs:dateTime'/)
  })

  it("fails on nil on a non-nillable element", () => {
    const nil = valid.replace(/<ConversionTime>[^<]*<\/ConversionTime>/, `<ConversionTime i:nil="true"/>`)
    const result = validateXml(nil)
    expect(result.valid).toBe(false)
    expect(result.errors.join("\n")).toMatch(/ConversionTime.*The element is not 'nillable'/)
  })
})

describe("sample envelopes of all 178 operations of the WSDL validate (samples without the REST overlay's additions)", () => {
  const dir = mkdtempSync(join(tmpdir(), "uplink-envelopes-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it("requests and responses, with every field filled and with nils (one xmllint run)", () => {
    const files: Array<string> = []
    for (const op of operationNames.filter((name) => operations[name].soapAction !== undefined)) {
      for (const nils of [false, true]) {
        const requestFile = join(dir, `${op}-${nils ? "nils" : "full"}-request.xml`)
        writeFileSync(requestFile, request(op, sampleRequest(op, { nils, protocol: "soap" })))
        const responseFile = join(dir, `${op}-${nils ? "nils" : "full"}-response.xml`)
        writeFileSync(responseFile, response(op, sampleResponse(op, { nils, protocol: "soap" })))
        files.push(requestFile, responseFile)
      }
    }
    expect(files).toHaveLength(178 * 4)
    const run = spawnSync("xmllint", ["--noout", "--nonet", "--schema", extractXsd().envelope, ...files], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024
    })
    const problems = run.stderr.split("\n").filter((line) => line.trim() !== "" && !line.endsWith(" validates"))
    expect(problems).toEqual([])
    expect(run.status).toBe(0)
    expect(run.stderr.split("\n").filter((line) => line.endsWith(" validates"))).toHaveLength(files.length)
  })
})
