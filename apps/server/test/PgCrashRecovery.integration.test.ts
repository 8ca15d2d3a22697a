/**
 * Several instances, nothing lost: two built servers share one PostgreSQL outbox and take 10,000 records from four
 * concurrent clients (two per instance) while they deliver them to the emulator. One instance is killed with SIGKILL
 * while it holds a batch, and started again. Clients retry requests that got no answer with the same ids. In the end
 * the emulator has accepted every acknowledged record exactly once (its receive counts may show resends of the batch
 * the killed instance held, which the other instance reclaimed after UPLINK_LEASE_MS), nothing else, and every
 * record's final status reads `accepted` from either instance.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import type { RunningEmulator } from "@uplink/emulator"
import { emulatorEnv, startEmulator, waitFor } from "@uplink/emulator/testing"
import { type Acknowledged, postUntilAcknowledged, statusCounts } from "./support/client.js"
import { conversionKeys } from "./support/conversionKeys.js"
import { temporaryDirectory } from "./support/files.js"
import { freshDatabase } from "./support/postgres.js"
import { conversion } from "./support/records.js"
import { type ServerProcess, spawnServer } from "./support/ServerProcess.js"

const token = "pg-crash-test-token"
const clients = 4
const perClient = 2_500
const chunkSize = 500

/** A gauge of `/metrics` (the first line of `name`), or undefined when the instance does not answer. */
const gauge = async (url: string, name: string): Promise<number | undefined> => {
  try {
    const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })
    const line = (await response.text()).split("\n").find((candidate) => candidate.startsWith(name))
    return line === undefined ? undefined : Number(line.split(" ").pop())
  } catch {
    return undefined
  }
}

/** The status of each id as one instance reports it, 16 requests at a time. */
const statuses = async (url: string, ids: ReadonlyArray<string>): Promise<Map<string, string>> => {
  const found = new Map<string, string>()
  let next = 0
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!
      const response = await fetch(`${url}/v1/records/${id}`, { headers: { authorization: `Bearer ${token}` } })
      found.set(id, ((await response.json()) as { status: string }).status)
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker))
  return found
}

describe("crash recovery with two instances on PostgreSQL", () => {
  let emulator: RunningEmulator | undefined
  const servers: Array<ServerProcess> = []

  afterAll(async () => {
    for (const server of servers) server.kill("SIGKILL")
    await emulator?.stop()
  })

  it("delivers every acknowledged record exactly once across a SIGKILL of one instance mid-delivery", {
    timeout: 240_000
  }, async () => {
    emulator = await startEmulator({ demo: true, faults: { latencyMs: 40 } })
    const database = await freshDatabase("crash")
    const env = {
      ...emulatorEnv(emulator, temporaryDirectory()),
      UPLINK_SERVER_TOKEN: token,
      UPLINK_DB: database.url,
      UPLINK_FLUSH_MS: "100",
      UPLINK_LEASE_MS: "1500",
      UPLINK_RETRY_BASE_MS: "100",
      UPLINK_RETRY_MAX_MS: "1000"
    }
    const [first, second] = await Promise.all([spawnServer(env), spawnServer(env)])
    servers.push(first!, second!)
    const urls = [first!.url, second!.url]

    const records = Array.from({ length: clients * perClient }, (_, index) =>
      conversion(`pg-crash-${index}`, { id: `pg-crash-${index}` })
    )
    const acknowledged = new Map<string, Acknowledged>()
    const client = async (clientIndex: number) => {
      const instance = clientIndex % 2
      for (let offset = 0; offset < perClient; offset += chunkSize) {
        const from = clientIndex * perClient + offset
        const answer = await postUntilAcknowledged(
          () => urls[instance]!,
          token,
          records.slice(from, from + chunkSize),
          "/v1/conversions",
          Date.now() + 150_000
        )
        for (const record of answer) acknowledged.set(record.id, record)
      }
    }
    const posting = Promise.all(Array.from({ length: clients }, (_, index) => client(index)))

    // Kill the first instance while the emulator has some, but not all, records and the instance holds a batch.
    const seenBeforeKill = await waitFor(
      "the first instance to hold a batch mid-delivery",
      async () => {
        const accepted = emulator!.state().accepted.length
        if (accepted < 1_500) return undefined
        const held = await gauge(urls[0]!, "uplink_instance_leased_records")
        return held !== undefined && held > 0 ? accepted : undefined
      },
      90_000
    )
    expect(seenBeforeKill).toBeLessThan(records.length)
    first!.kill("SIGKILL")
    expect(await first!.exited).toEqual({ code: null, signal: "SIGKILL" })

    const restarted = await spawnServer(env)
    servers.push(restarted)
    urls[0] = restarted.url
    await posting
    expect(acknowledged.size).toBe(records.length)

    const final = await waitFor(
      "every record to be accepted",
      async () => {
        const counts = await statusCounts(urls[1]!, token)
        return counts.accepted === records.length ? counts : undefined
      },
      120_000
    )
    expect(final).toMatchObject({ pending: 0, sending: 0, rejected: 0, duplicate: 0, failed: 0 })
    expect(await statusCounts(urls[0]!, token)).toEqual(final)

    // Every record's final status, from either instance.
    const ids = records.map((record) => record.id as string)
    for (const url of urls) {
      const found = await statuses(url, ids)
      expect(found.size).toBe(ids.length)
      expect([...found.values()].every((status) => status === "accepted")).toBe(true)
    }

    const state = emulator.state()
    const expectedKeys = conversionKeys(records)
    const acceptedKeys = state.accepted.map((entry) => entry.key)
    expect(new Set(acceptedKeys).size).toBe(acceptedKeys.length)
    expect(new Set(acceptedKeys)).toEqual(expectedKeys)
    const received = Object.entries(state.receivedCounts)
    expect(received.length).toBe(records.length)
    for (const [key] of received) expect(expectedKeys.has(key)).toBe(true)
    for (const server of servers) expect(server.output().join("\n")).not.toContain(database.password)

    const resent = received.filter(([, count]) => count > 1).length
    console.log(
      `pg crash test: ${seenBeforeKill} accepted before the kill, ${resent} keys received more than once, ` +
        `${state.requests} requests`
    )
  })
})
