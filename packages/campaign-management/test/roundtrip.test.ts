/**
 * Lossless round trips for every request and response type of the 190 operations: generated samples (every field
 * filled; and a variant with nils) go through SOAP encode → decode for the 178 operations of the WSDL (samples without
 * what the REST overlay adds), and through REST JSON for every operation (full samples, REST-only fields, values and
 * types included), and come back equal (REST omits null properties, so those compare as absent). Decoded values
 * satisfy the operation's Effect Schema. The 12 REST-only operations are refused by the SOAP codec.
 */
import { Either, Option, Schema } from "effect"
import { describe, expect, it } from "vitest"
import {
  decodeRestRequest,
  decodeRestResponse,
  decodeSoapRequest,
  decodeSoapResponse,
  encodeRestRequest,
  encodeRestResponse,
  encodeSoapRequest,
  encodeSoapResponse,
  operationNames,
  operations
} from "../src/index.js"
import { restEquivalent, sampleRequest, sampleResponse } from "../src/testing/samples.js"
import { headers } from "./fixtures.js"

const variants = [
  ["every field filled", { nils: false }],
  ["nils", { nils: true }]
] as const

const soapOperations = operationNames.filter((op) => operations[op].soapAction !== undefined)
const restOnlyOperations = operationNames.filter((op) => operations[op].soapAction === undefined)

describe.each(soapOperations)("%s", (op) => {
  const operation = operations[op]
  const isRequest = Schema.is(operation.request as Schema.Schema<unknown, unknown>)
  const isResponse = Schema.is(operation.response as Schema.Schema<unknown, unknown>)

  it.each(variants)("SOAP, %s", (_, variant) => {
    const options = { ...variant, protocol: "soap" } as const
    const request = sampleRequest(op, options)
    const response = sampleResponse(op, options)
    expect(isRequest(request)).toBe(true)
    expect(isResponse(response)).toBe(true)

    const requestXml = Either.getOrThrow(encodeSoapRequest(op, request, headers))
    const decodedRequest = Either.getOrThrow(decodeSoapRequest(requestXml))
    expect(decodedRequest.operation).toBe(op)
    expect(decodedRequest.headers).toEqual(headers)
    expect(decodedRequest.body).toStrictEqual(request)
    expect(isRequest(decodedRequest.body)).toBe(true)

    const responseXml = Either.getOrThrow(encodeSoapResponse(op, response, "track"))
    const decodedResponse = Either.getOrThrow(decodeSoapResponse(op, responseXml))
    expect(decodedResponse.trackingId).toBe("track")
    expect(decodedResponse.body).toStrictEqual(response)
    expect(isResponse(decodedResponse.body)).toBe(true)
  })
})

describe.each(restOnlyOperations)("%s (REST only) over SOAP", (op) => {
  it("is refused by the SOAP codec without writing an envelope", () => {
    const request = Either.getLeft(encodeSoapRequest(op, sampleRequest(op), headers))
    expect(request._tag).toBe("Some")
    expect(Option.getOrThrow(request).message).toBe(`${op} is only available over REST (it is not in the WSDL)`)
    expect(Either.isLeft(encodeSoapResponse(op, sampleResponse(op), "track"))).toBe(true)
  })
})

const routed = operationNames.filter((op) => operations[op].rest !== undefined)

describe.each(routed)("%s over REST", (op) => {
  const operation = operations[op]
  const isRequest = Schema.is(operation.request as Schema.Schema<unknown, unknown>)
  const isResponse = Schema.is(operation.response as Schema.Schema<unknown, unknown>)

  it.each(variants)("JSON, %s", (_, options) => {
    const request = sampleRequest(op, options)
    const response = sampleResponse(op, options)
    const decodedRequest = Either.getOrThrow(decodeRestRequest(op, Either.getOrThrow(encodeRestRequest(op, request))))
    expect(decodedRequest).toStrictEqual(restEquivalent(op, "request", request))
    expect(isRequest(decodedRequest)).toBe(true)
    const decodedResponse = Either.getOrThrow(
      decodeRestResponse(op, Either.getOrThrow(encodeRestResponse(op, response)))
    )
    expect(decodedResponse).toStrictEqual(restEquivalent(op, "response", response))
    expect(isResponse(decodedResponse)).toBe(true)
  })
})

it("routes all 190 operations over REST: the 178 of the WSDL and the 12 REST-only ones", () => {
  expect(operationNames).toHaveLength(190)
  expect(routed).toHaveLength(190)
  expect(restOnlyOperations).toHaveLength(12)
})
