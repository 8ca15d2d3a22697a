/**
 * The REST transport's reusable body buffers: a buffer comes back only when given back, at most `max` are kept, and
 * a reused buffer's view holds exactly the latest body.
 */
import { describe, expect, it } from "@effect/vitest"
import { encodeRestRequestInto } from "@uplink/campaign-management"
import { DateTime, Either } from "effect"
import { BodyBufferPool } from "../src/internal/BodyBufferPool.js"

const request = (names: ReadonlyArray<string>) => ({
  OfflineConversions: names.map((name) => ({
    ConversionName: name,
    ConversionTime: DateTime.unsafeMake("2026-08-01T17:02:35Z"),
    MicrosoftClickId: "f894f652ea334e739002f7167ab8f8e3"
  }))
})

describe("BodyBufferPool", () => {
  it("hands out a new buffer until one is given back, then reuses it", () => {
    const pool = new BodyBufferPool(1)
    const first = pool.take()
    expect(pool.take()).not.toBe(first)
    pool.give(first)
    expect(pool.size).toBe(1)
    expect(pool.take()).toBe(first)
    expect(pool.size).toBe(0)
  })

  it("keeps at most max buffers", () => {
    const pool = new BodyBufferPool(2)
    for (const buffer of [pool.take(), pool.take(), pool.take()]) pool.give(buffer)
    expect(pool.size).toBe(2)
  })

  it("a reused buffer's body is exactly the latest request, even after a longer one", () => {
    const pool = new BodyBufferPool()
    const buffer = pool.take()
    const long = Either.getOrThrow(
      encodeRestRequestInto("ApplyOfflineConversions", request(["a".repeat(500), "b"]), buffer)
    )
    expect(JSON.parse(new TextDecoder().decode(long)).OfflineConversions).toHaveLength(2)
    pool.give(buffer)
    const short = Either.getOrThrow(
      encodeRestRequestInto("ApplyOfflineConversions", request(["Purchase"]), pool.take())
    )
    expect(JSON.parse(new TextDecoder().decode(short))).toEqual({
      OfflineConversions: [
        {
          ConversionName: "Purchase",
          ConversionTime: "2026-08-01T17:02:35Z",
          MicrosoftClickId: "f894f652ea334e739002f7167ab8f8e3"
        }
      ]
    })
  })
})
