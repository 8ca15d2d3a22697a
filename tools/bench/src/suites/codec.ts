/**
 * The wire codecs of @uplink/campaign-management against baselines, on the same data in one run:
 * (a) encoding a 1,000-item ApplyOfflineConversions request envelope — ours vs node-soap's client serializer
 *     (target: at least 10× faster);
 * (b) decoding a response with 1,000 BatchErrors — ours vs node-soap's `wsdl.xmlToObject` (target: no slower);
 * (c) REST JSON encode and decode of the same data — ours vs Effect Schema's encode/decode with JSON.stringify/parse.
 */
import {
  decodeRestResponse,
  decodeSoapResponse,
  encodeRestRequest,
  encodeRestResponse,
  encodeSoapRequest,
  encodeSoapResponse,
  operations,
  type RequestOf,
  type ResponseOf,
  type SoapRequestHeaders
} from "@uplink/campaign-management"
import { DateTime, Either, Schema } from "effect"
import * as soap from "soap"
import { measure } from "../harness.js"
import { compare, type Suite } from "../suite.js"
import { wsdlPath } from "../workspace.js"

const ITEMS = 1000
const CM = "https://bingads.microsoft.com/CampaignManagement/v13"

const headers: SoapRequestHeaders = {
  AuthenticationToken: "EwAoA8l6BAAUbDba3x2OMJElkF7gJ4z/VbCPEz0AAQ",
  CustomerAccountId: "2000002",
  CustomerId: "1000001",
  DeveloperToken: "BBD37VB98"
}

const hex = (i: number, length: number): string => (i * 2654435761).toString(16).padStart(length, "0").slice(-length)

/** 1,000 conversions: every 3rd without currency (nil), every 5th without value (nil), hashed email on even items. */
export const conversions = (): RequestOf<"ApplyOfflineConversions"> => ({
  OfflineConversions: Array.from({ length: ITEMS }, (_, i) => ({
    ConversionCurrencyCode: i % 3 === 0 ? null : "USD",
    ConversionName: i % 7 === 0 ? `Purchase & <Lead> #${i}` : "Offline Purchase",
    ConversionTime: DateTime.unsafeMake(Date.UTC(2026, 10, 1, 10) + i * 1000 + (i % 2 === 0 ? 0 : 123)),
    ConversionValue: i % 5 === 0 ? null : 10 + i * 0.25,
    ...(i % 2 === 0 ? { HashedEmailAddress: hex(i, 8).repeat(8) } : {}),
    MicrosoftClickId: hex(i, 32)
  }))
})

/** 1,000 BatchErrors, every 10th an EditorialError. */
export const batchErrors = (): ResponseOf<"ApplyOfflineConversions"> => ({
  PartialErrors: Array.from({ length: ITEMS }, (_, i) =>
    i % 10 === 0
      ? {
          _tag: "EditorialError" as const,
          Code: 1,
          Details: null,
          ErrorCode: "EditorialError",
          FieldPath: null,
          Index: i,
          Message: "The item was disapproved.",
          Type: "EditorialError",
          Appealable: false,
          ReasonCode: 17
        }
      : {
          _tag: "BatchError" as const,
          Code: 5604,
          Details: null,
          ErrorCode: "OfflineConversionMicrosoftClickIdInvalid",
          FieldPath: "MicrosoftClickId",
          ForwardCompatibilityMap: [],
          Index: i,
          Message: "The Microsoft Click ID is invalid.",
          Type: "BatchError"
        }
  )
})

/** The same conversions as node-soap client arguments (times as ISO strings: node-soap writes a Date as empty). */
const nodeSoapArgs = (body: RequestOf<"ApplyOfflineConversions">) => ({
  OfflineConversions: {
    OfflineConversion: body.OfflineConversions!.map((item) => ({
      ...item,
      ConversionTime: DateTime.formatIso(item!.ConversionTime!)
    }))
  }
})

const check = (condition: boolean, what: string): void => {
  if (!condition) throw new Error(`benchmark setup check failed: ${what}`)
}

