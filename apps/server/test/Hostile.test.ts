/**
 * Hostile input against the server (issue 16), one class per `describe`: requests that make the server work before it
 * knows who sent them (the token is checked on the headers, before the body; nesting depth is bounded), bodies that
 * are not JSON by their content type, JSON that `JSON.parse` would read lossily, repeated ids within one request, an outbox on a full or corrupt file, start-up
 * settings out of range, and records that need the server's time zone or default region. Every test here failed
 * before the change that made it pass.
 */
import * as NodeCrypto from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodeHttp from "node:http"
import type { SqlClient } from "@effect/sql"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { waitFor } from "@uplink/emulator/testing"
import { ConfigProvider, DateTime, Effect, Either, Option } from "effect"
import { Outbox } from "../src/Outbox.js"
import { configErrorMessages, numericSettings, serverConfig } from "../src/ServerConfig.js"
import { temporaryDatabase } from "./support/files.js"
import { type RunningServer, request, startInProcess } from "./support/InProcessServer.js"
import { conversion, isoMinutesAgo } from "./support/records.js"
import { makeTestDeliverer } from "./support/TestDeliverer.js"

const unauthorized = {
  error: "unauthorized",
  message: "missing or invalid bearer token (Authorization: Bearer <token>)"
}

const startServer = async (settings: Parameters<typeof startInProcess>[1] = {}) => {
  const deliverer = await Effect.runPromise(makeTestDeliverer())
  const server = await startInProcess(deliverer.layer, { databasePath: temporaryDatabase(), ...settings })
  return { server, deliverer }
}

interface RawAnswer {
  readonly status: number
  readonly headers: NodeHttp.IncomingHttpHeaders
  readonly body: string
}

/**
 * A POST whose body is never finished: `feed` writes to the request until the answer comes (it is not ended), so the
 * server can only answer from the headers. Fails when no answer comes within `timeoutMs`.
 */
const postUnfinished = (
  url: string,
  headers: Record<string, string>,
  feed: (request: NodeHttp.ClientRequest) => () => void,
  timeoutMs = 20_000
) =>
  new Promise<RawAnswer>((resolve, reject) => {
    const outgoing = NodeHttp.request(url, { method: "POST", headers })
    const stopFeeding = feed(outgoing)
    const timer = setTimeout(() => {
      stopFeeding()
      outgoing.destroy()
      reject(new Error(`no answer within ${timeoutMs} ms while the body was still unfinished`))
    }, timeoutMs)
    outgoing.on("response", (response) => {
      stopFeeding()
      let body = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => {
        body += chunk
      })
      const done = () => {
        clearTimeout(timer)
        outgoing.destroy()
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body })
      }
      response.on("end", done)
      response.on("aborted", done)
      response.on("error", done)
    })
    // Writing after the server closed the connection fails; the answer (or the timeout) decides the test.
    outgoing.on("error", () => undefined)
  })

/** A POST of a whole body, answered or cut off; `null` when the connection was cut before an answer. */
const postWhole = (url: string, headers: Record<string, string>, body: Buffer) =>
  new Promise<number | null>((resolve) => {
    const outgoing = NodeHttp.request(url, { method: "POST", headers: { ...headers, "content-length": body.length } })
    outgoing.on("response", (response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
    })
    outgoing.on("error", () => resolve(null))
    outgoing.end(body)
  })

/** The value of a counter line of `/metrics`, e.g. `uplink_records_enqueued_total{kind="conversion"}`. */
const counter = async (server: RunningServer, line: string): Promise<number> => {
  const text = await (await request(server.url, "/metrics")).text()
  const found = text.split("\n").find((candidate) => candidate.startsWith(`${line} `))
  return found === undefined ? 0 : Number(found.slice(line.length + 1))
}

const storedFields = (server: RunningServer, id: string) =>
  server.sql((sql) =>
    sql<{ fields: string }>`SELECT fields FROM records WHERE id = ${id}`.pipe(
      Effect.map((rows) => rows.map((row) => JSON.parse(row.fields) as Record<string, unknown>))
    )
  )

