/**
 * The HTTP client the transports and the OAuth client use by default: @effect/platform-node's `node:http` client
 * with a keep-alive agent, so consecutive calls reuse their TLS connections (api-facts.md §4 "reuse connections").
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Layer } from "effect"

/** `HttpClient` over `node:http`/`node:https` with keep-alive agents (destroyed when the layer is released). */
export const layerNodeHttpClient: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerWithoutAgent.pipe(
  Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true }))
)
