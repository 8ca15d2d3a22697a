/**
 * The HTTP client the transports and the OAuth client use by default: `node:http`/`node:https` with keep-alive agents,
 * so consecutive calls reuse their TLS connections (docs/microsoft-api.md §4), and whole responses read
 * with little per-request machinery (`BufferedNodeHttpClient.ts` says what it leaves out of @effect/platform-node's
 * client, and why).
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Layer from "effect/Layer"
import { layerBufferedNodeHttpClient } from "../internal/BufferedNodeHttpClient.js"

/** `HttpClient` over `node:http`/`node:https` with keep-alive agents (destroyed when the layer is released). */
export const layerNodeHttpClient: Layer.Layer<HttpClient.HttpClient> = layerBufferedNodeHttpClient
