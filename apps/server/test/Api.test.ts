import * as NodeFs from "node:fs"
import * as NodeHttp from "node:http"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { waitFor } from "@uplink/emulator/testing"
import { Effect, Option } from "effect"
import { DeliveryOutcome } from "../src/Deliverer.js"
import { Outbox } from "../src/Outbox.js"
import { temporaryDatabase } from "./support/files.js"
import { type RunningServer, request, startInProcess, testToken } from "./support/InProcessServer.js"
import { conversion, isoMinutesAgo } from "./support/records.js"
import { makeTestDeliverer, type TestDeliverer } from "./support/TestDeliverer.js"

const maxBodyBytes = 64 * 1024
const maxRecords = 50

describe("HTTP API", () => {
  let server: RunningServer
  let deliverer: TestDeliverer
  let databasePath: string

  beforeAll(async () => {
    deliverer = await Effect.runPromise(makeTestDeliverer())
    databasePath = temporaryDatabase()
    // A long flush interval: records stay pending unless a test says otherwise.
    server = await startInProcess(deliverer.layer, { databasePath, maxBodyBytes, maxRecords, flushMs: 3_600_000 })
  })

  afterAll(async () => {
    await server?.stop()
  })

  describe("authorization", () => {
    it("answers 401 without a token, with a wrong one, and with another scheme", async () => {
      const countsNow = () => server.run(Effect.flatMap(Outbox, (outbox) => outbox.counts))
      const before = await countsNow()
      const body = { records: [conversion("auth-1")] }
      for (const token of [null, "wrong-token", `${testToken}x`, testToken.slice(0, -1)]) {
        const response = await request(server.url, "/v1/conversions", { body, token })
        expect(response.status).toBe(401)
        expect(await response.json()).toEqual({
          error: "unauthorized",
          message: expect.stringContaining("bearer token")
        })
      }
      const basic = await fetch(`${server.url}/v1/records/x`, { headers: { authorization: `Basic ${testToken}` } })
      expect(basic.status).toBe(401)
      expect((await request(server.url, "/metrics", { token: null })).status).toBe(401)
      expect((await request(server.url, "/v1/records/anything", { token: "nope" })).status).toBe(401)
      // Nothing of the refused requests reached the outbox (other tests' records may be there already).
      expect(await countsNow()).toEqual(before)
    })

    it("lets probes and docs through without a token", async () => {
      expect((await request(server.url, "/healthz", { token: null })).status).toBe(200)
      expect((await request(server.url, "/readyz", { token: null })).status).toBe(200)
      expect((await request(server.url, "/docs", { token: null })).status).toBe(200)
    })
  })

  describe("intake", () => {
    it("acknowledges valid records with their ids and lists invalid ones by index, field and code", async () => {
      const records = [
        conversion("mixed-0", { id: "client-mixed-0" }),
        conversion("mixed-1", { ConversionTime: "yesterday-ish" }),
        conversion("mixed-2"),
        conversion("mixed-3", { ConversionName: "" }),
        conversion("mixed-4", { MicrosoftClickId: null }),
        conversion("mixed-5", { ConversionTime: isoMinutesAgo(-60) })
      ]
      const response = await request(server.url, "/v1/conversions", { body: { records } })
      expect(response.status).toBe(202)
      const body = (await response.json()) as {
        records: Array<{ index: number; id: string; status: string }>
        invalid: Array<{ index: number; field: string; code: number; message: string }>
      }
      expect(body.records.map((record) => record.index)).toEqual([0, 2])
      expect(body.records[0]).toEqual({ index: 0, id: "client-mixed-0", status: "pending" })
      expect(body.records[1]!.id).toMatch(/^[0-9a-f-]{36}$/)
      expect(body.records[1]!.status).toBe("pending")
      expect(body.invalid.map(({ index, field, code }) => ({ index, field, code }))).toEqual([
        { index: 1, field: "ConversionTime", code: 5607 },
        { index: 3, field: "ConversionName", code: 5605 },
        { index: 4, field: "MicrosoftClickId", code: 5603 },
        { index: 5, field: "ConversionTime", code: 5614 }
      ])
      for (const invalid of body.invalid) expect(invalid.message.length).toBeGreaterThan(0)
      const stored = await server.run(Effect.flatMap(Outbox, (outbox) => outbox.get("client-mixed-0")))
      expect(Option.getOrThrow(stored).status).toBe("pending")
      const generated = await request(server.url, `/v1/records/${body.records[1]!.id}`)
      expect(generated.status).toBe(200)
    })

    it("answers 422 with the same body when no record is valid, and queues nothing", async () => {
      const before = await server.run(Effect.flatMap(Outbox, (outbox) => outbox.counts))
      const response = await request(server.url, "/v1/conversions", {
        body: { records: [conversion("bad-0", { id: "bad-0", ConversionTime: null }), { id: "bad-1" }] }
      })
      expect(response.status).toBe(422)
      const body = (await response.json()) as {
        records: Array<unknown>
        invalid: Array<{ index: number; code: number }>
      }
      expect(body.records).toEqual([])
      expect(body.invalid.map((invalid) => [invalid.index, invalid.code])).toEqual([
        [0, 5608],
        [1, 5603]
      ])
      const after = await server.run(Effect.flatMap(Outbox, (outbox) => outbox.counts))
      expect(after.pending).toBe(before.pending)
      expect((await request(server.url, "/v1/records/bad-0")).status).toBe(404)
    })

    it("takes one record without the records wrapper, and checks adjustments with their own rules", async () => {
      const single = await request(server.url, "/v1/conversions", { body: conversion("single", { id: "single-1" }) })
      expect(single.status).toBe(202)
      expect(await single.json()).toEqual({ records: [{ index: 0, id: "single-1", status: "pending" }], invalid: [] })

      const restate = {
        id: "restate-1",
        AdjustmentType: "Restate",
        AdjustmentTime: isoMinutesAgo(10),
        AdjustmentValue: 20,
        AdjustmentCurrencyCode: "USD",
        ConversionName: "Offline Purchase",
        ConversionTime: isoMinutesAgo(60),
        MicrosoftClickId: "0123456789abcdef0123456789abcdef"
      }
      const retractWithValue = { ...restate, id: "retract-1", AdjustmentType: "Retract" }
      const response = await request(server.url, "/v1/adjustments", { body: { records: [restate, retractWithValue] } })
      expect(response.status).toBe(202)
      const body = (await response.json()) as {
        records: Array<{ id: string }>
        invalid: Array<{ index: number; code: number }>
      }
      expect(body.records.map((record) => record.id)).toEqual(["restate-1"])
      expect(body.invalid.map((invalid) => [invalid.index, invalid.code])).toEqual([[1, 5624]])
      const stored = await server.run(
        Effect.flatMap(Outbox, (outbox) => outbox.get("restate-1")).pipe(Effect.map(Option.getOrThrow))
      )
      expect(stored.kind).toBe("adjustment")
    })

    it("hashes raw email and phone on arrival and stores no raw value", async () => {
      const email = "Jane.Doe+crm@Example.com"
      const phone = "+1 425 555 0100"
      const response = await request(server.url, "/v1/conversions", {
        body: conversion("pii", { id: "pii-1", Email: email, Phone: phone })
      })
      expect(response.status).toBe(202)
      const file = NodeFs.readFileSync(databasePath).toString("latin1") + readWal(databasePath)
      expect(file).not.toContain("Jane.Doe")
      expect(file).not.toContain("example.com")
      // The phone in any form it could be stored in (a bare "425" also occurs in other records' hex hashes).
      for (const form of ["425 555 0100", "4255550100", "+14255550100", "555 0100", "5550100"]) {
        expect(file).not.toContain(form)
      }
      expect(file).toMatch(/"HashedEmailAddress":"[0-9a-f]{64}"/)
      expect(file).toMatch(/"HashedPhoneNumber":"[0-9a-f]{64}"/)
    })

    it("answers 400 for a body that is not a record or a records list", async () => {
      for (const rawBody of ["[1,2]", '"text"', '{"records": 3}', '{"records": []}']) {
        const response = await request(server.url, "/v1/conversions", { rawBody })
        expect(response.status).toBe(400)
      }
      const notJson = await request(server.url, "/v1/conversions", { rawBody: "{not json" })
      expect(notJson.status).toBe(400)
      expect(await notJson.json()).toEqual({ error: "bad_request", message: "the request body is not valid JSON" })
    })
  })

  describe("idempotency", () => {
    it("returns the original record for a repeated id instead of queuing a copy", async () => {
      const first = await request(server.url, "/v1/conversions", { body: conversion("idem", { id: "idem-1" }) })
      expect(first.status).toBe(202)
      const changed = conversion("idem-other", { id: "idem-1", ConversionValue: 99 })
      // The same record twice in one request (one object: its time is read once) is one record.
      const twice = conversion("idem-2", { id: "idem-2" })
      const again = await request(server.url, "/v1/conversions", { body: { records: [changed, twice, twice] } })
      expect(again.status).toBe(202)
      expect(await again.json()).toEqual({
        records: [
          { index: 0, id: "idem-1", status: "pending" },
          { index: 1, id: "idem-2", status: "pending" },
          { index: 2, id: "idem-2", status: "pending" }
        ],
        invalid: []
      })
      const stored = await storedFields(databasePath, "idem-1")
      expect(stored).toMatchObject({ ConversionValue: 12.5, MicrosoftClickId: conversion("idem").MicrosoftClickId })
      expect(await storedFields(databasePath, "idem-2")).toMatchObject({
        MicrosoftClickId: conversion("idem-2").MicrosoftClickId
      })
    })

    it("keeps the first record's content and reports its current status on a repeat", async () => {
      await request(server.url, "/v1/conversions", { body: conversion("status", { id: "status-1" }) })
      const delivered = await server.run(
        Effect.gen(function* () {
          const outbox = yield* Outbox
          const { lease, records: claimed } = yield* outbox.claim("conversion", 10_000, "test")
          const mine = claimed.filter((record) => record.id === "status-1")
          yield* outbox.complete(
            lease,
            mine.map((record) => ({
              id: record.id,
              status: "accepted" as const,
              code: null,
              errorCode: null,
              message: null
            }))
          )
          yield* outbox.reschedule(
            lease,
            claimed.filter((record) => record.id !== "status-1").map((record) => record.id),
            0,
            null
          )
          return mine
        })
      )
      expect(delivered.length).toBe(1)
      expect((delivered[0]!.fields as { MicrosoftClickId: string }).MicrosoftClickId).toBe(
        conversion("status").MicrosoftClickId
      )
      const repeat = await request(server.url, "/v1/conversions", { body: conversion("status", { id: "status-1" }) })
      expect(await repeat.json()).toEqual({ records: [{ index: 0, id: "status-1", status: "accepted" }], invalid: [] })
      const view = await request(server.url, "/v1/records/status-1")
      const body = (await view.json()) as Record<string, unknown>
      expect(body).toEqual({
        id: "status-1",
        status: "accepted",
        code: null,
        errorCode: null,
        message: null,
        updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/)
      })
    })

    it("finds records by any id once it is URL-encoded in the path", async () => {
      const id = "crm/42 ü?#%41"
      expect((await request(server.url, "/v1/conversions", { body: conversion("odd-id", { id }) })).status).toBe(202)
      const response = await request(server.url, `/v1/records/${encodeURIComponent(id)}`)
      expect(response.status).toBe(200)
      expect(((await response.json()) as { id: string }).id).toBe(id)
    })

    it("refuses an id that cannot be a key", async () => {
      const response = await request(server.url, "/v1/conversions", {
        body: {
          records: [
            conversion("id-bad", { id: "" }),
            conversion("id-long", { id: "x".repeat(201) }),
            conversion("id-control", { id: "line\nbreak" }),
            conversion("id-object", { id: { nested: true } })
          ]
        }
      })
      expect(response.status).toBe(422)
      const body = (await response.json()) as { invalid: Array<{ field: string }> }
      expect(body.invalid.map((invalid) => invalid.field)).toEqual(["id", "id", "id", "id"])
    })
  })

  describe("limits", () => {
    it("answers 413 to a body over UPLINK_MAX_BODY_BYTES, declared or streamed", async () => {
      const big = JSON.stringify({
        records: [conversion("big", { ExternalAttributionModel: "m".repeat(maxBodyBytes) })]
      })
      const declared = await request(server.url, "/v1/conversions", { rawBody: big })
      expect(declared.status).toBe(413)
      const streamed = await postChunked(`${server.url}/v1/conversions`, big)
      expect(streamed.status).toBe(413)
      expect(JSON.parse(streamed.body)).toEqual({
        error: "payload_too_large",
        message: expect.stringContaining("UPLINK_MAX_BODY_BYTES")
      })
    })

    it("answers 413 to more records than UPLINK_MAX_RECORDS", async () => {
      const records = Array.from({ length: maxRecords + 1 }, (_, index) => conversion(`many-${index}`))
      const response = await request(server.url, "/v1/conversions", { body: { records } })
      expect(response.status).toBe(413)
      expect(await response.json()).toEqual({
        error: "payload_too_large",
        message: expect.stringContaining("UPLINK_MAX_RECORDS")
      })
      const exact = await request(server.url, "/v1/conversions", { body: { records: records.slice(0, maxRecords) } })
      expect(exact.status).toBe(202)
    })
  })

  describe("status, metrics and readiness", () => {
    it("answers 404 for an unknown id", async () => {
      const response = await request(server.url, "/v1/records/no-such-record")
      expect(response.status).toBe(404)
    })

    it("serves Prometheus text with intake counters and the queue depth", async () => {
      // Its own pending and invalid records, so that it does not rely on other tests having posted some.
      const posted = await request(server.url, "/v1/conversions", {
        body: { records: [conversion("metrics-0"), conversion("metrics-1", { ConversionName: "" })] }
      })
      expect(posted.status).toBe(202)
      const response = await request(server.url, "/metrics")
      expect(response.status).toBe(200)
      expect(response.headers.get("content-type")).toContain("text/plain")
      const text = await response.text()
      expect(text).toContain("# TYPE uplink_records_received_total counter")
      expect(text).toMatch(/uplink_records_received_total\{kind="conversion"\} \d+/)
      expect(text).toMatch(/uplink_records_invalid_total\{kind="conversion"\} [1-9]\d*/)
      expect(text).toMatch(/uplink_outbox_records\{status="pending"\} [1-9]\d*/)
      expect(text).toContain("# TYPE uplink_batch_duration_seconds histogram")
    })

    it("reports ready when the outbox is writable and delivery is configured", async () => {
      const response = await request(server.url, "/readyz", { token: null })
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({
        ready: true,
        checks: { outbox: { ok: true, detail: "writable" }, credentials: { ok: true, detail: "test deliverer" } }
      })
    })

    it("fails /readyz while another process holds the database's write lock", async () => {
      const blocked = await Effect.runPromise(
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          yield* sql.unsafe("BEGIN EXCLUSIVE")
          const response = yield* Effect.promise(() => request(server.url, "/readyz", { token: null }))
          const body = yield* Effect.promise(() => response.json())
          yield* sql.unsafe("COMMIT")
          return { status: response.status, body }
        }).pipe(Effect.provide(SqliteClient.layer({ filename: databasePath })), Effect.scoped)
      )
      expect(blocked.status).toBe(503)
      expect(blocked.body).toMatchObject({ ready: false, checks: { outbox: { ok: false } } })
      expect((await request(server.url, "/readyz", { token: null })).status).toBe(200)
    })
  })
})

