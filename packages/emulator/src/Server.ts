/**
 * The emulator as an HTTP server on @effect/platform: the router (SOAP endpoint, REST paths, OAuth endpoints, admin
 * API), an Effect Layer that listens and provides an `Emulator` handle, and `start()` for plain-JS callers (the CLI,
 * tests and benchmarks of other packages) that resolves to the URL and a `stop()`.
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerError from "@effect/platform/HttpServerError"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import { createServer } from "node:http"
import type { GoalSpec } from "./domain/Goals.js"
import { type EmulatedService, type EmulatorState, emulatedOperationNames } from "./domain/EmulatedService.js"
import type { FaultConfig } from "./domain/FaultPlan.js"
import { adminRoutes } from "./http/AdminEndpoints.js"
import { serveCall } from "./http/CallPipeline.js"
import { DEVICE_CODE_PATH, deviceCodeEndpoint, TOKEN_PATH, tokenEndpoint } from "./http/OAuthEndpoints.js"
import { restRoute, restWire } from "./http/RestEndpoints.js"
import { SOAP_PATH, soapWire } from "./http/SoapEndpoint.js"
import {
  DEFAULT_HOST,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_PORT,
  EmulatorConfigError,
  type EmulatorOptions,
  makeEmulatedService
} from "./Options.js"

/** A running emulator. */
export interface EmulatorHandle {
  /** Base URL, e.g. `http://127.0.0.1:8089` (SOAP and REST paths, `/common/oauth2/v2.0/token`, `/__emulator/…`). */
  readonly url: string
  readonly host: string
  readonly port: number
  /** The emulated service behind it (direct access to state, clicks, goals, faults, tokens). */
  readonly service: EmulatedService
  /** What `GET /__emulator/state` answers. */
  readonly state: () => EmulatorState
  /** As `POST /__emulator/clicks`: `{clickId: ISO time}`. */
  readonly registerClicks: (clicks: Readonly<Record<string, string>>) => number
  /** As `POST /__emulator/goals` (createdAt in epoch ms here). */
  readonly registerGoals: (goals: ReadonlyArray<GoalSpec>) => ReturnType<EmulatedService["registerGoals"]>
  /** As `POST /__emulator/faults`. */
  readonly setFaults: (faults: FaultConfig) => void
  /** As `POST /__emulator/reset`. */
  readonly reset: () => void
}

/** The running emulator, as a service of the Layer. */
export class Emulator extends Context.Tag("@uplink/emulator/Emulator")<Emulator, EmulatorHandle>() {}

/** The router of one emulated service. */
export const makeRouter = (service: EmulatedService, maxBodyBytes = DEFAULT_MAX_BODY_BYTES) => {
  let router = HttpRouter.empty.pipe(
    HttpRouter.post(SOAP_PATH, serveCall(service, soapWire(service, maxBodyBytes))),
    HttpRouter.post(TOKEN_PATH, tokenEndpoint(service)),
    HttpRouter.post(DEVICE_CODE_PATH, deviceCodeEndpoint(service))
  )
  for (const operation of emulatedOperationNames) {
    const { method, path } = restRoute(operation)
    router = HttpRouter.route(method as "POST" | "PUT")(
      router,
      path as `/${string}`,
      serveCall(service, restWire(operation, maxBodyBytes))
    )
  }
  for (const [method, path, handler] of adminRoutes(service)) {
    router = HttpRouter.route(method)(router, path, handler)
  }
  return router
}

const urlOf = (host: string, port: number): string => `http://${host.includes(":") ? `[${host}]` : host}:${port}`

/** Starts the emulator in the current scope; it stops when the scope closes. */
export const make = (
  options: EmulatorOptions = {}
): Effect.Effect<EmulatorHandle, EmulatorConfigError | HttpServerError.ServeError, Scope.Scope> =>
  Effect.gen(function* () {
    const service = yield* Effect.try({
      try: () => makeEmulatedService(options),
      catch: (error) =>
        error instanceof EmulatorConfigError
          ? error
          : new EmulatorConfigError({ reason: "InvalidOption", message: String(error) })
    })
    const host = options.host ?? DEFAULT_HOST
    const nodeServer = createServer()
    const server = yield* NodeHttpServer.make(() => nodeServer, { port: options.port ?? DEFAULT_PORT, host })
    // Runs before the server's own close: cut open keep-alive connections so that stopping never waits for clients.
    yield* Effect.addFinalizer(() => Effect.sync(() => nodeServer.closeAllConnections()))
    yield* server.serve(makeRouter(service, options.maxBodyBytes))
    const port = server.address._tag === "TcpAddress" ? server.address.port : 0
    return {
      url: urlOf(host, port),
      host,
      port,
      service,
      state: () => service.state(),
      registerClicks: (clicks) => service.registerClicks(clicks),
      registerGoals: (goals) => service.registerGoals(goals),
      setFaults: (faults) => service.faults.configure(faults),
      reset: () => service.reset()
    } satisfies EmulatorHandle
  })

/** A Layer that runs the emulator for as long as the layer lives and provides its handle. */
export const layer = (
  options: EmulatorOptions = {}
): Layer.Layer<Emulator, EmulatorConfigError | HttpServerError.ServeError> => Layer.scoped(Emulator, make(options))

/** A running emulator started with `start()`. */
export interface RunningEmulator extends EmulatorHandle {
  /** Stops listening and closes open connections. Idempotent. */
  readonly stop: () => Promise<void>
}

/**
 * Starts the emulator for plain-JS callers. Rejects with an Error whose message says why (a port in use, a bad seed
 * file). Use port 0 in tests and read the chosen port from the result.
 */
export const start = async (options: EmulatorOptions = {}): Promise<RunningEmulator> => {
  const scope = Effect.runSync(Scope.make())
  const exit = await Effect.runPromiseExit(Scope.extend(make(options), scope))
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    const error = Cause.squash(exit.cause)
    if (error instanceof HttpServerError.ServeError) {
      const reason = error.cause instanceof Error ? error.cause.message : String(error.cause)
      throw new Error(
        `the emulator cannot listen on ${options.host ?? DEFAULT_HOST}:${options.port ?? DEFAULT_PORT}: ${reason}`,
        {
          cause: error
        }
      )
    }
    if (error instanceof Error) throw error
    throw new Error(String(error))
  }
  let stopped: Promise<void> | undefined
  return {
    ...exit.value,
    stop: () => (stopped ??= Effect.runPromise(Scope.close(scope, Exit.void)))
  }
}