const rowCount = (server: RunningServer) =>
  server.sql((sql) => sql<{ n: number }>`SELECT COUNT(*) AS n FROM records`.pipe(Effect.map((rows) => rows[0]!.n)))

describe("the token is checked on the headers, before the body", () => {
  let server: RunningServer

  beforeAll(async () => {
    // A body limit large enough that the bodies below are within it: only the missing token can refuse them.
    ;({ server } = await startServer({ maxBodyBytes: 64 * 1024 * 1024 }))
  })

  afterAll(async () => {
    await server?.stop()
  })

  it("answers 401 with connection: close while a declared 4 MiB body has barely begun", async () => {
    for (const token of [null, "wrong-token-of-some-length"]) {
      const answer = await postUnfinished(
        `${server.url}/v1/conversions`,
        {
          "content-type": "application/json",
          "content-length": String(4 * 1024 * 1024),
          ...(token === null ? {} : { authorization: `Bearer ${token}` })
        },
        (outgoing) => {
          outgoing.write(Buffer.alloc(64 * 1024, "["))
          return () => undefined
        }
      )
      expect(answer.status).toBe(401)
      expect(answer.headers.connection).toBe("close")
      expect(JSON.parse(answer.body)).toEqual(unauthorized)
    }
  })

  it("answers 401 to a chunked body that never ends", async () => {
    const answer = await postUnfinished(
      `${server.url}/v1/adjustments`,
      { "content-type": "application/json", "transfer-encoding": "chunked" },
      (outgoing) => {
        const chunk = Buffer.alloc(16 * 1024, "[")
        const timer = setInterval(() => outgoing.write(chunk), 5)
        return () => clearInterval(timer)
      }
    )
    expect(answer.status).toBe(401)
    expect(answer.headers.connection).toBe("close")
    expect(JSON.parse(answer.body)).toEqual(unauthorized)
  })

  it("refuses unauthenticated bodies that are malformed, oversized or of another type with 401, not a parse error", async () => {
    const noToken = { token: null } as const
    const malformed = await request(server.url, "/v1/conversions", { ...noToken, rawBody: "{not json" })
    expect([malformed.status, await malformed.json()]).toEqual([401, unauthorized])
    // Declared larger than the limit: who asks is checked before the size.
    const oversized = await postUnfinished(
      `${server.url}/v1/conversions`,
      { "content-type": "application/json", "content-length": String(128 * 1024 * 1024) },
      (outgoing) => {
        outgoing.flushHeaders()
        return () => undefined
      }
    )
    expect([oversized.status, JSON.parse(oversized.body)]).toEqual([401, unauthorized])
    const plain = await request(server.url, "/v1/conversions", {
      ...noToken,
      rawBody: "hello",
      headers: { "content-type": "text/plain" }
    })
    expect([plain.status, await plain.json()]).toEqual([401, unauthorized])
    // A body sent to a route that takes none needs the token too: no public route reads a body.
    const toProbe = await request(server.url, "/healthz", { ...noToken, method: "POST", rawBody: "{}" })
    expect(toProbe.status).toBe(401)
  })

  it("keeps /healthz fast while it refuses 16 MiB nested bodies without a token", async () => {
    // 8 Mi levels of nesting: parsing one costs about 2 s of CPU, which the old order spent before the 401.
    const levels = 8 * 1024 * 1024
    const body = Buffer.alloc(2 * levels, "[")
    body.fill("]", levels)
    const headers = { "content-type": "application/json" }
    const refusals = Array.from({ length: 4 }, () => postWhole(`${server.url}/v1/conversions`, headers, body))
    let settled = false
    void Promise.all(refusals).then(() => {
      settled = true
    })
    const latencies: Array<number> = []
    while (!settled || latencies.length < 3) {
      const started = performance.now()
      const health = await fetch(`${server.url}/healthz`)
      expect(health.status).toBe(200)
      latencies.push(performance.now() - started)
    }
    for (const status of await Promise.all(refusals)) expect([401, null]).toContain(status)
    const refused = server
      .logs()
      .filter((line) => line.message === "request" && line.annotations.path === "/v1/conversions")
      .filter((line) => line.annotations.method === "POST" && line.annotations.status === 401)
    expect(refused.length).toBeGreaterThanOrEqual(4)
    // Generous for a loaded machine (typically ~100 ms); the old order took 3.4 s here, parsing the bodies first.
    expect(Math.max(...latencies)).toBeLessThan(2_000)
  })
})

