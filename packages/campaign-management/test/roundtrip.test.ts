/**
 * Lossless round trips for every request and response type of the 178 operations: generated samples (every field
 * filled; and a variant with nils) go through SOAP encode → decode, and through REST JSON where the operation has a
 * route, and come back equal (REST omits null properties, so those compare as absent). Decoded values satisfy the
 * operation's Effect Schema.
 */
import { Either, Schema } from "effect"
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

describe.each(operationNames)("%s", (op) => {
  const operation = operations[op]
  const isRequest = Schema.is(operation.request as Schema.Schema<unknown, unknown>)
  const isResponse = Schema.is(operation.response as Schema.Schema<unknown, unknown>)

  it.each(variants)("SOAP, %s", (_, options) => {
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

it("routes 143 of the 178 operations over REST", () => {
  expect(routed).toHaveLength(143)
})
