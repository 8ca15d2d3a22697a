/**
 * A scripted `HttpClient` for unit tests: every request is recorded (method, URL, headers, body text) and answered by
 * a handler, with no network.
 */
import { HttpClient, HttpClientError, type HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { Effect, Layer } from "effect"

export interface RecordedRequest {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export type Answer =
  | { readonly status: number; readonly body: string; readonly headers?: Record<string, string> }
  | { readonly fail: string }

export const bodyText = (request: HttpClientRequest.HttpClientRequest): string => {
  const body = request.body
  switch (body._tag) {
    case "Uint8Array":
      return new TextDecoder().decode(body.body)
    case "Raw":
      return String(body.body)
    default:
      return ""
  }
}

/** A mock client answering with `handler`; `requests` lists what was sent. */
export const makeMockHttpClient = (
  handler: (request: RecordedRequest, index: number) => Answer | Effect.Effect<Answer>
) => {
  const requests: Array<RecordedRequest> = []
  const client = HttpClient.make((request, url) =>
    Effect.gen(function* () {
      const recorded: RecordedRequest = {
        method: request.method,
        url: url.toString(),
        headers: { ...request.headers },
        body: bodyText(request)
      }
      requests.push(recorded)
      const result = handler(recorded, requests.length - 1)
      const answer = Effect.isEffect(result) ? yield* result : result
      if ("fail" in answer) {
        return yield* new HttpClientError.RequestError({ request, reason: "Transport", cause: new Error(answer.fail) })
      }
      return HttpClientResponse.fromWeb(
        request,
        new Response(answer.body, { status: answer.status, headers: answer.headers ?? {} })
      )
    })
  )
  return { requests, client, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

/** A JSON answer. */
export const json = (status: number, value: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  body: JSON.stringify(value),
  headers: { "content-type": "application/json", ...headers }
})