describe("nesting depth", () => {
  let server: RunningServer

  beforeAll(async () => {
    ;({ server } = await startServer({ flushMs: 3_600_000 }))
  })

  afterAll(async () => {
    await server?.stop()
  })

  /** One record whose unknown field `Nested` brings the body to `depth` levels ({ record } is the first). */
  const nestedRecord = (depth: number, seed: string) => {
    const record = JSON.stringify(conversion(seed))
    return `${record.slice(0, -1)},"Nested":${"[".repeat(depth - 1)}${"]".repeat(depth - 1)}}`
  }

  it("answers 400 naming the limit to a record nested 5,000 levels deep", async () => {
    const response = await request(server.url, "/v1/conversions", { rawBody: nestedRecord(5_000, "deep") })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      error: "bad_request",
      message: "the request body nests arrays and objects deeper than 64 levels (the limit)"
    })
  })

  it("takes 64 levels and refuses 65; brackets inside strings do not count", async () => {
    expect((await request(server.url, "/v1/conversions", { rawBody: nestedRecord(64, "at-limit") })).status).toBe(202)
    expect((await request(server.url, "/v1/conversions", { rawBody: nestedRecord(65, "past-limit") })).status).toBe(400)
    const inString = JSON.stringify({ records: [conversion("in-string", { Note: `${"[{".repeat(200)}\\"` })] })
    expect((await request(server.url, "/v1/conversions", { rawBody: inString })).status).toBe(202)
  })
})

describe("content types", () => {
  let server: RunningServer

  beforeAll(async () => {
    ;({ server } = await startServer({ flushMs: 3_600_000 }))
  })

  afterAll(async () => {
    await server?.stop()
  })

  it("answers 415 to text and form bodies and to JSON in another charset, and takes JSON with or without one", async () => {
    const body = JSON.stringify(conversion("typed"))
    for (const type of [
      "text/plain",
      "text/plain;charset=UTF-8",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=xyz",
      "application/json; charset=iso-8859-1",
      "application/octet-stream"
    ]) {
      const response = await request(server.url, "/v1/conversions", {
        rawBody: body,
        headers: { "content-type": type }
      })
      expect(response.status, type).toBe(415)
      const answer = (await response.json()) as { error: string; message: string }
      expect(answer.error).toBe("unsupported_media_type")
      expect(answer.message).toMatch(/JSON|UTF-8/)
    }
    // A body without a content type is read as JSON, as the HttpApi itself reads it.
    for (const [seed, type] of [
      ["json-plain", "application/json"],
      ["json-charset", 'Application/JSON; charset="UTF-8"'],
      ["json-none", null]
    ] as const) {
      const response = await request(server.url, "/v1/conversions", {
        rawBody: JSON.stringify(conversion(seed, { id: seed })),
        headers: { "content-type": type }
      })
      expect(response.status, String(type)).toBe(202)
    }
  })
})

