/**
 * Nothing acknowledged is lost: the built server takes 20,000 records from four concurrent clients while it delivers
 * them to the emulator, is killed with SIGKILL mid-delivery, and is started again on the same outbox. Clients retry
 * requests that got no answer with the same ids. In the end the emulator has accepted every acknowledged record
 * exactly once (its receive counts may show resends of batches that were in flight at the kill), nothing else, and
 * every record's status is `accepted`.
 */
import * as NodePath from "node:path"
import type { RunningEmulator } from "@uplink/emulator"
import { emulatorEnv, startEmulator, waitFor } from "@uplink/emulator/testing"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { type Acknowledged, postUntilAcknowledged, statusCounts } from "./support/client.js"
import { conversionKeys } from "./support/conversionKeys.js"
import { temporaryDirectory } from "./support/files.js"
import { conversion } from "./support/records.js"
import { type ServerProcess, spawnServer } from "./support/ServerProcess.js"

const token = "crash-test-token"
const clients = 4
const perClient = 5_000
const chunkSize = 500

describe("crash recovery", () => {
  let emulator: RunningEmulator | undefined
  let server: ServerProcess | undefined

  afterAll(async () => {
    server?.kill("SIGKILL")
    await emulator?.stop()
  })

  it("delivers every acknowledged record exactly once across a SIGKILL mid-delivery", {
    timeout: 120_000
  }, async () => {
    emulator = await startEmulator({ demo: true, faults: { latencyMs: 40 } })
    const dir = temporaryDirectory()
    const env = {
      ...emulatorEnv(emulator, dir),
      UPLINK_SERVER_TOKEN: token,
      UPLINK_DB: NodePath.join(dir, "outbox.db"),
      UPLINK_FLUSH_MS: "100",
      UPLINK_LEASE_MS: "1500",
      UPLINK_RETRY_BASE_MS: "100",
      UPLINK_RETRY_MAX_MS: "1000"
    }
    server = await spawnServer(env)
    let currentUrl = server.url

    const records = Array.from({ length: clients * perClient }, (_, index) =>
      conversion(`crash-${index}`, { id: `crash-${index}` })
    )
    const acknowledged = new Map<string, Acknowledged>()
    const client = async (clientIndex: number) => {
      for (let start = 0; start < perClient; start += chunkSize) {
        const offset = clientIndex * perClient + start
        const answer = await postUntilAcknowledged(() => currentUrl, token, records.slice(offset, offset + chunkSize))
        for (const record of answer) acknowledged.set(record.id, record)
      }
    }
    const posting = Promise.all(Array.from({ length: clients }, (_, index) => client(index)))

    // Kill the server once the emulator has some, but not all, of the records.
    const seenBeforeKill = await waitFor("delivery to start", () => {
      const accepted = emulator!.state().accepted.length
      return accepted >= 3_000 ? accepted : undefined
    })
    expect(seenBeforeKill).toBeLessThan(records.length)
    server.kill("SIGKILL")
    expect(await server.exited).toEqual({ code: null, signal: "SIGKILL" })

    server = await spawnServer(env)
    currentUrl = server.url
    await posting
    expect(acknowledged.size).toBe(records.length)

    const final = await waitFor(
      "every record to be accepted",
      async () => {
        const counts = await statusCounts(currentUrl, token)
        return counts.accepted === records.length ? counts : undefined
      },
      90_000
    )
    expect(final).toMatchObject({ pending: 0, sending: 0, rejected: 0, duplicate: 0, failed: 0 })

    // Spot-check the record API too, while the client's keep-alive connection is fresh: the checks below keep this
    // process busy for seconds, and a request after them could pick a connection the server has closed meanwhile
    // ("other side closed").
    for (const index of [0, 7_777, records.length - 1]) {
      const response = await fetch(`${currentUrl}/v1/records/crash-${index}`, {
        headers: { authorization: `Bearer ${token}` }
      })
      expect(((await response.json()) as { status: string }).status).toBe("accepted")
    }

    const state = emulator.state()
    const expectedKeys = conversionKeys(records)
    const acceptedKeys = state.accepted.map((entry) => entry.key)
    expect(new Set(acceptedKeys).size).toBe(acceptedKeys.length)
    expect(new Set(acceptedKeys)).toEqual(expectedKeys)
    const received = Object.entries(state.receivedCounts)
    expect(received.length).toBe(records.length)
    for (const [key, count] of received) {
      expect(expectedKeys.has(key)).toBe(true)
      expect(count).toBeGreaterThanOrEqual(1)
    }

    const resent = received.filter(([, count]) => count > 1).length
    console.log(
      `crash test: ${seenBeforeKill} accepted before the kill, ${resent} keys received more than once, ` +
        `${state.requests} requests`
    )
  })
})
