/**
 * The real keep-alive node HTTP client, wrapped so that every request it sends is recorded (URL, headers, body):
 * loopback tests assert on them and validate each SOAP envelope with xmllint. `idle()` says whether no request is
 * waiting for its answer (a clock driver must not move virtual time past a request that is still on the wire).
 */
import { HttpClient } from "@effect/platform"
import { Effect, Layer } from "effect"
import { layerNodeHttpClient } from "../../src/transport/NodeHttpClientLayer.js"
import { bodyText, type RecordedRequest } from "./MockHttpClient.js"

export const makeCapturingHttpClient = () => {
  const requests: Array<RecordedRequest> = []
  let inFlight = 0
  const layer = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.transform(client, (exchange, request) =>
        Effect.suspend(() => {
          requests.push({
            method: request.method,
            url: request.url,
            headers: { ...request.headers },
            body: bodyText(request)
          })
          inFlight++
          return Effect.ensuring(
            exchange,
            Effect.sync(() => {
              inFlight--
            })
          )
        })
      )
    )
  ).pipe(Layer.provide(layerNodeHttpClient))
  return { requests, layer, idle: () => inFlight === 0 }
}
