/**
 * The built server as a process against the emulator: start-up checks, an emulator outage (records stay pending,
 * then go out when it is back), and SIGTERM (intake stops, the in-flight batch finishes — or is released when the
 * grace period is over — the process exits 0, and the next start delivers the rest).
 */
import * as NodePath from "node:path"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { afterEach, describe, expect, it } from "@effect/vitest"
import type { EmulatorOptions, RunningEmulator } from "@uplink/emulator"
import { emulatorEnv, startEmulator, waitFor } from "@uplink/emulator/testing"
import { Effect } from "effect"
import { postUntilAcknowledged, statusCounts } from "./support/client.js"
import { temporaryDirectory } from "./support/files.js"
import { startOutageProxy } from "./support/OutageProxy.js"
import { conversion } from "./support/records.js"
import { type ServerProcess, spawnServer } from "./support/ServerProcess.js"

const token = "lifecycle-test-token"
const running: Array<ServerProcess> = []
const emulators: Array<RunningEmulator> = []
const stops: Array<() => Promise<void>> = []

/** Each test spawns up to three servers (~2 s each to start on a loaded 2-core machine, more under load). */
const SPAWN_TIMEOUT = 180_000

afterEach(async () => {
  for (const server of running.splice(0)) server.kill("SIGKILL")
  for (const stop of stops.splice(0)) await stop()
  for (const emulator of emulators.splice(0)) await emulator.stop()
})

/** A demo emulator that the test's afterEach stops. */
const emulatorForTest = async (options: EmulatorOptions = {}) => {
  const emulator = await startEmulator({ demo: true, ...options })
  emulators.push(emulator)
  return emulator
}

const serverEnv = (emulatorUrl: string, extra: Record<string, string> = {}) => {
  const dir = temporaryDirectory()
  return {
    ...emulatorEnv(emulatorUrl, dir),
    UPLINK_SERVER_TOKEN: token,
    UPLINK_DB: NodePath.join(dir, "outbox.db"),
    UPLINK_FLUSH_MS: "50",
    UPLINK_RETRY_BASE_MS: "200",
    UPLINK_RETRY_MAX_MS: "1000",
    ...extra
  }
}

const launch = async (env: Record<string, string>, args: ReadonlyArray<string> = []) => {
  const server = await spawnServer(env, args)
  running.push(server)
  return server
}

/** Status counts read from the outbox file while no server runs. */
const countsInFile = (databasePath: string) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ status: string; n: number }>`SELECT status, COUNT(*) AS n FROM records GROUP BY status`
      return Object.fromEntries(rows.map((row) => [row.status, row.n])) as Record<string, number>
    }).pipe(Effect.provide(SqliteClient.layer({ filename: databasePath })), Effect.scoped)
  )

const records = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, index) => conversion(`${prefix}-${index}`, { id: `${prefix}-${index}` }))

