/**
 * The Promise client on a large stream (a volume run of the integration gate): 100,000 records from an async iterable
 * delivered to the emulator, with the client reading only a bounded way ahead of the outcomes it has given back.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { clickId, HOUR } from "@uplink/emulator/testing"
import * as NodePath from "node:path"
import { createClient } from "../../src/client/index.js"
import { ACCESS_TOKEN, DEVELOPER_TOKEN, type Fixture, startFixture } from "../support/Loopback.js"

describe("the Promise client on a large stream", () => {
  let fixture: Fixture
  beforeAll(async () => {
    fixture = await startFixture()
  })
  afterAll(async () => {
    await fixture?.stop()
  })

  it("delivers 100,000 records from an async iterable, reading only a bounded way ahead of its outcomes", async () => {
    await using client = createClient({
      developerToken: DEVELOPER_TOKEN,
      customerId: "1000001",
      accountId: 2000002,
      auth: { accessToken: ACCESS_TOKEN },
      endpoint: fixture.emulator.url,
      tokenFile: NodePath.join(fixture.tempDir, "tokens.json")
    })
    const total = 100_000
    const time = new Date(Date.now() - HOUR).toISOString()
    let produced = 0
    async function* records() {
      for (; produced < total; ) {
        produced++
        yield {
          MicrosoftClickId: clickId(produced),
          ConversionName: "Offline Purchase",
          ConversionTime: time
        }
      }
    }
    let consumed = 0
    let accepted = 0
    let furthestAhead = 0
    for await (const outcome of client.streamOfflineConversions(records())) {
      consumed++
      if (outcome.status === "accepted") accepted++
      furthestAhead = Math.max(furthestAhead, produced - consumed)
    }
    expect(consumed).toBe(total)
    expect(accepted).toBe(total)
    expect(fixture.emulator.state().accepted).toHaveLength(total)
    // Bounded: the pipeline keeps a few batches in flight and one chunk being read, never the whole input.
    expect(furthestAhead).toBeLessThan(20_000)
  }, 300_000)
})