describe("readiness", () => {
  it("fails /readyz when the outbox file is deleted or delivery credentials are missing", async () => {
    const deliverer = await Effect.runPromise(
      makeTestDeliverer(undefined, { _tag: "NotConfigured", reason: "MSADS_DEVELOPER_TOKEN is not set" })
    )
    const databasePath = temporaryDatabase()
    const server = await startInProcess(deliverer.layer, { databasePath })
    try {
      const noCredentials = await request(server.url, "/readyz")
      expect(noCredentials.status).toBe(503)
      expect(await noCredentials.json()).toEqual({
        ready: false,
        checks: {
          outbox: { ok: true, detail: "writable" },
          credentials: { ok: false, detail: "MSADS_DEVELOPER_TOKEN is not set" }
        }
      })
      // Intake still works without credentials: records wait in the outbox.
      const queued = await request(server.url, "/v1/conversions", { body: conversion("no-credentials") })
      expect(queued.status).toBe(202)
      NodeFs.rmSync(databasePath)
      const deleted = await request(server.url, "/readyz")
      expect(deleted.status).toBe(503)
      const body = (await deleted.json()) as { checks: { outbox: { ok: boolean; detail: string } } }
      expect(body.checks.outbox.ok).toBe(false)
      expect(body.checks.outbox.detail).toContain("deleted or replaced")
    } finally {
      await server.stop()
    }
  })

  it("delivers records through the deliverer and shows their final status", async () => {
    const deliverer = await Effect.runPromise(
      makeTestDeliverer((_kind, records) =>
        Effect.succeed(
          records.map((record) =>
            record.id === "will-reject"
              ? DeliveryOutcome.Rejected({
                  code: 5604,
                  errorCode: "OfflineConversionMicrosoftClickIdInvalid",
                  message: "bad click"
                })
              : DeliveryOutcome.Accepted()
          )
        )
      )
    )
    const server = await startInProcess(deliverer.layer, { databasePath: temporaryDatabase(), flushMs: 0 })
    try {
      const response = await request(server.url, "/v1/conversions", {
        body: { records: [conversion("d-1", { id: "will-accept" }), conversion("d-2", { id: "will-reject" })] }
      })
      expect(response.status).toBe(202)
      const final = await waitFor("the rejected record's final status", async () => {
        const rejected = (await (await request(server.url, "/v1/records/will-reject")).json()) as { status: string }
        return rejected.status === "rejected" ? rejected : undefined
      })
      expect(final).toMatchObject({
        status: "rejected",
        code: 5604,
        errorCode: "OfflineConversionMicrosoftClickIdInvalid"
      })
      const accepted = (await (await request(server.url, "/v1/records/will-accept")).json()) as { status: string }
      expect(accepted.status).toBe("accepted")
      const metrics = await (await request(server.url, "/metrics")).text()
      expect(metrics).toMatch(/uplink_records_delivered_total\{kind="conversion",status="accepted"\} [1-9]/)
    } finally {
      await server.stop()
    }
  })
})

