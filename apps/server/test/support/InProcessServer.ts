/**
 * The server's layers started inside the test process on 127.0.0.1 with port 0, with a test `Deliverer` and the
 * settings a test chooses; `stop` closes it as SIGTERM would (intake first, then the worker, then the outbox).
 * `logs` has what the server logged (message, level and annotations), `sql` runs statements on the outbox's own
 * SQLite connection (PRAGMAs that only hold per connection).
 */
import { HttpServer } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { Context, Effect, Exit, HashMap, Layer, Logger, LogLevel, Option, Redacted, Scope } from "effect"
import type { Deliverer } from "../../src/Deliverer.js"
import { Outbox, type OutboxShape } from "../../src/Outbox.js"
import { serverLayer } from "../../src/Server.js"
import { ServerConfig, type ServerSettings } from "../../src/ServerConfig.js"

export const testToken = "test-token-4f2a9c"

/** One line the server logged. */
export interface LoggedLine {
  readonly message: string
  readonly level: string
  readonly annotations: Readonly<Record<string, unknown>>
}

export interface RunningServer {
  readonly url: string
  readonly outbox: OutboxShape
  readonly logs: () => ReadonlyArray<LoggedLine>
  /** Runs `effect` with the outbox's SQL client (the connection the server writes with). */
  readonly sql: <A, E>(effect: (sql: SqlClient.SqlClient) => Effect.Effect<A, E>) => Promise<A>
  readonly stop: () => Promise<void>
  /** Runs an effect with the outbox (for checks the HTTP API does not show). */
  readonly run: <A, E>(effect: Effect.Effect<A, E, Outbox>) => Promise<A>
}

export const startInProcess = async (
  deliverer: Layer.Layer<Deliverer>,
  settings: ServerSettings = {}
): Promise<RunningServer> => {
  const scope = Effect.runSync(Scope.make())
  const config = ServerConfig.layerWith({
    token: Option.some(Redacted.make(testToken)),
    insecure: false,
    ...settings
  })
  const lines: Array<LoggedLine> = []
  const capture = Logger.make(({ annotations, logLevel, message }) => {
    const text = Array.isArray(message) ? message.map(String).join(" ") : String(message)
    lines.push({
      message: text,
      level: logLevel.label,
      annotations: Object.fromEntries(HashMap.toEntries(annotations))
    })
  })
  const layer = serverLayer.pipe(
    Layer.provide(Layer.merge(config, deliverer)),
    Layer.provide(Logger.replace(Logger.defaultLogger, capture)),
    Layer.provide(Logger.minimumLogLevel(LogLevel.Debug))
  )
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  const server = Context.get(context, HttpServer.HttpServer)
  const address = server.address
  if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
  const outbox = Context.get(context, Outbox)
  const client = Context.getOption(context, SqlClient.SqlClient)
  return {
    url: `http://127.0.0.1:${address.port}`,
    outbox,
    logs: () => lines,
    sql: (effect) =>
      Option.isSome(client)
        ? Effect.runPromise(effect(client.value))
        : Promise.reject(new Error("the outbox layer does not provide its SqlClient")),
    stop: () => Effect.runPromise(Scope.close(scope, Exit.void)),
    run: (effect) => Effect.runPromise(Effect.provideService(effect, Outbox, outbox))
  }
}

/** A JSON request with the test token (or `token`, or none when `null`). */
export const request = (
  url: string,
  path: string,
  options: {
    method?: string
    body?: unknown
    token?: string | null
    rawBody?: string
    /** Headers of the request; `content-type: null` sends none. */
    headers?: Record<string, string | null>
  } = {}
) => {
  const headers: Record<string, string> = {}
  const token = options.token === undefined ? testToken : options.token
  if (token !== null) headers.authorization = `Bearer ${token}`
  let body: string | undefined
  if (options.rawBody !== undefined) body = options.rawBody
  else if (options.body !== undefined) body = JSON.stringify(options.body)
  if (body !== undefined) headers["content-type"] = "application/json"
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value === null) delete headers[name]
    else headers[name] = value
  }
  const method = options.method ?? (body === undefined ? "GET" : "POST")
  // Bytes, not a string: fetch would add its own `content-type: text/plain` to a string body without one.
  return fetch(
    `${url}${path}`,
    body === undefined ? { method, headers } : { method, headers, body: new TextEncoder().encode(body) }
  )
}
