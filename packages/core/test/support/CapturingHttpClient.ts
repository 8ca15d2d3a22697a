/**
 * The real keep-alive node HTTP client, wrapped so that every request it sends is recorded (URL, headers, body):
 * loopback tests assert on them and validate each SOAP envelope with xmllint.
 */
import { HttpClient } from "@effect/platform"
import { Effect, Layer } from "effect"
import { layerNodeHttpClient } from "../../src/transport/NodeHttpClientLayer.js"
import { bodyText, type RecordedRequest } from "./MockHttpClient.js"

export const makeCapturingHttpClient = () => {
  const requests: Array<RecordedRequest> = []
  const layer = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.tapRequest(client, (request) =>
        Effect.sync(() => {
          requests.push({
            method: request.method,
            url: request.url,
            headers: { ...request.headers },
            body: bodyText(request)
          })
        })
      )
    )
  ).pipe(Layer.provide(layerNodeHttpClient))
  return { requests, layer }
}
