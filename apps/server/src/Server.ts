/**
 * The server assembled from its layers: the HttpApi with its handlers, Swagger UI at `/docs`, the request guard
 * (token on the headers, content type, body size and depth) and access log, the bearer-token middleware, the outbox, the worker and a `Deliverer`. Layers are released in reverse:
 * on shutdown the HTTP server stops taking requests (and finishes the ones in flight) first, then the worker finishes
 * or releases its batch, then the outbox closes. The outbox is SQLite or PostgreSQL (`storageLayer`), with the
 * `SharedThrottle` that fits it; the production deliverer is built over that throttle (`serverLayerWith`). A structured log line `uplink-server listening` with the URL is
 * written once requests are served.
 */
import { createServer } from "node:http"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApiSwagger from "@effect/platform/HttpApiSwagger"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { flow } from "effect/Function"
import { UplinkApi } from "./Api.js"
import * as Authorization from "./Authorization.js"
import { handlersLive } from "./Handlers.js"
import { accessLog, requestGuard } from "./HttpGuards.js"
import type { Deliverer } from "./Deliverer.js"
import { Outbox } from "./Outbox.js"
import * as ReportPoller from "./ReportPoller.js"
import { ServerConfig } from "./ServerConfig.js"
import { SharedThrottle } from "./SharedThrottle.js"
import * as Worker from "./Worker.js"

const announce = Layer.effectDiscard(
  HttpServer.addressFormattedWith((url) =>
    Effect.logInfo("uplink-server listening").pipe(Effect.annotateLogs({ url, docs: `${url}/docs` }))
  )
)

/** The HTTP API over the outbox and worker (needs `ServerConfig`, `Deliverer` and an `HttpServer`). */
export const apiLayer = Layer.unwrapEffect(
  Effect.map(ServerConfig, (config) =>
    announce.pipe(
      Layer.provide(HttpApiBuilder.serve(flow(requestGuard(config), accessLog))),
      Layer.provide(HttpApiSwagger.layer({ path: "/docs" })),
      Layer.provide(HttpApiBuilder.api(UplinkApi)),
      Layer.provide(handlersLive),
      Layer.provide(Authorization.layer)
    )
  )
)

/** The outbox named by `UPLINK_DB` (with its SQL client) and the shared throttle that fits its engine. */
export const storageLayer = SharedThrottle.layer.pipe(Layer.provideMerge(Outbox.layer))

/** The API on Node's HTTP server at the configured host and port, with the worker; needs storage and a deliverer. */
const serverOverStorage = Layer.unwrapEffect(
  Effect.map(ServerConfig, (config) =>
    apiLayer.pipe(
      Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { host: config.host, port: config.port })),
      Layer.provide(Worker.layer),
      Layer.provide(ReportPoller.layer)
    )
  )
)

/**
 * The whole server on Node's HTTP server at the configured host and port, with its outbox and worker; it also
 * provides the `HttpServer` (for its address), the `Outbox` and its SQL client. The `Deliverer` comes from outside.
 */
export const serverLayer = serverOverStorage.pipe(Layer.provideMerge(storageLayer))

/**
 * The whole server with a deliverer (and, optionally, the report poller's `ReportSource`) built over the server's
 * shared throttle (the production assembly).
 */
export const serverLayerWith = <E, Out extends Deliverer>(deliverer: Layer.Layer<Out, E, SharedThrottle>) =>
  serverOverStorage.pipe(Layer.provide(deliverer), Layer.provideMerge(storageLayer))
