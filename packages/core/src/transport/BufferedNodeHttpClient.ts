/**
 * An `HttpClient` over `node:http`/`node:https` that sends a request and reads its whole response before answering:
 * what every call of the Campaign Management and OAuth clients does, with as little per-request machinery as
 * possible. It is the client behind `layerNodeHttpClient`.
 *
 * Why not @effect/platform-node's client as it is: its `HttpClient.make` wraps every request in an `AbortController`,
 * a client span with a dozen attributes (the URL serialised again), trace-propagation headers, a
 * `FinalizationRegistry` entry and an interruptible response wrapper; the node client then sends the body and waits
 * for the response in two concurrent fibers, and reads the body through an Effect stream. For the pipeline's
 * 1,000-item requests that was ~1–1.5 ms of main-thread CPU per request (more than encoding the body), and the
 * per-request objects outlived young-generation collections: a 1,000,000-record run peaked at 202–210 MiB against
 * 179–180 MiB here (pipeline benchmark, alternating builds).
 *
 * What it does: one `node:http(s)` request per call on keep-alive agents (destroyed when the layer is released);
 * bodies that are bytes or text (what the transports and the OAuth client send) are written in one `end`, any other
 * body (streams, form data) goes through @effect/platform-node's client on the same agents. The response is read to
 * the end and given as an `HttpClientResponse` whose `text`, `json`, `arrayBuffer`, `stream`, `urlParamsBody` and
 * `formData` read the buffered bytes. Interrupting a call destroys its request. A connection failure is a
 * `RequestError` ("Transport"); a body cut before its end is a `ResponseError` ("Decode"); HTTP statuses are not
 * errors. A client has no timeout of its own; `withRequestTimeout` gives one with a per-call deadline (one timer:
 * a call whose answer has not been read to its end within it fails with a `RequestError` caused by `RequestTimeout`,
 * and its request is destroyed). The transports use that rather than `Effect.timeout` around every exchange, which
 * runs the call and a sleep in two forked fibers and joins their fiber refs: for the pipeline's requests those fibers
 * were the largest share of what outlived young-generation collections (a 1,000,000-record run promoted ~10 MB more,
 * and peaked ~10 MB higher). The callers' spans stay; there is no span per HTTP request. @effect/platform-node's
 * client is imported with the first request that needs it: its module loads undici (~11 MB), which the requests
 * Uplink sends never use.
 */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import type * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as NodeHttp from "node:http"
import * as NodeHttps from "node:https"

const decoder = new TextDecoder()

/** A response read to its end. */
class BufferedResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  private cachedCookies: Cookies.Cookies | undefined

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly status: number,
    readonly headers: Headers.Headers,
    private readonly setCookie: ReadonlyArray<string>,
    private readonly body: Buffer,
    readonly remoteAddress: Option.Option<string>
  ) {
    super()
  }

  private decodeError(cause: unknown): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })
  }

  get cookies(): Cookies.Cookies {
    this.cachedCookies ??= Cookies.fromSetCookie(this.setCookie)
    return this.cachedCookies
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.sync(() => decoder.decode(this.body))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.try({
      try: () => {
        const text = decoder.decode(this.body)
        return text === "" ? null : JSON.parse(text)
      },
      catch: (cause) => this.decodeError(cause)
    })
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.try({
      try: () => UrlParams.fromInput(new URLSearchParams(decoder.decode(this.body))),
      catch: (cause) => this.decodeError(cause)
    })
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.sync(() => {
      const copy = new ArrayBuffer(this.body.byteLength)
      new Uint8Array(copy).set(this.body)
      return copy
    })
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return this.body.byteLength === 0 ? Stream.empty : Stream.succeed(new Uint8Array(this.body))
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.tryPromise({
      try: () => new Response(this.body, { headers: this.headers }).formData(),
      catch: (cause) => this.decodeError(cause)
    })
  }

  toJSON(): unknown {
    return HttpIncomingMessage.inspect(this, {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }
}

/** The bytes or text of a body this client writes itself; undefined for bodies it hands to the platform client. */
const simpleBody = (body: HttpClientRequest.HttpClientRequest["body"]): Uint8Array | string | null | undefined => {
  switch (body._tag) {
    case "Empty":
      return null
    case "Uint8Array":
      return body.body
    case "Raw":
      return typeof body.body === "string" || body.body instanceof Uint8Array ? body.body : undefined
    default:
      return undefined
  }
}

/** The answer of a call did not come, read to its end, within the client's request timeout (`withRequestTimeout`). */
export class RequestTimeout extends Data.TaggedError("RequestTimeout")<{
  readonly timeout: Duration.Duration
  readonly message: string
}> {}

const timedOut = (request: HttpClientRequest.HttpClientRequest, timeout: Duration.Duration) =>
  new HttpClientError.RequestError({
    request,
    reason: "Transport",
    cause: new RequestTimeout({
      timeout,
      message: `no complete response within ${Duration.format(timeout)}`
    })
  })

/**
 * Sends one request with a simple body and reads the whole response, within `timeout` when there is one (then the
 * request is destroyed and the call fails with `RequestTimeout`).
 */
const send = (
  agents: NodeHttpClient.HttpAgent,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  body: Uint8Array | string | null,
  timeout: Duration.Duration | undefined
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
  Effect.async((resume) => {
    const options = { method: request.method, headers: request.headers }
    const nodeRequest =
      url.protocol === "https:"
        ? NodeHttps.request(url, { ...options, agent: agents.https })
        : NodeHttp.request(url, { ...options, agent: agents.http })
    let settled = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const settle = (): boolean => {
      if (settled) return false
      settled = true
      if (timer !== undefined) clearTimeout(timer)
      return true
    }
    const fail = (error: HttpClientError.HttpClientError) => {
      if (settle()) resume(Effect.fail(error))
    }
    nodeRequest.on("error", (cause) => fail(new HttpClientError.RequestError({ request, reason: "Transport", cause })))
    nodeRequest.on("response", (incoming) => {
      const chunks: Array<Buffer> = []
      // Read now: a keep-alive socket is back in the agent's pool by the end of the body.
      const remoteAddress = Option.fromNullable(incoming.socket?.remoteAddress)
      const response = () => {
        const { "set-cookie": setCookie = [], ...rest } = incoming.headers
        return new BufferedResponse(
          request,
          incoming.statusCode ?? 0,
          Headers.fromInput(rest),
          setCookie,
          chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
          remoteAddress
        )
      }
      const cut = (cause: unknown) =>
        fail(new HttpClientError.ResponseError({ request, response: response(), reason: "Decode", cause }))
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk))
      incoming.on("error", cut)
      incoming.on("close", () => {
        if (!incoming.complete) cut(new Error("the connection closed before the end of the response"))
      })
      incoming.on("end", () => {
        if (settle()) resume(Effect.succeed(response()))
      })
    })
    if (timeout !== undefined) {
      timer = setTimeout(() => {
        fail(timedOut(request, timeout))
        nodeRequest.destroy()
      }, Duration.toMillis(timeout))
    }
    if (body === null) nodeRequest.end()
    else nodeRequest.end(body)
    return Effect.sync(() => {
      settle()
      nodeRequest.destroy()
    })
  })

