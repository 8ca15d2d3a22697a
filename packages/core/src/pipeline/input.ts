/**
 * Reading a run's input: a file (one `FileHandle.read` per 64 KiB chunk, parsed in the same step: no stream stage per
 * chunk), a byte stream, or records already parsed, handed on chunk by chunk until the end or until the run's `stop`
 * signal aborts (then what a reader still holds is a record cut by a chunk boundary, never parsed). Also the input's
 * size, from which the dedupe table is sized for a whole file at once.
 */
import { statSync } from "node:fs"
import * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { Mode } from "./columns.js"
import * as FileChunks from "../internal/fileChunks.js"
import { type PipelineInput, PipelineError, type PipelineOptions } from "./PipelineOptions.js"
import { makeReader } from "./readers/format.js"
import { type ReaderItem, RecordItem } from "./readers/item.js"

/** What a failure to open or read the file at `path` becomes. */
export const unreadableFile =
  (path: string) =>
  (cause: unknown): PipelineError =>
    new PipelineError({
      reason: "UnreadableInput",
      message: `cannot read ${path === "-" ? "standard input" : path}: ${(cause as Error)?.message ?? String(cause)}`
    })

const unreadable = (reason: string) =>
  new PipelineError({ reason: "UnreadableInput", message: `unreadable input: ${reason}` })

/** The bytes of the file at `path` (`-` is standard input), read in 64 KiB chunks (about one batch of records each). */
export const fileBytes = (path: string): Stream.Stream<Uint8Array, PipelineError> =>
  FileChunks.stream(path, unreadableFile(path))

/**
 * Steps 1–5 over the input, as the producer of the delivery pool: records read (or given) chunk by chunk and handed,
 * in the same step, to `onItems`, which prepares them and emits their units. Read records never wait in a stream
 * buffer, and reading a file costs no stream stage at all (`FileChunks.forEach`).
 */
export const readInput = <E, R, E2>(
  input: PipelineInput<E, R>,
  mode: Mode,
  options: PipelineOptions,
  size: InputSize,
  onItems: (items: Array<ReaderItem>) => Effect.Effect<void, E2>
): Effect.Effect<void, E | E2 | PipelineError, R> => {
  const stop = options.stop
  if (typeof input === "object" && input !== null && "records" in input) {
    // A stream input ends when `stop` aborts, even while it waits for its next chunk (a queue, standard input).
    const records = FileChunks.forEachUntilStopped(
      input.records,
      (chunk) => {
        const items: Array<ReaderItem> = []
        for (const record of chunk) items.push(new RecordItem(record))
        return onItems(items)
      },
      stop
    )
    return Effect.asVoid(records)
  }
  const reader = makeReader(options.format ?? "auto", { mode, maxRecordBytes: options.maxRecordBytes })
  /** Hands on what the reader found; an `Unreadable` item ends the run. */
  const take = (items: Array<ReaderItem>): Effect.Effect<void, E2 | PipelineError> => {
    const unreadableItem = items.find((item) => item._tag === "Unreadable")
    return unreadableItem === undefined ? onItems(items) : Effect.fail(unreadable(unreadableItem.reason))
  }
  const onBytesRead = options.onBytesRead
  const onBytes = (pieces: Iterable<Uint8Array>): Effect.Effect<void, E2 | PipelineError> => {
    const items: Array<ReaderItem> = []
    for (const bytes of pieces) {
      size.read += bytes.byteLength
      reader.push(bytes, items)
    }
    onBytesRead?.(size.read)
    return take(items)
  }
  /** Reads the whole input, or until `stop`: true when the end of the input was reached. */
  const body: Effect.Effect<boolean, E | E2 | PipelineError, R> =
    typeof input === "string"
      ? FileChunks.forEach(input, unreadableFile(input), (bytes) => onBytes([bytes]), stop)
      : FileChunks.forEachUntilStopped(input, onBytes, stop)
  return Effect.flatMap(body, (reachedEnd) => {
    // Stopped before the end: what the reader still holds is a record cut by a chunk boundary, not a record. (A file
    // whose every byte was read has reached its end, even if the stop came before the read that would have said so.)
    if (!reachedEnd && (size.total === undefined || size.read < size.total)) return Effect.void
    const items: Array<ReaderItem> = []
    reader.end(items)
    return take(items)
  })
}

/** How big the input is (a file's size, when known) and how much of it has been read, to size the dedupe table. */
export interface InputSize {
  readonly total: number | undefined
  read: number
}

export const inputSize = <E, R>(input: PipelineInput<E, R>): InputSize => {
  if (typeof input !== "string" || input === "-") return { total: undefined, read: 0 }
  try {
    const stat = statSync(input)
    return { total: stat.isFile() ? stat.size : undefined, read: 0 }
  } catch {
    return { total: undefined, read: 0 }
  }
}

/** The most records the dedupe table is sized for in advance from a file's size (it still grows past that). */
export const MAX_RESERVED_RECORDS = 16_000_000
