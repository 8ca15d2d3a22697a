/**
 * The server's hardening on PostgreSQL, in process with a test deliverer: a database that refuses writes (made
 * read-only, its connections dropped, as a failover to a standby does) gets `503 outbox_unavailable` with
 * PostgreSQL's reason, `/readyz` fails with that reason until a write succeeds, the failure is logged once, and nothing
 * acknowledged is lost; connections cut again and again while clients post and the worker delivers lose nothing and
 * acknowledge nothing twice; `/metrics` shows the outbox-wide and per-instance gauges.
 */
import { describe, expect, it } from "@effect/vitest"
import { waitFor } from "@uplink/emulator/testing"
import { Effect } from "effect"
import { postUntilAcknowledged, statusCounts } from "./support/client.js"
import { request, startInProcess, testToken } from "./support/InProcessServer.js"
import { dropConnections, freshDatabase, makeReadOnly, makeWritable } from "./support/postgres.js"
import { adminQuery } from "./support/postgresAdmin.js"
import { conversion } from "./support/records.js"
import { makeTestDeliverer } from "./support/TestDeliverer.js"

const start = async (label: string, settings: Parameters<typeof startInProcess>[1] = {}) => {
  const database = await freshDatabase(label)
  const deliverer = await Effect.runPromise(makeTestDeliverer())
  const server = await startInProcess(deliverer.layer, { databasePath: database.url, dbPoolSize: 2, ...settings })
  return { database, deliverer, server }
}

const rows = async (url: string) =>
  Number((await adminQuery(url, "SELECT COUNT(*)::int AS n FROM uplink_records"))[0]!.n)

describe("the server on PostgreSQL", () => {
  it("answers 503 with PostgreSQL's reason while the database refuses writes, fails /readyz until a write succeeds, logs once, loses nothing", async () => {
    const { database, server } = await start("refuses", { flushMs: 3_600_000 })
    try {
      const kept = Array.from({ length: 20 }, (_, index) => conversion(`kept-${index}`, { id: `kept-${index}` }))
      expect((await request(server.url, "/v1/conversions", { body: { records: kept } })).status).toBe(202)
      await makeReadOnly(database.name)
      const refused = Array.from({ length: 50 }, (_, index) => conversion(`later-${index}`, { id: `later-${index}` }))
      // The first request after the cut may meet a connection that was dropped; then the read-only refusal.
      const reasons = await waitFor("the read-only refusal", async () => {
        const answer = await request(server.url, "/v1/conversions", { body: { records: refused } })
        expect(answer.status).toBe(503)
        const body = (await answer.json()) as { error: string; message: string }
        expect(body.error).toBe("outbox_unavailable")
        return body.message.includes("read-only") ? body.message : undefined
      })
      expect(reasons).toContain("cannot execute INSERT in a read-only transaction (25006)")
      for (let probe = 0; probe < 2; probe++) {
        const notReady = await request(server.url, "/readyz", { token: null })
        expect(notReady.status).toBe(503)
        expect(await notReady.json()).toMatchObject({
          ready: false,
          checks: { outbox: { ok: false, detail: expect.stringContaining("read-only transaction (25006)") } }
        })
      }
      expect((await request(server.url, "/v1/records/kept-3")).status).toBe(200)
      const failures = server.logs().filter((line) => line.message.startsWith("outbox write failed"))
      expect(failures.map((line) => line.annotations.error)).toContain(
        "cannot execute INSERT in a read-only transaction (25006)"
      )
      expect(new Set(failures.map((line) => line.annotations.error)).size).toBe(failures.length)

      await makeWritable(database.name)
      await waitFor("readiness", async () =>
        (await request(server.url, "/readyz", { token: null })).status === 200 ? true : undefined
      )
      expect(server.logs().filter((line) => line.message === "outbox writable again").length).toBe(1)
      expect((await request(server.url, "/v1/conversions", { body: { records: refused } })).status).toBe(202)
      expect(await rows(database.url)).toBe(70)
      for (const line of server.logs()) expect(JSON.stringify(line)).not.toContain(database.password)
    } finally {
      await server.stop()
    }
  }, 60_000)

  it("loses nothing and acknowledges nothing twice while its connections are cut again and again", async () => {
    const { database, deliverer, server } = await start("cut", { flushMs: 50, batchSize: 200, leaseMs: 2_000 })
    let cutting = true
    const cuts = (async () => {
      let count = 0
      while (cutting) {
        await dropConnections(database.name)
        count++
        await new Promise((resolve) => setTimeout(resolve, 150))
      }
      return count
    })()
    try {
      const records = Array.from({ length: 2_000 }, (_, index) => conversion(`cut-${index}`, { id: `cut-${index}` }))
      const acknowledged = new Set<string>()
      await Promise.all(
        [0, 1, 2, 3].map(async (client) => {
          for (let offset = client * 500; offset < (client + 1) * 500; offset += 100) {
            const answer = await postUntilAcknowledged(() => server.url, testToken, records.slice(offset, offset + 100))
            for (const record of answer) acknowledged.add(record.id)
          }
        })
      )
      expect(acknowledged.size).toBe(records.length)
      await waitFor(
        "every record to be accepted",
        async () => ((await statusCounts(server.url, testToken)).accepted === records.length ? true : undefined),
        60_000
      )
      cutting = false
      expect(await cuts).toBeGreaterThan(2)
      expect(await rows(database.url)).toBe(records.length)
      const counts = await statusCounts(server.url, testToken)
      expect(counts).toMatchObject({ pending: 0, sending: 0, accepted: records.length })
      // Every record reached the deliverer; one whose outcome could not be written in time may have been sent again.
      const delivered = new Set((await Effect.runPromise(deliverer.batches)).flatMap((batch) => batch.ids))
      expect(delivered.size).toBe(records.length)
    } finally {
      cutting = false
      await cuts
      await server.stop()
    }
  }, 120_000)

  it("shows outbox-wide and per-instance gauges in /metrics", async () => {
    const { server } = await start("gauges", { flushMs: 3_600_000 })
    try {
      const records = Array.from({ length: 5 }, (_, index) => conversion(`gauge-${index}`, { id: `gauge-${index}` }))
      expect((await request(server.url, "/v1/conversions", { body: { records } })).status).toBe(202)
      const text = await (await request(server.url, "/metrics")).text()
      expect(text).toMatch(/^uplink_outbox_records\{status="pending"\} 5$/m)
      expect(text).toMatch(/^uplink_outbox_leased_records 0$/m)
      expect(text).toMatch(/^uplink_outbox_oldest_pending_age_seconds \d+(\.\d+)?$/m)
      expect(text).toMatch(/^uplink_instance_leased_records\{instance="[^"]+:\d+:[0-9a-f-]+"\} 0$/m)
    } finally {
      await server.stop()
    }
  }, 60_000)
})