/** For every client this module made, the same client with a request timeout (see `withRequestTimeout`). */
const timedVersions = new WeakMap<HttpClient.HttpClient, (timeout: Duration.Duration) => HttpClient.HttpClient>()

/** The client, over `agents`; `fallback` takes the requests whose bodies are streams or form data. */
export const makeBufferedNodeHttpClient = (
  agents: NodeHttpClient.HttpAgent,
  fallback: HttpClient.HttpClient
): HttpClient.HttpClient => makeClient(agents, fallback, undefined)

/** The client; with `timeout`, every call must have read its whole answer within it. */
const makeClient = (
  agents: NodeHttpClient.HttpAgent,
  fallback: HttpClient.HttpClient,
  timeout: Duration.Duration | undefined
): HttpClient.HttpClient => {
  const client = HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
    (requestEffect) =>
      Effect.flatMap(
        requestEffect,
        (request): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
          const body = simpleBody(request.body)
          if (body === undefined) {
            return timeout === undefined
              ? fallback.execute(request)
              : Effect.timeoutFail(fallback.execute(request), {
                  duration: timeout,
                  onTimeout: () => timedOut(request, timeout)
                })
          }
          const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
          if (Either.isLeft(url)) {
            return Effect.fail(new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause: url.left }))
          }
          return send(agents, request, url.right, body, timeout)
        }
      ),
    Effect.succeed
  )
  timedVersions.set(client, (newTimeout) => makeClient(agents, fallback, newTimeout))
  return client
}

/**
 * `client` (one this module made: same agents) with a per-call deadline: a call that has not read its whole answer
 * within `timeout` fails with a `RequestError` ("Transport") whose cause is a `RequestTimeout`, and its request is
 * destroyed. Undefined for any other client (a client of another module, or one transformed since it was made).
 */
export const withRequestTimeout = (
  client: HttpClient.HttpClient,
  timeout: Duration.Duration
): HttpClient.HttpClient | undefined => timedVersions.get(client)?.(timeout)

/** @effect/platform-node's `HttpAgentTypeId` (`Symbol.for`, so the same symbol without importing its module). */
const HttpAgentTypeId = Symbol.for("@effect/platform-node/Http/NodeClient/HttpAgent")

/** Keep-alive agents, as @effect/platform-node's `makeAgent` makes them, destroyed when the scope closes. */
const keepAliveAgents = Effect.map(
  Effect.all([
    Effect.acquireRelease(
      Effect.sync(() => new NodeHttp.Agent({ keepAlive: true })),
      (agent) => Effect.sync(() => agent.destroy())
    ),
    Effect.acquireRelease(
      Effect.sync(() => new NodeHttps.Agent({ keepAlive: true })),
      (agent) => Effect.sync(() => agent.destroy())
    )
  ]),
  // The same object as the platform's `makeAgent` gives; TypeScript cannot see that the symbol is its unique one.
  ([http, https]) => ({ [HttpAgentTypeId]: HttpAgentTypeId, http, https }) as unknown as NodeHttpClient.HttpAgent
)

/** `HttpClient` over keep-alive agents made for the layer and destroyed when it is released. */
export const layerBufferedNodeHttpClient: Layer.Layer<HttpClient.HttpClient> = Layer.scoped(
  HttpClient.HttpClient,
  Effect.gen(function* () {
    const agent = yield* keepAliveAgents
    const platformClient = yield* Effect.cached(
      Effect.flatMap(
        Effect.promise(() => import("@effect/platform-node/NodeHttpClient")),
        (NodeHttpClient) => Effect.provideService(NodeHttpClient.make, NodeHttpClient.HttpAgent, agent)
      )
    )
    const fallback = HttpClient.makeWith(
      (request: Effect.Effect<HttpClientRequest.HttpClientRequest>) =>
        Effect.flatMap(Effect.zip(platformClient, request), ([client, sent]) => client.execute(sent)),
      Effect.succeed
    )
    return makeBufferedNodeHttpClient(agent, fallback)
  })
)