describe("how a body is read", () => {
  it("keeps the first of a repeated key (logged) and integers beyond 2^53 as text, as the CLI reads JSON Lines", async () => {
    const { server } = await startServer({ flushMs: 3_600_000 })
    try {
      const rawBody =
        '{"id":"json-rule","MicrosoftClickId":12345678901234567890123,"ConversionName":"Offline Purchase",' +
        `"ConversionTime":"${isoMinutesAgo(60)}","ConversionValue":1,"ConversionValue":2,"ConversionCurrencyCode":"USD"}`
      expect((await request(server.url, "/v1/conversions", { rawBody })).status).toBe(202)
      expect((await storedFields(server, "json-rule"))[0]).toMatchObject({
        MicrosoftClickId: "12345678901234567890123",
        ConversionValue: 1
      })
      const warned = server.logs().filter((line) => line.message.startsWith("repeated keys"))
      expect(warned.map((line) => line.annotations.fields)).toEqual([["ConversionValue"]])
    } finally {
      await server.stop()
    }
  })
})

describe("repeated ids within one request", () => {
  it("answers a repeat with the same fields as the same record, refuses one with other fields, queues and delivers once", async () => {
    const { server, deliverer } = await startServer({ flushMs: 0 })
    try {
      const enqueued = 'uplink_records_enqueued_total{kind="conversion"}'
      const before = await counter(server, enqueued)
      const first = conversion("repeat-a", { id: "repeat-a", Email: "Jane.Doe@Example.com" })
      // The same record after normalisation: email case and spaces do not change its hashed fields.
      const sameAfterNormalising = { ...first, Email: "  jane.doe@example.com " }
      const otherFields = { ...first, ConversionValue: 99 }
      const other = conversion("repeat-b", { id: "repeat-b" })
      const response = await request(server.url, "/v1/conversions", {
        body: { records: [first, other, first, otherFields, sameAfterNormalising] }
      })
      expect(response.status).toBe(202)
      expect(await response.json()).toEqual({
        records: [
          { index: 0, id: "repeat-a", status: "pending" },
          { index: 1, id: "repeat-b", status: "pending" },
          { index: 2, id: "repeat-a", status: "pending" },
          { index: 4, id: "repeat-a", status: "pending" }
        ],
        invalid: [
          {
            index: 3,
            field: "id",
            code: null,
            message:
              'id "repeat-a" is repeated in this request (first at index 0) with different fields; an id names one record'
          }
        ]
      })
      // Counted once: the counter moves by the rows inserted.
      expect(await rowCount(server)).toBe(2)
      expect((await counter(server, enqueued)) - before).toBe(2)
      const delivered = await waitFor("both records delivered", async () => {
        const views = await Promise.all(
          ["repeat-a", "repeat-b"].map(
            async (id) => (await (await request(server.url, `/v1/records/${id}`)).json()) as { status: string }
          )
        )
        return views.every((view) => view.status === "accepted") ? views : undefined
      })
      expect(delivered.length).toBe(2)
      const sent = (await Effect.runPromise(deliverer.batches)).flatMap((batch) => batch.ids)
      expect(sent.filter((id) => id === "repeat-a")).toEqual(["repeat-a"])
      expect((await storedFields(server, "repeat-a"))[0]).toMatchObject({ ConversionValue: 12.5 })
    } finally {
      await server.stop()
    }
  })

  it("counts adjustments once too, and a repeat across requests still returns the first record", async () => {
    const { server } = await startServer({ flushMs: 3_600_000 })
    try {
      const enqueued = 'uplink_records_enqueued_total{kind="adjustment"}'
      const before = await counter(server, enqueued)
      const retract = {
        id: "retract-1",
        AdjustmentType: "Retract",
        AdjustmentTime: isoMinutesAgo(5),
        ConversionName: "Offline Purchase",
        ConversionTime: isoMinutesAgo(60),
        MicrosoftClickId: "0123456789abcdef0123456789abcdef"
      }
      const response = await request(server.url, "/v1/adjustments", { body: { records: [retract, retract] } })
      expect(await response.json()).toEqual({
        records: [
          { index: 0, id: "retract-1", status: "pending" },
          { index: 1, id: "retract-1", status: "pending" }
        ],
        invalid: []
      })
      const again = await request(server.url, "/v1/adjustments", {
        body: { records: [{ ...retract, AdjustmentTime: isoMinutesAgo(1) }] }
      })
      expect(await again.json()).toEqual({ records: [{ index: 0, id: "retract-1", status: "pending" }], invalid: [] })
      expect(await rowCount(server)).toBe(1)
      expect((await counter(server, enqueued)) - before).toBe(1)
      // The outbox itself reports a second record of an id in one call as a repeat.
      const results = await server.run(
        Effect.flatMap(Outbox, (outbox) =>
          outbox.enqueue([
            { id: "direct", kind: "conversion", fields: { a: 1 } },
            { id: "direct", kind: "conversion", fields: { a: 2 } }
          ])
        )
      )
      expect(results.map((result) => result.repeated)).toEqual([false, true])
    } finally {
      await server.stop()
    }
  })
})

