import { createWriteStream } from "node:fs"
import { mkdtemp, rm, stat } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { fileBytes } from "../../src/pipeline/input.js"
import * as OfflineConversions from "../../src/pipeline/offlineConversions.js"
import { NOW, atNow, clickId, makeFakeSender } from "./support.js"

setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void

/** Retained memory after a full collection: the JS heap, and array buffers (the dedupe table lives in one). */
const retained = () => {
  gc()
  const usage = process.memoryUsage()
  return { heap: usage.heapUsed, total: usage.heapUsed + usage.arrayBuffers }
}

const LINES = Number(process.env.UPLINK_STREAM_LINES ?? 1_000_000)
const MiB = 1024 * 1024

/** Writes a CSV of `LINES` valid, distinct records (about 117 bytes each) to `path`. */
const writeLargeCsv = (path: string) =>
  Effect.async<void, Error>((resume) => {
    const out = createWriteStream(path)
    out.on("error", (error) => resume(Effect.fail(error)))
    out.write(
      "Microsoft Click Id,Conversion Name,Conversion Time,Conversion Value,Conversion Currency Code," +
        "External Attribution Credit,External Attribution Model\r\n"
    )
    let i = 0
    const writeBlock = () => {
      while (i < LINES) {
        const block: Array<string> = []
        for (const end = Math.min(i + 10_000, LINES); i < end; i++) {
          const time = new Date(NOW - 60_000 - (i % 5_000_000) * 1000).toISOString()
          block.push(
            `${clickId(i + 1)},Offline purchase (store #${i % 997}),${time},${i % 500}.25,USD,0.5,Linear model\r\n`
          )
        }
        if (!out.write(block.join(""))) return out.once("drain", writeBlock)
      }
      out.end(() => resume(Effect.void))
    }
    writeBlock()
  })

describe("streaming", () => {
  it.effect(
    "a 1,000,000-line file flows through with bounded memory, outcomes before the file is read",
    () =>
      Effect.gen(function* () {
        yield* atNow
        const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "uplink-stream-")))
        const path = join(dir, "large.csv")
        yield* writeLargeCsv(path)
        const size = (yield* Effect.promise(() => stat(path))).size
        expect(size).toBeGreaterThan(LINES * 100)

        const fake = makeFakeSender(undefined, { keepItems: false })
        let bytesRead = 0
        let bytesReadAtFirstOutcome = -1
        const baseline = retained()
        let peakHeap = 0
        let peakTotal = 0
        const input = fileBytes(path).pipe(Stream.tap((chunk) => Effect.sync(() => (bytesRead += chunk.length))))
        const counts = yield* OfflineConversions.apply(input).pipe(
          Stream.runFold({ outcomes: 0, accepted: 0 }, (acc, outcome) => {
            if (acc.outcomes === 0) bytesReadAtFirstOutcome = bytesRead
            if ((acc.outcomes + 1) % 100_000 === 0) {
              const now = retained()
              peakHeap = Math.max(peakHeap, now.heap - baseline.heap)
              peakTotal = Math.max(peakTotal, now.total - baseline.total)
            }
            return { outcomes: acc.outcomes + 1, accepted: acc.accepted + (outcome._tag === "Accepted" ? 1 : 0) }
          }),
          Effect.provide(fake.layer)
        )
        yield* Effect.promise(() => rm(dir, { recursive: true }))

        expect(counts).toEqual({ outcomes: LINES, accepted: LINES })
        expect(fake.calls).toHaveLength(LINES / 1000)
        expect(bytesRead).toBe(size)
        // Records flow: the first outcomes came out when only a small part of the file had been read.
        expect(bytesReadAtFirstOutcome).toBeGreaterThan(0)
        expect(bytesReadAtFirstOutcome).toBeLessThan(size / 20)
        // Bounded memory: no records pile up on the JS heap; what grows is the dedupe table (an array buffer of 16 bytes
        // a slot, 2^21 slots = 32 MiB for a million records) plus a few chunks in flight — far less than the file.
        console.log(
          `streaming: file ${(size / MiB).toFixed(0)} MiB, first outcome after ${(bytesReadAtFirstOutcome / MiB).toFixed(2)} MiB, ` +
            `peak retained growth: heap ${(peakHeap / MiB).toFixed(1)} MiB, heap + buffers ${(peakTotal / MiB).toFixed(1)} MiB`
        )
        expect(peakHeap).toBeLessThan(24 * MiB)
        expect(peakTotal).toBeLessThan(80 * MiB)
      }),
    120_000
  )
})
