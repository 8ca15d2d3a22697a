/**
 * The default HTTP client (`BufferedNodeHttpClient`) against a local node:http server: request line, headers and body
 * as sent, whole responses and every way of reading them, statuses that are not errors, keep-alive reuse, streamed
 * bodies through the platform client, connection failures, invalid URLs, bodies cut before their end,
 * interruption destroying the request, and the request timeout (`withRequestTimeout`) that the transports' exchanges
 * use instead of forking fibers around every call.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { afterAll, assert, beforeAll, describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Either, Exit, Stream, Supervisor } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import {
  layerBufferedNodeHttpClient,
  RequestTimeout,
  withRequestTimeout
} from "../src/transport/BufferedNodeHttpClient.js"
import { makeExchange } from "../src/transport/HttpExchange.js"

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: Http.IncomingHttpHeaders
  readonly body: Buffer
  readonly remotePort: number
}

let server: Http.Server
let base: string
const seen: Array<Seen> = []
let closedEarly = 0

beforeAll(async () => {
  server = Http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const body = Buffer.concat(chunks)
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body,
        remotePort: req.socket.remotePort ?? 0
      })
      const path = (req.url ?? "").split("?")[0]
      if (path === "/echo") {
        res.writeHead(201, {
          "content-type": "application/json",
          "set-cookie": ["a=1; Path=/", "b=2"],
          "x-extra": "yes"
        })
        res.end(JSON.stringify({ length: body.length, text: body.toString("utf8") }))
      } else if (path === "/status/503") {
        res.writeHead(503, { "content-type": "text/plain" })
        res.end("busy")
      } else if (path === "/empty") {
        res.writeHead(204)
        res.end()
      } else if (path === "/form") {
        res.writeHead(200, { "content-type": "application/x-www-form-urlencoded" })
        res.end("access_token=abc&expires_in=3600")
      } else if (path === "/big") {
        res.writeHead(200, { "content-type": "application/octet-stream" })
        for (let i = 0; i < 64; i++) res.write(Buffer.alloc(16_384, 65 + (i % 26)))
        res.end()
      } else if (path === "/cut") {
        res.writeHead(200, { "content-type": "application/json", "content-length": "1000" })
        res.write('{"PartialErr')
        setTimeout(() => res.socket?.destroy(), 20)
      } else if (path === "/hang") {
        res.on("close", () => {
          if (!res.writableEnded) closedEarly++
        })
      } else {
        res.writeHead(404)
        res.end()
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

/** Counts the fibers started under it. */
class ForkCounter extends Supervisor.AbstractSupervisor<number> {
  started = 0
  get value() {
    return Effect.sync(() => this.started)
  }
  override onStart(): void {
    this.started++
  }
}

/** The timers of the process that are pending now. */
const pendingTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length

const withClient = <A, E>(f: (client: HttpClient.HttpClient) => Effect.Effect<A, E>) =>
  Effect.flatMap(HttpClient.HttpClient, f).pipe(Effect.provide(layerBufferedNodeHttpClient))