describe("an outbox that cannot be written", () => {
  it("answers 503 outbox_unavailable on a full outbox, fails /readyz until a write succeeds, logs once, loses nothing", async () => {
    // A real SQLITE_FULL without root or a small file system: SQLite's own page limit (`max_page_count`) on the
    // connection the server writes with. SQLite then fails exactly as on a full disk ("database or disk is full")
    // and rolls the transaction back by itself, which is what turned the answer into an empty 500 before.
    const { server } = await startServer({ flushMs: 3_600_000 })
    try {
      const acknowledged = Array.from({ length: 20 }, (_, index) =>
        conversion(`kept-${index}`, { id: `kept-${index}` })
      )
      expect((await request(server.url, "/v1/conversions", { body: { records: acknowledged } })).status).toBe(202)
      const limit = (sql: SqlClient.SqlClient, pages: number | "now") =>
        (pages === "now"
          ? sql<{ page_count: number }>`PRAGMA page_count`.pipe(Effect.map((rows) => rows[0]!.page_count))
          : Effect.succeed(pages)
        ).pipe(Effect.flatMap((count) => sql.unsafe(`PRAGMA max_page_count = ${count}`)))
      await server.sql((sql) => limit(sql, "now"))

      const refused = Array.from({ length: 200 }, (_, index) => conversion(`later-${index}`, { id: `later-${index}` }))
      for (let attempt = 0; attempt < 2; attempt++) {
        const full = await request(server.url, "/v1/conversions", { body: { records: refused } })
        expect(full.status).toBe(503)
        const answer = (await full.json()) as { error: string; message: string }
        expect(answer.error).toBe("outbox_unavailable")
        expect(answer.message).toContain("database or disk is full")
      }
      for (let probe = 0; probe < 2; probe++) {
        const notReady = await request(server.url, "/readyz", { token: null })
        expect(notReady.status).toBe(503)
        expect(await notReady.json()).toMatchObject({
          ready: false,
          checks: { outbox: { ok: false, detail: expect.stringContaining("database or disk is full") } }
        })
      }
      expect((await request(server.url, "/v1/records/later-0")).status).toBe(404)
      const failures = server.logs().filter((line) => line.message.startsWith("outbox write failed"))
      expect(failures.map((line) => [line.level, line.annotations.error])).toEqual([
        ["ERROR", "database or disk is full (SQLITE_FULL)"]
      ])

      // Room again: readiness comes back, logged once, and the same records are taken.
      await server.sql((sql) => limit(sql, 1_073_741_823))
      expect((await request(server.url, "/readyz", { token: null })).status).toBe(200)
      expect(server.logs().filter((line) => line.message === "outbox writable again").length).toBe(1)
      expect((await request(server.url, "/v1/conversions", { body: { records: refused } })).status).toBe(202)
      for (const id of ["kept-0", "kept-19", "later-0", "later-199"]) {
        const view = (await (await request(server.url, `/v1/records/${id}`)).json()) as { status: string }
        expect(view.status, id).toBe("pending")
      }
      expect(await rowCount(server)).toBe(220)
      const integrity = await server.sql((sql) => sql<{ integrity_check: string }>`PRAGMA integrity_check`)
      expect(integrity).toEqual([{ integrity_check: "ok" }])
    } finally {
      await server.stop()
    }
  })

  it("names SQLite's reason for a corrupt outbox in /readyz, in the 503 and once in the log", async () => {
    const databasePath = temporaryDatabase()
    const first = await startServer({ databasePath, flushMs: 3_600_000 })
    const records = Array.from({ length: 300 }, (_, index) => conversion(`c-${index}`, { id: `c-${index}` }))
    expect((await request(first.server.url, "/v1/conversions", { body: { records } })).status).toBe(202)
    await first.server.stop()
    // A real database file, closed cleanly (its WAL is folded in), with random bytes over every page but the first:
    // the header and the schema stay readable, so the server starts, and the tables are garbage.
    const pageSize = 4096
    const size = NodeFs.statSync(databasePath).size
    expect(size).toBeGreaterThan(4 * pageSize)
    const file = NodeFs.openSync(databasePath, "r+")
    NodeFs.writeSync(file, NodeCrypto.randomBytes(size - pageSize), 0, size - pageSize, pageSize)
    NodeFs.closeSync(file)

    const { server } = await startServer({ databasePath, flushMs: 3_600_000 })
    try {
      const notReady = await request(server.url, "/readyz", { token: null })
      expect(notReady.status).toBe(503)
      const readiness = (await notReady.json()) as { checks: { outbox: { detail: string } } }
      expect(readiness.checks.outbox.detail).toContain("database disk image is malformed")
      const intake = await request(server.url, "/v1/conversions", { body: conversion("after-corruption") })
      expect(intake.status).toBe(503)
      expect(((await intake.json()) as { message: string }).message).toContain("database disk image is malformed")
      const logged = server.logs().filter((line) => line.message.startsWith("outbox write failed"))
      expect(logged.length).toBe(1)
      expect(String(logged[0]!.annotations.error)).toContain("database disk image is malformed")
    } finally {
      await server.stop()
    }
  })
})

