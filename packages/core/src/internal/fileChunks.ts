/**
 * Reading an input file (or standard input, `-`) in chunks of 64 KiB — about one batch of records each. `forEach`
 * drives a callback over the chunks inside one effect: one file read per chunk, with no stream stage in between (a
 * stream stage costs tens of runtime operations per chunk). `stream` gives the same chunks as a stream, for callers
 * that want the bytes themselves.
 * A file is read through a `FileHandle`, which is closed however the reading ends. `forEach` takes the run's stop
 * signal: once it has aborted, no further chunk is read (standard input is interrupted even while it waits for data).
 */
import type { FileHandle } from "node:fs/promises"
import { open } from "node:fs/promises"
import * as NodeStream from "@effect/platform-node/NodeStream"
import type * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { isStopped, whenStopped } from "../pipeline/stop.js"

/** Bytes per read. */
export const CHUNK_BYTES = 64 * 1024

/** What a failure to open or read the input becomes. */
export type OnError<E> = (cause: unknown) => E

const openFile = <E>(path: string, onError: OnError<E>) =>
  Effect.acquireRelease(Effect.tryPromise({ try: () => open(path, "r"), catch: onError }), (handle) =>
    Effect.ignore(Effect.tryPromise(() => handle.close()))
  )

/** The next chunk of `handle`, or undefined at the end of the file. */
const readChunk = <E>(handle: FileHandle, onError: OnError<E>): Effect.Effect<Uint8Array | undefined, E> =>
  Effect.tryPromise({
    try: async () => {
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES)
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null)
      return bytesRead === 0 ? undefined : buffer.subarray(0, bytesRead)
    },
    catch: onError
  })

const stdin = <E>(onError: OnError<E>): Stream.Stream<Uint8Array, E> =>
  NodeStream.fromReadable<E, Uint8Array>(() => process.stdin, onError)

/**
 * Runs `onChunk` over the chunks of `stream` until it ends or `stop` aborts (even while it waits for its next chunk);
 * true when the stream ended by itself.
 */
export const forEachUntilStopped = <A, E, E2, R, R2>(
  stream: Stream.Stream<A, E, R>,
  onChunk: (chunk: Chunk.Chunk<A>) => Effect.Effect<void, E2, R2>,
  stop: AbortSignal | undefined
): Effect.Effect<boolean, E | E2, R | R2> =>
  Effect.suspend(() => {
    if (stop === undefined) return Effect.as(Stream.runForEachChunk(stream, onChunk), true)
    let ended = false
    const marked = Stream.concat(
      stream,
      Stream.execute(
        Effect.sync(() => {
          ended = true
        })
      )
    )
    return Effect.map(Stream.runForEachChunk(Stream.interruptWhen(marked, whenStopped(stop)), onChunk), () => ended)
  })

/**
 * Calls `onChunk` with every chunk of the file at `path` (`-`: standard input), in order, one at a time, until the end
 * of the input or until `stop` aborts (checked before each read; standard input is interrupted even while it waits for
 * data). True when the end of the input was reached, false when `stop` ended the reading first.
 */
export const forEach = <E, E2, R>(
  path: string,
  onError: OnError<E>,
  onChunk: (bytes: Uint8Array) => Effect.Effect<void, E2, R>,
  stop?: AbortSignal | undefined
): Effect.Effect<boolean, E | E2, R> => {
  if (path === "-") {
    return forEachUntilStopped(stdin(onError), (chunk) => Effect.forEach(chunk, onChunk, { discard: true }), stop)
  }
  return Effect.scoped(
    Effect.flatMap(openFile(path, onError), (handle) => {
      const loop: Effect.Effect<boolean, E | E2, R> = Effect.suspend(() =>
        isStopped(stop)
          ? Effect.succeed(false)
          : Effect.flatMap(readChunk(handle, onError), (bytes) =>
              bytes === undefined ? Effect.succeed(true) : Effect.zipRight(onChunk(bytes), loop)
            )
      )
      return loop
    })
  )
}

/** The chunks of the file at `path` (`-`: standard input) as a stream. */
export const stream = <E>(path: string, onError: OnError<E>): Stream.Stream<Uint8Array, E> => {
  if (path === "-") return stdin(onError)
  return Stream.unwrapScoped(
    Effect.map(openFile(path, onError), (handle) =>
      Stream.repeatEffectOption(
        Effect.flatMap(Effect.mapError(readChunk(handle, onError), Option.some), (bytes) =>
          bytes === undefined ? Effect.fail(Option.none()) : Effect.succeed(bytes)
        )
      )
    )
  )
}