describe("start-up", () => {
  it(
    "refuses to start without a token, and allows --insecure only on loopback",
    async () => {
      const env = serverEnv("http://127.0.0.1:9")
      const { UPLINK_SERVER_TOKEN: _, ...withoutToken } = env
      await expect(spawnServer(withoutToken)).rejects.toThrow(/UPLINK_SERVER_TOKEN is not set/)
      await expect(spawnServer(withoutToken, ["--host", "0.0.0.0", "--insecure"])).rejects.toThrow(
        /--insecure is only allowed on a loopback host/
      )
      const insecure = await launch(withoutToken, ["--insecure"])
      const response = await fetch(`${insecure.url}/v1/conversions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(conversion("insecure"))
      })
      expect(response.status).toBe(202)
    },
    SPAWN_TIMEOUT
  )
})

describe("emulator outage", () => {
  it(
    "keeps records pending while the service is down and delivers them when it is back",
    async () => {
      // The service goes down behind a forwarder that keeps its port (nothing else can take it meanwhile).
      const emulator = await emulatorForTest()
      const outage = await startOutageProxy(emulator.url)
      stops.push(outage.stop)
      outage.down()
      const server = await launch(serverEnv(outage.url))

      const batch = records("outage", 30)
      const acknowledged = await postUntilAcknowledged(() => server.url, token, batch)
      expect(acknowledged.length).toBe(30)

      // Delivery fails and is retried with backoff; intake keeps working meanwhile.
      await waitFor("a failed delivery attempt", async () => {
        const text = await (
          await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })
        ).text()
        return /uplink_delivery_retries_total\{kind="conversion"\} [1-9]/.test(text) ? true : undefined
      })
      const more = await postUntilAcknowledged(() => server.url, token, records("outage-more", 5))
      expect(more.length).toBe(5)
      const waiting = await statusCounts(server.url, token)
      expect(waiting.accepted).toBe(0)
      expect(waiting.pending + waiting.sending).toBe(35)
      const view = (await (
        await fetch(`${server.url}/v1/records/outage-0`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as { status: string; message: string | null }
      expect(["pending", "sending"]).toContain(view.status)
      expect(emulator.state().accepted).toHaveLength(0)

      outage.up()
      await waitFor("delivery after the outage", async () => {
        const counts = await statusCounts(server.url, token)
        return counts.accepted === 35 ? counts : undefined
      })
      expect(emulator.state().accepted.length).toBe(35)
    },
    SPAWN_TIMEOUT
  )
})

describe("graceful shutdown", () => {
  it(
    "on SIGTERM stops intake, finishes the batch in flight, exits 0, and the next start sends the rest",
    async () => {
      const emulator = await emulatorForTest({ faults: { latencyMs: 1_500 } })
      const env = serverEnv(emulator.url, { UPLINK_BATCH_SIZE: "100" })
      const server = await launch(env)
      // Raw email and phone numbers, and the token, must never reach the logs.
      const batch = records("term", 250).map((record, index) => ({
        ...record,
        Email: `person.${index}@example.org`,
        Phone: `+1 425 555 ${String(1000 + index)}`
      }))
      expect((await postUntilAcknowledged(() => server.url, token, batch)).length).toBe(250)
      await waitFor(
        "a batch in flight",
        async () => ((await statusCounts(server.url, token)).sending ?? 0) > 0 || undefined
      )

      server.kill("SIGTERM")
      // Intake stops at once while the batch in flight is still being delivered.
      await waitFor("intake to stop", async () => {
        try {
          await fetch(`${server.url}/healthz`)
          return undefined
        } catch {
          return true
        }
      })
      expect(server.child.exitCode).toBeNull()
      expect(await server.exited).toEqual({ code: 0, signal: null })

      const afterStop = await countsInFile(env.UPLINK_DB)
      expect(afterStop.sending).toBeUndefined()
      expect(afterStop.accepted).toBeGreaterThanOrEqual(100)
      expect(afterStop.accepted + (afterStop.pending ?? 0)).toBe(250)
      expect(emulator.state().accepted.length).toBe(afterStop.accepted)

      const logs = server.output().join("\n")
      expect(logs).toContain("delivery worker stopped")
      expect(logs).not.toMatch(/example\.org|person\.\d|425 555/)
      expect(logs).not.toContain(token)
      for (const line of server.output()) expect(() => JSON.parse(line)).not.toThrow()

      emulator.setFaults({})
      const again = await launch(env)
      await waitFor("the rest to be delivered", async () => {
        const counts = await statusCounts(again.url, token)
        return counts.accepted === 250 ? counts : undefined
      })
      const state = emulator.state()
      expect(state.accepted.length).toBe(250)
      // Nothing was sent twice: the batch in flight at SIGTERM finished before the process exited.
      expect(Object.values(state.receivedCounts).every((count) => count === 1)).toBe(true)
    },
    SPAWN_TIMEOUT
  )

  it(
    "releases a batch that outlasts the grace period, exits 0, and delivers it on the next start",
    async () => {
      const emulator = await emulatorForTest({ faults: { latencyMs: 5_000 } })
      const env = serverEnv(emulator.url, { UPLINK_SHUTDOWN_GRACE_MS: "300", UPLINK_LEASE_MS: "60000" })
      const server = await launch(env)
      expect((await postUntilAcknowledged(() => server.url, token, records("grace", 40))).length).toBe(40)
      await waitFor(
        "a batch in flight",
        async () => ((await statusCounts(server.url, token)).sending ?? 0) > 0 || undefined
      )
      server.kill("SIGTERM")
      expect(await server.exited).toEqual({ code: 0, signal: null })
      const afterStop = await countsInFile(env.UPLINK_DB)
      // Released, not left leased: the next start does not wait for the 60 s lease to expire.
      expect(afterStop).toEqual({ pending: 40 })
      expect(server.output().join("\n")).toContain("in-flight batch released at shutdown")

      emulator.setFaults({})
      const again = await launch(env)
      await waitFor("the released batch to be delivered", async () => {
        const counts = await statusCounts(again.url, token)
        return counts.accepted === 40 ? counts : undefined
      })
      expect(emulator.state().accepted.length).toBe(40)
    },
    SPAWN_TIMEOUT
  )
})
