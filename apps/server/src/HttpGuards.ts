/**
 * HTTP middleware in front of the API. `requestGuard` checks a request in the order that costs the least before
 * trusting it more, and answers with an error body at the first problem:
 * 1. the bearer token, on the headers alone, for `/v1/*`, `/metrics` and every request that carries a body: `401`
 *    before a byte of the body is read (no public route takes a body);
 * 2. the content type of a body: JSON (`application/json`, with `charset=utf-8` or none) — a body without a content
 *    type is read as JSON too — else `415 unsupported_media_type`;
 * 3. the size limit (`UPLINK_MAX_BODY_BYTES`): `413` at once when `Content-Length` says so, else while it is read;
 * 4. the nesting depth (at most `MAX_JSON_DEPTH` levels of arrays and objects, counted on the text before it is
 *    parsed) and JSON syntax: `400`. The body is parsed by core's rule for JSON input (`parseJsonInput`, as the
 *    CLI reads JSON Lines): a key repeated in an object keeps its first value (logged as a warning), an integer
 *    beyond 2^53 is kept as its text instead of being rounded.
 * A refusal that leaves the body unread answers with `connection: close`, so the rest of the body is never read either.
 * `accessLog` writes one structured line per request (method, path, status, milliseconds; never headers, query
 * strings or bodies, so no token or email or phone reaches the log).
 */
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { type ParsedJson, parseJsonInput } from "@uplink/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { isAuthorized, unauthorizedBody } from "./Authorization.js"
import { loggableKeys } from "./Logging.js"
import type { ServerConfigShape } from "./ServerConfig.js"

/** The deepest nesting of arrays and objects a request body may have. */
export const MAX_JSON_DEPTH = 64

const hasBody = (method: string) => method === "POST" || method === "PUT" || method === "PATCH"

/** The routes that need the token whatever the method. */
const isProtectedPath = (path: string) => {
  const lower = path.toLowerCase().replace(/\/+$/, "")
  return lower === "/v1" || lower.startsWith("/v1/") || lower === "/metrics"
}

/** Whether the request may still have body bytes that nobody read (so the connection must not be reused). */
const mayHaveBody = (request: HttpServerRequest.HttpServerRequest) => {
  const length = request.headers["content-length"]
  return request.headers["transfer-encoding"] !== undefined || (length !== undefined && length.trim() !== "0")
}

const refusal = (status: number, body: { readonly error: string; readonly message: string }, unreadBody: boolean) =>
  HttpServerResponse.unsafeJson(body, unreadBody ? { status, headers: { connection: "close" } } : { status })

const tooLarge = (maxBytes: number) =>
  refusal(
    413,
    { error: "payload_too_large", message: `request body larger than ${maxBytes} bytes (UPLINK_MAX_BODY_BYTES)` },
    true
  )

const unreadable = refusal(400, { error: "bad_request", message: "the request body could not be read" }, true)

const notJson = refusal(400, { error: "bad_request", message: "the request body is not valid JSON" }, false)

const tooDeep = refusal(
  400,
  {
    error: "bad_request",
    message: `the request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels (the limit)`
  },
  false
)

const mediaTypeLike = /^[a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,64}$/

/**
 * Why a body of this `Content-Type` is not taken, or `None` when it is JSON: `application/json` with no charset or
 * UTF-8 (RFC 8259 JSON is UTF-8); no content type at all is read as JSON, as the HttpApi itself does.
 */
export const contentTypeProblem = (header: string | undefined): Option.Option<string> => {
  if (header === undefined || header.trim() === "") return Option.none()
  const [type = "", ...parameters] = header.split(";").map((part) => part.trim().toLowerCase())
  const named = mediaTypeLike.test(type) ? type : "another type"
  if (type !== "application/json") {
    return Option.some(`the request body must be JSON (Content-Type: application/json), not ${named}`)
  }
  for (const parameter of parameters) {
    const [name, value = ""] = parameter.split("=").map((part) => part.trim().replace(/^"|"$/g, ""))
    if (name === "charset" && value !== "utf-8" && value !== "utf8") {
      return Option.some("a JSON request body must be UTF-8 (Content-Type: application/json; charset=utf-8)")
    }
  }
  return Option.none()
}

/**
 * Whether JSON `text` nests arrays and objects deeper than `limit`, counted without parsing (brackets inside strings
 * do not count), stopping at the first level past the limit. On text that is not JSON the count may be off; such text
 * is refused either way.
 */
