/**
 * HTTP middleware in front of the API: the request body size limit (`UPLINK_MAX_BODY_BYTES`, `413` before the body
 * is parsed — at once when `Content-Length` says so, else while it is read), a `400` for a body that is not JSON, and
 * one structured access-log line per request (method, path, status, milliseconds; never headers, query strings or
 * bodies, so no token or email or phone reaches the log).
 */
import { HttpIncomingMessage, HttpMiddleware, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Clock, Effect, Option, Stream } from "effect"

const hasBody = (method: string) => method === "POST" || method === "PUT" || method === "PATCH"

const tooLarge = (maxBytes: number) =>
  HttpServerResponse.unsafeJson(
    { error: "payload_too_large", message: `request body larger than ${maxBytes} bytes (UPLINK_MAX_BODY_BYTES)` },
    { status: 413, headers: { connection: "close" } }
  )

const unreadable = HttpServerResponse.unsafeJson(
  { error: "bad_request", message: "the request body could not be read" },
  { status: 400, headers: { connection: "close" } }
)

const notJson = HttpServerResponse.unsafeJson(
  { error: "bad_request", message: "the request body is not valid JSON" },
  { status: 400 }
)

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

const parseJson = (text: string): Option.Option<unknown> => {
  try {
    return Option.some(text.trim() === "" ? null : JSON.parse(text))
  } catch {
    return Option.none()
  }
}

/**
 * The body limit and JSON gate of every request with a body: `413` for a body larger than `maxBytes` (at once when
 * `Content-Length` says so), `400` for one that is not JSON; otherwise the handler gets the parsed body.
 */
export const bodyLimit = (maxBytes: number) =>
  HttpMiddleware.make((app) =>
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      if (!hasBody(request.method)) return yield* app
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
      const json = parseJson(text)
      if (Option.isNone(json)) return notJson
      return yield* Effect.provideService(app, HttpServerRequest.HttpServerRequest, withBody(request, text, json.value))
    }).pipe(HttpIncomingMessage.withMaxBodySize(Option.some(maxBytes)))
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
