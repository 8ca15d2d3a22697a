/**
 * The server's layers started inside the test process on 127.0.0.1 with port 0, with a test `Deliverer` and the
 * settings a test chooses; `stop` closes it as SIGTERM would (intake first, then the worker, then the outbox).
 */
import { HttpServer } from "@effect/platform"
import { Context, Effect, Exit, Layer, Logger, LogLevel, Option, Redacted, Scope } from "effect"
import type { Deliverer } from "../../src/Deliverer.js"
import { Outbox, type OutboxShape } from "../../src/Outbox.js"
import { serverLayer } from "../../src/Server.js"
import { ServerConfig, type ServerConfigShape } from "../../src/ServerConfig.js"

export const testToken = "test-token-4f2a9c"

export interface RunningServer {
  readonly url: string
  readonly outbox: OutboxShape
  readonly stop: () => Promise<void>
  /** Runs an effect with the outbox (for checks the HTTP API does not show). */
  readonly run: <A, E>(effect: Effect.Effect<A, E, Outbox>) => Promise<A>
}

export const startInProcess = async (
  deliverer: Layer.Layer<Deliverer>,
  settings: Partial<ServerConfigShape> = {}
): Promise<RunningServer> => {
  const scope = Effect.runSync(Scope.make())
  const config = ServerConfig.layerWith({
    token: Option.some(Redacted.make(testToken)),
    insecure: false,
    ...settings
  })
  const layer = serverLayer.pipe(
    Layer.provide(Layer.merge(config, deliverer)),
    Layer.provide(Logger.minimumLogLevel(LogLevel.None))
  )
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  const server = Context.get(context, HttpServer.HttpServer)
  const address = server.address
  if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
  const outbox = Context.get(context, Outbox)
  return {
    url: `http://127.0.0.1:${address.port}`,
    outbox,
    stop: () => Effect.runPromise(Scope.close(scope, Exit.void)),
    run: (effect) => Effect.runPromise(Effect.provideService(effect, Outbox, outbox))
  }
}

/** A JSON request with the test token (or `token`, or none when `null`). */
export const request = (
  url: string,
  path: string,
  options: { method?: string; body?: unknown; token?: string | null; rawBody?: string } = {}
) => {
  const headers: Record<string, string> = {}
  const token = options.token === undefined ? testToken : options.token
  if (token !== null) headers.authorization = `Bearer ${token}`
  let body: string | undefined
  if (options.rawBody !== undefined) body = options.rawBody
  else if (options.body !== undefined) body = JSON.stringify(options.body)
  if (body !== undefined) headers["content-type"] = "application/json"
  const method = options.method ?? (body === undefined ? "GET" : "POST")
  return fetch(`${url}${path}`, body === undefined ? { method, headers } : { method, headers, body })
}