export const codecSuite: Suite = {
  name: "codec",
  title: "Wire codecs: SOAP and REST, 1,000 items",
  run: async (options) => {
    let captured = ""
    const client = await soap.createClientAsync(wsdlPath(), {
      // Captures the envelope instead of sending it: the client's whole serialization runs, no network.
      httpClient: {
        request: (_url: string, data: string, callback: (error: Error) => void) => {
          captured = data
          callback(new Error("captured"))
        }
      } as never
    })
    client.addSoapHeader({ ...headers }, "", "tns", CM)

    const request = conversions()
    const args = nodeSoapArgs(request)
    const response = batchErrors()
    const responseXml = Either.getOrThrow(
      encodeSoapResponse("ApplyOfflineConversions", response, "0f9a3c1e-5d2b-4c8e-9f1a-7b6c5d4e3f2a")
    )

    const ours = {
      soapEncode: () => Either.getOrThrow(encodeSoapRequest("ApplyOfflineConversions", request, headers)),
      soapDecode: () => Either.getOrThrow(decodeSoapResponse("ApplyOfflineConversions", responseXml)),
      restEncode: () => Either.getOrThrow(encodeRestRequest("ApplyOfflineConversions", request)),
      restDecode: () => Either.getOrThrow(decodeRestResponse("ApplyOfflineConversions", restText))
    }
    const restText = Either.getOrThrow(encodeRestResponse("ApplyOfflineConversions", response))
    const op = operations.ApplyOfflineConversions
    const encodeRequest = Schema.encodeSync(op.request)
    const decodeResponse = Schema.decodeUnknownSync(op.response)
    const schemaJson = JSON.stringify(Schema.encodeSync(op.response)(response))
    const baseline = {
      soapEncode: () => {
        client.ApplyOfflineConversions(args, () => undefined)
        return captured
      },
      soapBodyOnly: () =>
        client.wsdl.objectToDocumentXML(
          "ApplyOfflineConversionsRequest",
          args,
          "tns",
          CM,
          "ApplyOfflineConversionsRequest"
        ),
      soapDecode: () => client.wsdl.xmlToObject(responseXml),
      restEncode: () => JSON.stringify(encodeRequest(request)),
      restDecode: () => decodeResponse(JSON.parse(schemaJson))
    }

    // Both sides must do the real work on the same data.
    const ourEnvelope = ours.soapEncode()
    baseline.soapEncode()
    check(captured.split("<OfflineConversion>").length - 1 === ITEMS, "node-soap wrote 1,000 conversions")
    check(ourEnvelope.split("<OfflineConversion>").length - 1 === ITEMS, "we wrote 1,000 conversions")
    check(ours.soapDecode().body.PartialErrors?.length === ITEMS, "we read 1,000 BatchErrors")
    const parsed = baseline.soapDecode() as {
      Body: { ApplyOfflineConversionsResponse: { PartialErrors: { BatchError: Array<unknown> } } }
    }
    check(
      parsed.Body.ApplyOfflineConversionsResponse.PartialErrors.BatchError.length === ITEMS,
      "node-soap read 1,000 BatchErrors"
    )
    check(ours.restDecode().PartialErrors?.length === ITEMS, "we read 1,000 BatchErrors from JSON")
    check(baseline.restDecode().PartialErrors?.length === ITEMS, "Effect Schema read 1,000 BatchErrors from JSON")

    const [a, b, c] = measure(
      [
        { label: "ours", run: ours.soapEncode },
        { label: "node-soap client", run: baseline.soapEncode },
        { label: "node-soap objectToDocumentXML", run: baseline.soapBodyOnly }
      ],
      options
    )
    const [d, e] = measure(
      [
        { label: "ours", run: ours.soapDecode },
        { label: "node-soap xmlToObject", run: baseline.soapDecode }
      ],
      options
    )
    const [f, g, h, i] = measure(
      [
        { label: "ours", run: ours.restEncode },
        { label: "Schema.encode + JSON.stringify", run: baseline.restEncode },
        { label: "ours", run: ours.restDecode },
        { label: "JSON.parse + Schema.decodeUnknown", run: baseline.restDecode }
      ],
      options
    )
    return {
      rows: [
        compare("(a) SOAP encode: 1,000-item ApplyOfflineConversions envelope", a!, b!, 10),
        compare("(a′) SOAP encode: same, node-soap body only (no envelope)", a!, c!),
        compare("(b) SOAP decode: response with 1,000 BatchErrors", d!, e!, 1),
        compare("(c) REST encode: 1,000 conversions", f!, g!),
        compare("(c) REST decode: 1,000 BatchErrors", h!, i!)
      ],
      notes: [
        `Request envelope: ours ${(ourEnvelope.length / 1024).toFixed(0)} KB, node-soap ${(captured.length / 1024).toFixed(0)} KB (13 KB of it namespace declarations). Response: ${(responseXml.length / 1024).toFixed(0)} KB of XML, ${(restText.length / 1024).toFixed(0)} KB of JSON.`,
        "Ours = the full call (`encodeSoapRequest` with the four headers; `decodeSoapResponse` to typed values: bigint, DateTime, `_tag`). node-soap client = `client.ApplyOfflineConversions(args)` with an httpClient that captures the envelope, so its whole serialization runs and nothing is sent.",
        "node-soap's xmlToObject gives untyped objects (nil dropped, xs:long via parseInt); ours checks every value against the schema while reading.",
        `Samples: ${options.samples} per case, interleaved round-robin with the baseline; each sample batches calls to at least ${options.minSampleMs} ms.`
      ]
    }
  }
}
