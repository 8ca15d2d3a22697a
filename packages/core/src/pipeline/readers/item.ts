/**
 * What a reader produces: for every input record either its field values or the reason it could not be read, always
 * with the 1-based line where the record starts; plus warnings about the input as a whole. A reader is a push parser
 * (`push` bytes, then `end`) so it can be driven chunk by chunk with constant memory; `readWith` turns one into a
 * Stream stage.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { emptied } from "../../internal/emptied.js"
import type { FieldValues } from "../columns.js"
import type { Warning } from "../warning.js"

/** One input record with its field values. `id` is a caller-given identifier (JSON Lines `id`), echoed in outcomes. */
export interface SourceRecord {
  readonly line: number
  readonly values: FieldValues
  readonly id?: string | undefined
  /** From a Microsoft Bulk file: its `M/D/YYYY h:mm:ss AM/PM` times are accepted (as UTC). */
  readonly bulk?: boolean | undefined
}

/** Something a reader found. */
export type ReaderItem =
  | { readonly _tag: "Record"; readonly record: SourceRecord }
  | {
      readonly _tag: "Malformed"
      readonly line: number
      readonly reason: string
      /** A symbolic code for the outcome (default `MalformedRecord`). */
      readonly errorCode?: string | undefined
    }
  | { readonly _tag: "Warning"; readonly warning: Warning }
  | { readonly _tag: "Unreadable"; readonly reason: string }

/*
 * Records and their items are made by constructors rather than object literals. V8 watches every object literal in
 * the code, and when most of the objects one makes survive a young-generation collection it makes all later ones
 * directly in the old generation ("allocation-site pretenuring"). All records of a chunk are alive while the chunk is
 * prepared, so early in a run, while young collections are frequent, the record literals were tenured for good: every
 * record after that was born in the old generation and died there, and kept the strings it pointed to alive through
 * young collections too. The old generation, and peak memory, grew with the size of the input. Objects made by
 * constructors are not tracked that way (the measurements: the package README, "Performance notes").
 */

/** A record as the readers make it (see above). */
export class ReadRecord implements SourceRecord {
  constructor(
    readonly line: number,
    readonly values: FieldValues,
    readonly id: string | undefined,
    readonly bulk: boolean | undefined
  ) {}
}

/** The `Record` item of a reader (see above). */
export class RecordItem {
  readonly _tag = "Record" as const
  constructor(readonly record: SourceRecord) {}
}

class FieldValueSet {}

/** A new, empty object for the field values of one record (made by a constructor: see above). */
export const emptyFieldValues = (): Record<string, unknown> => new FieldValueSet() as Record<string, unknown>

/** A push parser over bytes. `push` and `end` append what they found to `out`. */
export interface RecordReader {
  push(bytes: Uint8Array, out: Array<ReaderItem>): void
  end(out: Array<ReaderItem>): void
}

/**
 * Runs a fresh reader from `make` over `bytes` and hands what it finds for each chunk of bytes straight to `process`,
 * in the same step: the items of a chunk are never a stream element of their own, so they die young instead of
 * waiting in the stream's buffers. The array `process` receives is emptied when it is done: `process` must not keep
 * it. An `Unreadable` item ends the stream with `onUnreadable`.
 */
export const readThrough = <E, R, E2, B, E3, R3>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  make: () => RecordReader,
  onUnreadable: (reason: string) => E2,
  process: (items: ReadonlyArray<ReaderItem>) => Effect.Effect<Chunk.Chunk<B>, E3, R3>
): Stream.Stream<B, E | E2 | E3, R | R3> =>
  Stream.suspend(() => {
    const reader = make()
    const check = (out: Array<ReaderItem>): Effect.Effect<Chunk.Chunk<B>, E2 | E3, R3> => {
      const unreadable = out.find((item) => item._tag === "Unreadable")
      if (unreadable !== undefined) return Effect.fail(onUnreadable(unreadable.reason))
      // Emptied once processed (internal/emptied.ts).
      return Effect.ensuring(
        process(out),
        Effect.sync(() => emptied(out))
      )
    }
    const body = Stream.mapChunksEffect(bytes, (chunk) => {
      const out: Array<ReaderItem> = []
      for (const bytes of chunk) reader.push(bytes, out)
      return check(out)
    })
    const tail = Stream.suspend(() => {
      const out: Array<ReaderItem> = []
      reader.end(out)
      return Stream.flattenChunks(Stream.fromEffect(check(out)))
    })
    return Stream.concat(body, tail)
  })

/** Runs a fresh reader from `make` over `bytes`. An `Unreadable` item ends the stream with `onUnreadable`. */
export const readWith = <E, R, E2>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  make: () => RecordReader,
  onUnreadable: (reason: string) => E2
): Stream.Stream<ReaderItem, E | E2, R> =>
  readThrough(bytes, make, onUnreadable, (items) => Effect.succeed(Chunk.unsafeFromArray(items.slice())))
