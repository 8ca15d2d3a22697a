/**
 * `FileChunks`, how an input file is read: every byte once, in order, in chunks of at most 64 KiB, the same through
 * `forEach` and `stream`; a file that cannot be opened fails with the caller's error; the file handle is closed
 * however the reading ends (to the end, a failure of the callback, a stream left early).
 */
import { readdirSync } from "node:fs"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import * as FileChunks from "../../src/internal/fileChunks.js"

/** A file of `size` bytes with a pattern that shows any byte out of place; removed when the scope closes. */
const tempFile = (size: number) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const dir = await mkdtemp(join(tmpdir(), "uplink-chunks-"))
      const content = Buffer.alloc(size)
      for (let i = 0; i < size; i++) content[i] = (i * 31 + (i >> 8)) & 0xff
      const path = join(dir, "input.bin")
      await writeFile(path, content)
      return { dir, path, content }
    }),
    ({ dir }) => Effect.promise(() => rm(dir, { recursive: true }))
  )

/** The descriptors this process has open (Linux). */
const openDescriptors = () => readdirSync("/proc/self/fd").length

const failure = (cause: unknown) => ({ _tag: "Unreadable" as const, message: (cause as Error).message })

describe("FileChunks", () => {
  it.scoped("forEach reads every byte once, in order, in chunks of at most 64 KiB, and closes the file", () =>
    Effect.gen(function* () {
      const { path, content } = yield* tempFile(3 * FileChunks.CHUNK_BYTES + 12_345)
      const before = openDescriptors()
      const chunks: Array<Uint8Array> = []
      yield* FileChunks.forEach(path, failure, (bytes) => Effect.sync(() => chunks.push(bytes)))
      expect(chunks.map((chunk) => chunk.byteLength)).toEqual([65_536, 65_536, 65_536, 12_345])
      expect(Buffer.concat(chunks).equals(content)).toBe(true)
      expect(openDescriptors()).toBe(before)
    })
  )

  it.scoped("stream gives the same chunks, and an empty file gives none", () =>
    Effect.gen(function* () {
      const { path, content } = yield* tempFile(2 * FileChunks.CHUNK_BYTES + 1)
      const chunks = Chunk.toReadonlyArray(yield* Stream.runCollect(FileChunks.stream(path, failure)))
      expect(chunks.map((chunk) => chunk.byteLength)).toEqual([65_536, 65_536, 1])
      expect(Buffer.concat(chunks).equals(content)).toBe(true)
      const empty = yield* tempFile(0)
      expect(Chunk.size(yield* Stream.runCollect(FileChunks.stream(empty.path, failure)))).toBe(0)
      let calls = 0
      yield* FileChunks.forEach(empty.path, failure, () => Effect.sync(() => calls++))
      expect(calls).toBe(0)
    })
  )

  it.scoped("a file that cannot be opened fails with the caller's error", () =>
    Effect.gen(function* () {
      const { dir } = yield* tempFile(1)
      const missing = join(dir, "missing.csv")
      const viaForEach = yield* Effect.flip(FileChunks.forEach(missing, failure, () => Effect.void))
      expect(viaForEach._tag).toBe("Unreadable")
      expect(viaForEach.message).toContain("ENOENT")
      const viaStream = yield* Effect.flip(Stream.runDrain(FileChunks.stream(dir, failure)))
      expect(viaStream._tag).toBe("Unreadable")
      expect(viaStream.message).toContain("EISDIR")
    })
  )

  it.scoped("the file is closed when the callback fails or the stream is left early", () =>
    Effect.gen(function* () {
      const { path } = yield* tempFile(4 * FileChunks.CHUNK_BYTES)
      const before = openDescriptors()
      let seen = 0
      const stopped = yield* Effect.flip(
        FileChunks.forEach(path, failure, () => (++seen === 2 ? Effect.fail("stop" as const) : Effect.void))
      )
      expect([stopped, seen]).toEqual(["stop", 2])
      expect(openDescriptors()).toBe(before)
      const first = yield* Stream.runCollect(Stream.take(FileChunks.stream(path, failure), 1))
      expect(Chunk.size(first)).toBe(1)
      expect(openDescriptors()).toBe(before)
    })
  )
})