describe("BufferedNodeHttpClient", () => {
  it.live("sends the method, URL parameters, headers and bytes, and reads the whole response every way", () =>
    withClient((client) =>
      Effect.gen(function* () {
        const body = new TextEncoder().encode('{"Name":"Ünïcødé & <xml>"}')
        const response = yield* client.execute(
          HttpClientRequest.post(`${base}/echo`).pipe(
            HttpClientRequest.setUrlParam("q", "a b"),
            HttpClientRequest.setHeaders({ DeveloperToken: "dev", CustomerId: "42" }),
            HttpClientRequest.bodyUint8Array(body, "application/json")
          )
        )
        const request = seen.at(-1)!
        expect(request.method).toBe("POST")
        expect(request.url).toBe("/echo?q=a+b")
        expect(request.headers.developertoken).toBe("dev")
        expect(request.headers.customerid).toBe("42")
        expect(request.headers["content-type"]).toBe("application/json")
        expect(request.headers["content-length"]).toBe(String(body.length))
        expect(Buffer.compare(request.body, Buffer.from(body))).toBe(0)

        expect(response.status).toBe(201)
        expect(response.headers["x-extra"]).toBe("yes")
        expect(response.headers["content-type"]).toBe("application/json")
        expect(response.cookies.cookies.a?.value).toBe("1")
        expect(response.cookies.cookies.b?.value).toBe("2")
        expect(response.remoteAddress._tag).toBe("Some")
        const expected = { length: body.length, text: '{"Name":"Ünïcødé & <xml>"}' }
        expect(JSON.parse(yield* response.text)).toEqual(expected)
        expect(yield* response.json).toEqual(expected)
        // Reading twice gives the same body.
        expect(yield* response.json).toEqual(expected)
        const bytes = new Uint8Array(yield* response.arrayBuffer)
        expect(new TextDecoder().decode(bytes)).toBe(JSON.stringify(expected))
        const streamed = Chunk.toReadonlyArray(yield* Stream.runCollect(response.stream))
        expect(Buffer.concat(streamed.map((c) => Buffer.from(c))).toString("utf8")).toBe(JSON.stringify(expected))
        expect(JSON.stringify(response.toJSON())).toContain('"status":201')
      })
    )
  )

  it.live("sends text bodies and empty bodies", () =>
    withClient((client) =>
      Effect.gen(function* () {
        yield* client.execute(
          HttpClientRequest.post(`${base}/echo`).pipe(HttpClientRequest.bodyText("é=1", "text/plain"))
        )
        expect(seen.at(-1)!.body.toString("utf8")).toBe("é=1")
        expect(seen.at(-1)!.headers["content-type"]).toBe("text/plain")
        const response = yield* client.execute(HttpClientRequest.get(`${base}/empty`))
        expect(seen.at(-1)!.method).toBe("GET")
        expect(seen.at(-1)!.body.length).toBe(0)
        expect(response.status).toBe(204)
        expect(yield* response.text).toBe("")
        expect(yield* response.json).toBeNull()
        expect(Chunk.size(yield* Stream.runCollect(response.stream))).toBe(0)
      })
    )
  )

  it.live("answers statuses that are not 2xx as responses, and reads form-encoded and large bodies", () =>
    withClient((client) =>
      Effect.gen(function* () {
        const busy = yield* client.execute(HttpClientRequest.get(`${base}/status/503`))
        expect(busy.status).toBe(503)
        expect(yield* busy.text).toBe("busy")
        const form = yield* client.execute(HttpClientRequest.get(`${base}/form`))
        const params = yield* form.urlParamsBody
        expect(params).toEqual([
          ["access_token", "abc"],
          ["expires_in", "3600"]
        ])
        const big = yield* client.execute(HttpClientRequest.get(`${base}/big`))
        const text = yield* big.text
        expect(text.length).toBe(64 * 16_384)
        expect(text.slice(16_384, 16_385)).toBe("B")
      })
    )
  )

  it.live("reuses one keep-alive connection for consecutive calls", () =>
    withClient((client) =>
      Effect.gen(function* () {
        const before = seen.length
        for (let i = 0; i < 3; i++) {
          const response = yield* client.execute(
            HttpClientRequest.post(`${base}/echo`).pipe(HttpClientRequest.bodyText("x"))
          )
          yield* response.text
        }
        const ports = new Set(seen.slice(before).map((s) => s.remotePort))
        expect(ports.size).toBe(1)
      })
    )
  )

  it.live("hands streamed bodies to the platform client on the same agents", () =>
    withClient((client) =>
      Effect.gen(function* () {
        const parts = ["chunk-1,", "chunk-2,", "chunk-3"].map((s) => new TextEncoder().encode(s))
        const response = yield* client.execute(
          HttpClientRequest.post(`${base}/echo`).pipe(
            HttpClientRequest.bodyStream(Stream.fromIterable(parts), { contentType: "text/plain" })
          )
        )
        expect(response.status).toBe(201)
        expect(seen.at(-1)!.body.toString("utf8")).toBe("chunk-1,chunk-2,chunk-3")
        expect(((yield* response.json) as { text: string }).text).toBe("chunk-1,chunk-2,chunk-3")
      })
    )
  )

  it.live("fails with a RequestError when nothing listens, and for an invalid URL", () =>
    withClient((client) =>
      Effect.gen(function* () {
        const refused = yield* Effect.either(client.execute(HttpClientRequest.get("http://127.0.0.1:1/nothing")))
        assert(Either.isLeft(refused))
        expect(refused.left._tag).toBe("RequestError")
        expect(refused.left.reason).toBe("Transport")
        const invalid = yield* Effect.either(client.execute(HttpClientRequest.get("not a url")))
        assert(Either.isLeft(invalid))
        expect(invalid.left._tag).toBe("RequestError")
        expect(invalid.left.reason).toBe("InvalidUrl")
      })
    )
  )

  it.live("fails with a ResponseError when the body is cut before its end", () =>
    withClient((client) =>
      Effect.gen(function* () {
        const cut = yield* Effect.either(client.execute(HttpClientRequest.get(`${base}/cut`)))
        assert(Either.isLeft(cut))
        expect(cut.left._tag).toBe("ResponseError")
        expect(cut.left.reason).toBe("Decode")
      })
    )
  )

  it.live("with a request timeout, fails a call not answered within it and destroys its request", () =>
    withClient((client) =>
      Effect.gen(function* () {
        const timed = withRequestTimeout(client, Duration.millis(100))
        assert(timed !== undefined)
        // Answered in time: the response, and no timer left behind.
        const timers = pendingTimers()
        const echoed = yield* timed.execute(
          HttpClientRequest.post(`${base}/echo`).pipe(HttpClientRequest.bodyText("x"))
        )
        expect(echoed.status).toBe(201)
        expect(pendingTimers()).toBe(timers)
        const before = closedEarly
        const result = yield* Effect.either(timed.execute(HttpClientRequest.get(`${base}/hang`)))
        assert(Either.isLeft(result))
        expect(result.left._tag).toBe("RequestError")
        expect(result.left.reason).toBe("Transport")
        expect(result.left.cause).toBeInstanceOf(RequestTimeout)
        // The server sees its response's connection closed.
        for (let i = 0; i < 50 && closedEarly === before; i++) yield* Effect.sleep(Duration.millis(20))
        expect(closedEarly).toBe(before + 1)
        // A streamed body (through the platform client) has the same deadline.
        const streamed = yield* Effect.either(
          timed.execute(
            HttpClientRequest.post(`${base}/hang`).pipe(
              HttpClientRequest.bodyStream(Stream.make(new TextEncoder().encode("x")), { contentType: "text/plain" })
            )
          )
        )
        assert(Either.isLeft(streamed))
        expect(streamed.left.cause).toBeInstanceOf(RequestTimeout)
        // Only for clients of this module as they were made.
        expect(
          withRequestTimeout(
            HttpClient.mapRequest(client, (request) => request),
            Duration.seconds(1)
          )
        ).toBe(undefined)
      })
    )
  )

  it.live("an exchange over it times out with the client's own timer, forking no fiber; another client's forks", () =>
    withClient((client) =>
      Effect.gen(function* () {
        const timeout = Duration.millis(100)
        const expected = `GET ${base}/hang: no complete response within ${Duration.format(timeout)}`
        const forks = new ForkCounter()
        const exchange = makeExchange(client, timeout)
        const reply = yield* Effect.supervised(
          exchange(HttpClientRequest.post(`${base}/echo`).pipe(HttpClientRequest.bodyText("x"))),
          forks
        )
        expect(reply.status).toBe(201)
        const slow = yield* Effect.exit(Effect.supervised(exchange(HttpClientRequest.get(`${base}/hang`)), forks))
        expect(slow).toEqual(Exit.fail(expect.objectContaining({ kind: "Timeout", detail: expected })))
        expect(forks.started).toBe(0)
        // A client it cannot give a timer to: the same timeout, around the exchange.
        const other = makeExchange(
          HttpClient.mapRequest(client, (request) => request),
          timeout
        )
        const otherForks = new ForkCounter()
        const otherSlow = yield* Effect.exit(
          Effect.supervised(other(HttpClientRequest.get(`${base}/hang`)), otherForks)
        )
        expect(otherSlow).toEqual(Exit.fail(expect.objectContaining({ kind: "Timeout", detail: expected })))
        expect(otherForks.started).toBeGreaterThan(0)
      })
    )
  )

  it.live("destroys the request when the call is interrupted (a timeout)", () =>
    withClient((client) =>
      Effect.gen(function* () {
        const before = closedEarly
        const result = yield* Effect.either(
          Effect.timeout(client.execute(HttpClientRequest.get(`${base}/hang`)), Duration.millis(100))
        )
        assert(Either.isLeft(result))
        expect(result.left._tag).toBe("TimeoutException")
        // The server sees its response's connection closed.
        for (let i = 0; i < 50 && closedEarly === before; i++) yield* Effect.sleep(Duration.millis(20))
        expect(closedEarly).toBe(before + 1)
      })
    )
  )
})