describe("start-up settings", () => {
  const load = (env: Record<string, string>) =>
    Effect.runPromise(
      Effect.either(
        Effect.withConfigProvider(
          serverConfig(),
          ConfigProvider.fromMap(new Map(Object.entries({ UPLINK_SERVER_TOKEN: "t".repeat(16), ...env })))
        )
      )
    )
  const messages = async (env: Record<string, string>) => {
    const loaded = await load(env)
    return Either.isLeft(loaded) ? configErrorMessages(loaded.left) : []
  }

  it("refuses every numeric variable out of its range, naming the variable and the range", async () => {
    for (const spec of Object.values(numericSettings)) {
      const range = `${spec.name} must be a whole number from ${spec.min.toLocaleString("en-US")} to ${spec.max.toLocaleString("en-US")}`
      for (const value of [
        "-5",
        "abc",
        "1e99",
        "1.5",
        "0x10",
        String(spec.max + 1),
        ...(spec.min > 0 ? [String(spec.min - 1)] : [])
      ]) {
        const found = await messages({ [spec.name]: value })
        expect(found, `${spec.name}=${value}`).toEqual([expect.stringContaining(range)])
        expect(found[0]).toContain(`got "${value}"`)
      }
      // The longest retry wait may not be shorter than the first: each one's edges come with the other at its widest.
      const partner =
        spec === numericSettings.retryBaseMs
          ? { UPLINK_RETRY_MAX_MS: String(numericSettings.retryMaxMs.max) }
          : spec === numericSettings.retryMaxMs
            ? { UPLINK_RETRY_BASE_MS: String(numericSettings.retryBaseMs.min) }
            : {}
      const edges = await Promise.all(
        [String(spec.min), String(spec.max)].map((value) => load({ ...partner, [spec.name]: value }))
      )
      for (const edge of edges) expect(Either.isRight(edge), spec.name).toBe(true)
    }
    const both = await messages({ UPLINK_MAX_BODY_BYTES: "-5", UPLINK_MAX_RECORDS: "1000000" })
    expect(both).toEqual([
      'UPLINK_MAX_BODY_BYTES must be a whole number from 1,024 to 268,435,456 (bytes), got "-5"',
      'UPLINK_MAX_RECORDS must be a whole number from 1 to 100,000 (records per request), got "1000000"'
    ])
  })

  it("fetches the per-goal report hourly unless UPLINK_REPORT_POLL_INTERVAL says otherwise", async () => {
    expect(Either.map(await load({}), (config) => config.reportPollIntervalMs)).toEqual(Either.right(3_600_000))
    expect(
      Either.map(await load({ UPLINK_REPORT_POLL_INTERVAL: "60000" }), (config) => config.reportPollIntervalMs)
    ).toEqual(Either.right(60_000))
  })

  it("refuses a token shorter than 16 characters, and an unknown time zone or region", async () => {
    expect(await messages({ UPLINK_SERVER_TOKEN: "x" })).toEqual([
      expect.stringContaining("UPLINK_SERVER_TOKEN must have at least 16 characters, it has 1")
    ])
    expect(await messages({ UPLINK_SERVER_TOKEN: "x".repeat(15) })).toEqual([expect.stringContaining("it has 15")])
    expect(await messages({ UPLINK_TIMEZONE: "Mars/Base", UPLINK_DEFAULT_REGION: "ZZ" })).toEqual([
      'UPLINK_TIMEZONE: unknown time zone "Mars/Base" (use an IANA name such as Europe/Paris)',
      'UPLINK_DEFAULT_REGION: unknown default region "ZZ" (use a code such as US or GB)'
    ])
    const loaded = await load({ UPLINK_TIMEZONE: "Europe/Paris", UPLINK_DEFAULT_REGION: "gb" })
    expect(Either.map(loaded, (config) => [config.timeZone, config.defaultRegion])).toEqual(
      Either.right([Option.some(DateTime.zoneUnsafeMakeNamed("Europe/Paris")), Option.some("GB")])
    )
  })
})