/** The stored fields of record `id`, read through a second connection. */
const storedFields = (databasePath: string, id: string) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{
        fields: string
        n: number
      }>`SELECT fields, COUNT(*) OVER () AS n FROM records WHERE id = ${id}`
      if (rows.length !== 1) throw new Error(`expected one record ${id}, found ${rows.length}`)
      return JSON.parse(rows[0]!.fields) as Record<string, unknown>
    }).pipe(Effect.provide(SqliteClient.layer({ filename: databasePath })), Effect.scoped)
  )

const readWal = (databasePath: string): string => {
  try {
    return NodeFs.readFileSync(`${databasePath}-wal`).toString("latin1")
  } catch {
    return ""
  }
}

/** POSTs `body` with chunked transfer encoding (no Content-Length). */
const postChunked = (url: string, body: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = NodeHttp.request(url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${testToken}`,
        "content-type": "application/json",
        "transfer-encoding": "chunked"
      }
    })
    request.on("response", (response) => {
      let text = ""
      response.setEncoding("utf8")
      response.on("data", (chunk) => {
        text += chunk
      })
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }))
    })
    request.on("error", reject)
    for (let offset = 0; offset < body.length; offset += 8 * 1024) request.write(body.slice(offset, offset + 8 * 1024))
    request.end()
  })
