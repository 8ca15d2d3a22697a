/**
 * One API call, the same for SOAP and REST: count it, delay it (fault plan), decode it, check credentials, rate limit
 * and injected failures, run the operation, encode the answer, and finally drop or garble the response when the
 * plan says so. Each transport supplies only how to decode the request and how to write bodies and faults.
 */
import type { WireEncodeError, WireFault } from "@uplink/campaign-management/wire"
import * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { toIncomingMessage, toServerResponse } from "@effect/platform-node/NodeHttpServerRequest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import { randomUUID } from "node:crypto"
import type { PresentedCredentials } from "../domain/Credentials.js"
import type {
  CallContext,
  EmulatedOperationName,
  EmulatedOperations,
  EmulatedService
} from "../domain/EmulatedService.js"
import type { Protocol } from "../domain/Records.js"
import { apiRefusal, type Refusal } from "../domain/Outcome.js"
import { refusalFault } from "./WireFaults.js"

/** A request the transport could read: the operation, its body, and the credentials it presented. */
export interface DecodedCall {
  readonly operation: EmulatedOperationName
  readonly body: EmulatedOperations[EmulatedOperationName]["request"]
  readonly credentials: PresentedCredentials
}

/** What the transport made of the request: a call, or a fault (with the operation when it was recognised). */
export type DecodeResult =
  | { readonly _tag: "Call"; readonly call: DecodedCall }
  | {
      readonly _tag: "Fault"
      readonly operation: string | undefined
      readonly refusal: Refusal
      /** Overrides of the fault's faultcode / faultstring (e.g. `s:Client` and the decoder's message). */
      readonly faultCode?: string | undefined
      readonly message?: string | undefined
    }

/** How a transport reads requests and writes answers. */
export interface TransportWire {
  readonly transport: Protocol
  readonly decode: (request: HttpServerRequest.HttpServerRequest, text: string) => DecodeResult
  readonly encodeBody: (
    operation: EmulatedOperationName,
    body: EmulatedOperations[EmulatedOperationName]["response"],
    trackingId: string
  ) => Either.Either<string, WireEncodeError>
  readonly faultResponse: (fault: WireFault, refusal: Refusal) => HttpServerResponse.HttpServerResponse
  readonly successResponse: (text: string, trackingId: string) => HttpServerResponse.HttpServerResponse
}

/**
 * The request body as one flat string, decoded as UTF-8 once at the end (invalid sequences become U+FFFD, a BOM is
 * kept), as `request.text` gives it. `request.text` appends each chunk to a string, and parsing that chain of pieces
 * costs more than decoding the bytes in one go, for every request of up to 1,000 items. Failures are the RequestError
 * that `request.text` fails with.
 */
const bodyText = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.async<string, HttpServerError.RequestError>((resume) => {
    const message = toIncomingMessage(request)
    const chunks: Array<Buffer> = []
    const onData = (chunk: Buffer | string) => {
      chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk)
    }
    const onEnd = () => resume(Effect.succeed(Buffer.concat(chunks).toString("utf8")))
    const onError = (cause: unknown) =>
      resume(Effect.fail(new HttpServerError.RequestError({ request, reason: "Decode", cause })))
    message.on("data", onData)
    message.once("end", onEnd)
    message.once("error", onError)
    return Effect.sync(() => {
      message.off("data", onData)
      message.off("end", onEnd)
      message.off("error", onError)
      if (!message.closed) message.destroy()
    })
  })

/** Serves one API call over a transport; it is in flight (for the latency profile) until its answer is made. */
export const serveCall = (service: EmulatedService, wire: TransportWire) =>
  Effect.suspend(() => {
    const call = service.faults.beginCall()
    return Effect.ensuring(
      answerCall(service, wire, call),
      Effect.sync(() => service.faults.endCall())
    )
  })

const answerCall = (
  service: EmulatedService,
  wire: TransportWire,
  call: { readonly number: number; readonly latencyMs: number }
) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const trackingId = randomUUID()
    const fail = (
      refusal: Refusal,
      overrides: { faultCode?: string | undefined; message?: string | undefined } = {}
    ) => {
      const fault = refusalFault(refusal, trackingId)
      return wire.faultResponse(
        { ...fault, faultCode: overrides.faultCode ?? fault.faultCode, message: overrides.message ?? fault.message },
        refusal
      )
    }
    const { number, latencyMs } = call
    if (latencyMs > 0) yield* Effect.sleep(Duration.millis(latencyMs))
    const text = yield* bodyText(request)
    const decoded = wire.decode(request, text)
    if (decoded._tag === "Fault") {
      service.countRequest(decoded.operation)
      return fail(decoded.refusal, decoded)
    }
    const { operation, body, credentials } = decoded.call
    service.countRequest(operation)
    const authRefusal = service.authenticate(credentials)
    if (authRefusal !== undefined) return fail(authRefusal)
    if (service.faults.rateLimited()) return fail(apiRefusal(117))
    if (service.faults.internalFailure(number)) return fail(apiRefusal(0))
    const context: CallContext = { transport: wire.transport }
    const outcome = service.handle(operation, body, context)
    if (outcome._tag === "Refused") return fail(outcome.refusal)
    const encoded = wire.encodeBody(operation, outcome.body, trackingId)
    if (encoded._tag === "Left")
      return fail(apiRefusal(0, `The response could not be encoded: ${encoded.left.message}`))
    const responseFault = service.faults.afterSuccess()
    if (responseFault === "drop") {
      toServerResponse(request).socket?.destroy()
      return yield* Effect.interrupt
    }
    const answer =
      responseFault === "garbage" ? encoded.right.slice(0, Math.floor(encoded.right.length / 2)) : encoded.right
    return wire.successResponse(answer, trackingId)
  }).pipe(
    Effect.catchTag("RequestError", (error) =>
      Effect.succeed(HttpServerResponse.text(`request body could not be read: ${error.message}`, { status: 400 }))
    )
  )
