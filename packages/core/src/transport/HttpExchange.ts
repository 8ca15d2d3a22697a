/**
 * One HTTP exchange for the transports: send a request, read the whole body as text within the per-request timeout,
 * and turn every @effect/platform client failure into a `TransportError` that names no credential (the request,
 * which carries the tokens, is never kept in the error). Also the facts the transports classify a failed answer by
 * (`Retry-After`, TrackingId, a body excerpt); the rules themselves are `reasonFromReply` (errors/FaultClassification).
 *
 * The timeout is the default client's own deadline when the client is one (`withRequestTimeout`: one timer per
 * exchange), else `Effect.timeoutFail` around the exchange (two forked fibers per exchange); either way an exchange
 * not done within it is a `Timeout` with the same message.
 */
import * as Headers from "@effect/platform/Headers"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { TransportError } from "../errors/CampaignManagementError.js"
import { RequestTimeout, withRequestTimeout } from "./BufferedNodeHttpClient.js"

/** What the transports need from a response. */
export interface HttpReply {
  readonly status: number
  readonly headers: Headers.Headers
  readonly body: string
}

/** Headers whose values never appear in traces (Authorization is redacted by @effect/platform already). */
const redactedHeaderNames = ["authorization", "developertoken", "authenticationtoken"]

const describe = (error: HttpClientError.HttpClientError): string => {
  const cause = error.cause instanceof Error ? error.cause.message : undefined
  return [error.reason, error.description, cause].filter((part) => part !== undefined && part !== "").join(": ")
}

const timedOut = (request: HttpClientRequest.HttpClientRequest, timeout: Duration.Duration): TransportError =>
  new TransportError({
    kind: "Timeout",
    detail: `${request.method} ${request.url}: no complete response within ${Duration.format(timeout)}`
  })

const toTransportError =
  (timeout: Duration.Duration) =>
  (error: HttpClientError.HttpClientError): TransportError =>
    error._tag === "RequestError" && error.cause instanceof RequestTimeout
      ? timedOut(error.request, timeout)
      : new TransportError({
          kind:
            error._tag === "ResponseError"
              ? "ResponseBodyFailed"
              : error.reason === "InvalidUrl"
                ? "InvalidUrl"
                : "RequestFailed",
          detail: `${error.request.method} ${error.request.url}: ${describe(error)}`
        })

/**
 * The exchanges of a transport over `client`: each sends a request and reads the body; fails with `TransportError`
 * on a connection failure, a cut body or when `timeout` passes first.
 */
export const makeExchange = (
  client: HttpClient.HttpClient,
  timeout: Duration.Duration
): ((request: HttpClientRequest.HttpClientRequest) => Effect.Effect<HttpReply, TransportError>) => {
  const timed = withRequestTimeout(client, timeout)
  const mapError = toTransportError(timeout)
  const read = (response: HttpClientResponse.HttpClientResponse) =>
    Effect.map(response.text, (body): HttpReply => ({ status: response.status, headers: response.headers, body }))
  const redacted = (names: ReadonlyArray<string | RegExp>) => [...names, ...redactedHeaderNames]
  if (timed !== undefined) {
    return (request) =>
      timed
        .execute(request)
        .pipe(
          Effect.flatMap(read),
          Effect.mapError(mapError),
          Effect.locallyWith(Headers.currentRedactedNames, redacted)
        )
  }
  return (request) =>
    client
      .execute(request)
      .pipe(
        Effect.flatMap(read),
        Effect.mapError(mapError),
        Effect.timeoutFail({ duration: timeout, onTimeout: () => timedOut(request, timeout) }),
        Effect.locallyWith(Headers.currentRedactedNames, redacted)
      )
}

/** The `TrackingId` response header, when present. */
export const trackingIdHeader = (headers: Headers.Headers): string | undefined =>
  Option.getOrUndefined(Headers.get(headers, "trackingid"))

/** The `Retry-After` header (seconds or an HTTP date), when present and sensible. */
export const retryAfterHeader = (headers: Headers.Headers, now: number = Date.now()): Duration.Duration | undefined => {
  const value = Option.getOrUndefined(Headers.get(headers, "retry-after"))?.trim()
  if (value === undefined || value === "") return undefined
  if (/^[0-9]+$/.test(value)) return Duration.seconds(Number(value))
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Duration.millis(Math.max(0, date - now))
}

/** The first characters of a body, for diagnosis. */
export const excerpt = (text: string): string => (text.length > 200 ? `${text.slice(0, 200)}…` : text)

/** True for 2xx. */
export const isSuccessStatus = (status: number): boolean => status >= 200 && status < 300