describe("the server's time zone and default region", () => {
  /** The wall-clock time of `epochMs` in `zone`, without a zone: `2026-11-20T11:00:00`. */
  const wallTime = (epochMs: number, zone: string) =>
    new Intl.DateTimeFormat("sv-SE", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23"
    })
      .format(epochMs)
      .replace(" ", "T")

  it("reads zone-less times and national phone numbers with UPLINK_TIMEZONE and UPLINK_DEFAULT_REGION", async () => {
    const { server } = await startServer({
      flushMs: 3_600_000,
      timeZone: Option.some(DateTime.zoneUnsafeMakeNamed("Europe/Paris")),
      defaultRegion: Option.some("US")
    })
    try {
      const at = Math.floor(Date.now() / 1000) * 1000 - 3_600_000
      const record = conversion("zoned", {
        id: "zoned",
        ConversionTime: wallTime(at, "Europe/Paris"),
        Phone: "(425) 555-0100"
      })
      const response = await request(server.url, "/v1/conversions", { body: record })
      expect(response.status).toBe(202)
      const [fields] = await storedFields(server, "zoned")
      expect(Date.parse(String(fields!.ConversionTime))).toBe(at)
      expect(fields!.HashedPhoneNumber).toBe(NodeCrypto.createHash("sha256").update("+14255550100").digest("hex"))
    } finally {
      await server.stop()
    }
  })

  it("without a default region, the raw-phone error says which variable sets one", async () => {
    const { server } = await startServer({ flushMs: 3_600_000 })
    try {
      const response = await request(server.url, "/v1/conversions", {
        body: conversion("national", { Phone: "(425) 555-0100" })
      })
      expect(response.status).toBe(422)
      const body = (await response.json()) as { invalid: Array<{ field: string; message: string }> }
      expect(body.invalid[0]!.field).toBe("Phone")
      expect(body.invalid[0]!.message).toContain("UPLINK_DEFAULT_REGION")
    } finally {
      await server.stop()
    }
  })
})