export const nestsDeeperThan = (text: string, limit: number): boolean => {
  let depth = 0
  let inString = false
  for (let position = 0; position < text.length; position++) {
    const code = text.charCodeAt(position)
    if (inString) {
      if (code === 0x5c) position++
      else if (code === 0x22) inString = false
    } else if (code === 0x22) {
      inString = true
    } else if (code === 0x5b || code === 0x7b) {
      if (++depth > limit) return true
    } else if (code === 0x5d || code === 0x7d) {
      depth--
    }
  }
  return false
}

/** How much of an oversized body without a `Content-Length` is read (and dropped) so that the 413 can be delivered. */
const drainFactor = 4

/**
 * Reads a body that has no `Content-Length` (chunked) with at most `maxBytes` kept: `None` when it is larger. An
 * oversized body is read to its end and dropped, up to `drainFactor`·`maxBytes`, so that the client gets the 413
 * instead of a reset connection; past that the connection is cut.
 */
const readChunked = (request: HttpServerRequest.HttpServerRequest, maxBytes: number) =>
  Stream.runFoldWhile(
    request.stream,
    { size: 0, chunks: [] as Array<Uint8Array> },
    (state) => state.size <= maxBytes * drainFactor,
    (state, chunk) => {
      state.size += chunk.length
      if (state.size <= maxBytes) state.chunks.push(chunk)
      else state.chunks.length = 0
      return state
    }
  ).pipe(
    Effect.map((state) =>
      state.size > maxBytes ? Option.none<string>() : Option.some(Buffer.concat(state.chunks).toString("utf8"))
    )
  )

/** `request` with its body already read and parsed, so the handler reads neither again. */
const withBody = (
  request: HttpServerRequest.HttpServerRequest,
  text: string,
  json: unknown
): HttpServerRequest.HttpServerRequest =>
  Object.create(request, {
    text: { get: () => Effect.succeed(text) },
    json: { get: () => Effect.succeed(json) }
  })

const parseJson = (text: string): Option.Option<ParsedJson> => {
  try {
    return Option.some(text.trim() === "" ? { value: null, repeatedKeys: [] } : parseJsonInput(text))
  } catch {
    return Option.none()
  }
}

/** The guard of every request (see the module comment); the handler of a request with a body gets it parsed. */
export const requestGuard = (config: Pick<ServerConfigShape, "token" | "maxBodyBytes">) =>
  HttpMiddleware.make((app) =>
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const path = request.url.split("?")[0] ?? request.url
      const withBodyMethod = hasBody(request.method)
      if ((withBodyMethod || isProtectedPath(path)) && !isAuthorized(config.token, request.headers.authorization)) {
        return refusal(401, unauthorizedBody, mayHaveBody(request))
      }
      if (!withBodyMethod) return yield* app
      const typeProblem = contentTypeProblem(request.headers["content-type"])
      if (Option.isSome(typeProblem)) {
        return refusal(415, { error: "unsupported_media_type", message: typeProblem.value }, mayHaveBody(request))
      }
      const maxBytes = config.maxBodyBytes
      const length = request.headers["content-length"]
      let text: string
      if (length !== undefined) {
        const declared = Number(length)
        if (Number.isFinite(declared) && declared > maxBytes) return tooLarge(maxBytes)
        const read = yield* Effect.either(request.text)
        if (read._tag === "Left") return unreadable
        text = read.right
      } else {
        const read = yield* readChunked(request, maxBytes).pipe(Effect.either)
        if (read._tag === "Left") return unreadable
        if (Option.isNone(read.right)) return tooLarge(maxBytes)
        text = read.right.value
      }
      if (nestsDeeperThan(text, MAX_JSON_DEPTH)) return tooDeep
      const json = parseJson(text)
      if (Option.isNone(json)) return notJson
      if (json.value.repeatedKeys.length > 0) {
        yield* Effect.logWarning("repeated keys in the request body; the first value of each was used").pipe(
          Effect.annotateLogs(loggableKeys(json.value.repeatedKeys))
        )
      }
      return yield* Effect.provideService(
        app,
        HttpServerRequest.HttpServerRequest,
        withBody(request, text, json.value.value)
      )
    }).pipe(HttpIncomingMessage.withMaxBodySize(Option.some(config.maxBodyBytes)))
  )

/** One JSON log line per request. */
export const accessLog = HttpMiddleware.make((app) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const started = yield* Clock.currentTimeMillis
    const path = request.url.split("?")[0] ?? request.url
    const logLine = (status: number) =>
      Clock.currentTimeMillis.pipe(
        Effect.flatMap((now) =>
          Effect.logInfo("request").pipe(
            Effect.annotateLogs({ method: request.method, path, status, ms: now - started })
          )
        )
      )
    return yield* app.pipe(
      Effect.tap((response) => logLine(response.status)),
      Effect.tapErrorCause(() => logLine(500))
    )
  }).pipe(HttpMiddleware.withLoggerDisabled)
)
