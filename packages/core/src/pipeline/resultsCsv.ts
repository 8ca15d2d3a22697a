/**
 * Writing the results file (its format: `resultsRows.ts`). The file is opened only when the first outcome comes (so
 * after the input has been opened and read: an unreadable input leaves no empty results file behind), and
 * `checkTarget` refuses a path that is the input itself (same file by path, symbolic or hard link) before anything
 * is written.
 */
import { accessSync, closeSync, constants, openSync, realpathSync, statSync, writeFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { Outcome } from "./outcome.js"
import { header, row } from "./resultsRows.js"

/**
 * The results file could not be written: `SameAsInput` (the path is the input file, refused before anything is
 * written), `NotWritable` (refused before anything is written: a folder, no permission, no such folder) or
 * `WriteFailed` (opening or writing failed during the run, e.g. a full disk).
 */
export class ResultsWriteError extends Data.TaggedError("ResultsWriteError")<{
  readonly path: string
  readonly message: string
  readonly reason?: "SameAsInput" | "NotWritable" | "WriteFailed" | undefined
}> {
  get isRetryable(): boolean {
    return false
  }
}

const writeError = (path: string) => (cause: unknown) =>
  new ResultsWriteError({
    path,
    reason: "WriteFailed",
    message: `cannot write the results file ${path}: ${(cause as Error)?.message ?? cause}`
  })

const errnoOf = (cause: unknown): string | undefined =>
  typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined

/**
 * Checks, without creating or changing anything, that the results file can be written at `path` for a run that reads
 * `input` (a path; `-` is standard input): refuses the input file itself — the same path, a symbolic link to it or a
 * hard link of it (same device and inode) — a folder, and a file or folder the user may not write to.
 */
export const checkTarget = (path: string, input: string): Effect.Effect<void, ResultsWriteError> =>
  Effect.suspend(() => {
    const refuse = (reason: "SameAsInput" | "NotWritable", message: string) =>
      Effect.fail(new ResultsWriteError({ path, reason, message }))
    let target: ReturnType<typeof statSync> | undefined
    try {
      target = statSync(path)
    } catch (cause) {
      if (errnoOf(cause) !== "ENOENT") {
        return refuse("NotWritable", `cannot write the results file ${path}: ${(cause as Error).message}`)
      }
    }
    if (target === undefined) {
      const folder = dirname(resolve(path))
      try {
        if (!statSync(folder).isDirectory()) throw new Error(`${folder} is not a folder`)
        accessSync(folder, constants.W_OK)
      } catch (cause) {
        return refuse("NotWritable", `cannot create the results file ${path}: ${(cause as Error).message}`)
      }
      return Effect.void
    }
    if (input !== "-") {
      let same = false
      try {
        const source = statSync(input)
        same = (source.dev === target.dev && source.ino === target.ino) || realpathSync(input) === realpathSync(path)
      } catch {
        // An input that cannot be read is the reader's to report.
      }
      if (same) {
        return refuse(
          "SameAsInput",
          `the results file ${path} is the input file ${input}: writing results there would destroy the input`
        )
      }
    }
    if (target.isDirectory()) return refuse("NotWritable", `the results file ${path} is a folder`)
    try {
      accessSync(path, constants.W_OK)
    } catch (cause) {
      return refuse("NotWritable", `cannot write the results file ${path}: ${(cause as Error).message}`)
    }
    return Effect.void
  })

/** How `write` treats a failed write. */
export interface WriteOptions {
  /**
   * When given, a failed open or write does not end the stream: nothing more is written, `onError` is called once
   * with the error, and the outcomes go on through (so a caller can stop the run and still count what was sent).
   */
  readonly onError?: ((error: ResultsWriteError) => void) | undefined
}

/**
 * Passes `outcomes` through unchanged while writing the results file at `path` (created or truncated when the first
 * outcome comes, or at the end when none came): the header and the rows of the first chunk as it goes by, then the
 * rows of each chunk, the header alone if no outcome came; closed when the stream ends. If the stream fails before
 * any outcome (an unreadable input), the file is not touched. A failed open or write ends the stream with
 * `ResultsWriteError` at once, unless `options.onError` is given (see `WriteOptions`).
 *
 * Each chunk's rows are written synchronously in a plain `Stream.mapChunks` stage rather than by an effect per chunk:
 * the effects that carried a chunk would outlive young collections and, through their stale pointers, keep every
 * outcome of the run alive (internal/emptied.ts). A write error is thrown as a `ResultsWriteError` and turned back into
 * the stream's failure.
 */
export const write =
  (path: string, options: WriteOptions = {}) =>
  <E, R>(outcomes: Stream.Stream<Outcome, E, R>): Stream.Stream<Outcome, E | ResultsWriteError, R> =>
    Stream.unwrapScoped(
      Effect.gen(function* () {
        let fd: number | undefined
        let failed = false
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => {
            if (fd !== undefined) closeSync(fd)
            fd = undefined
          })
        )
        let pending = header
        /** Writes `text` after what is pending (the header, before the first rows); the error when that failed. */
        const append = (text: string): ResultsWriteError | undefined => {
          if (failed) return undefined
          try {
            fd ??= openSync(path, "w")
            writeFileSync(fd, pending + text)
          } catch (cause) {
            const error = writeError(path)(cause)
            if (options.onError === undefined) return error
            failed = true
            options.onError(error)
            return undefined
          }
          pending = ""
          return undefined
        }
        const rows = Stream.mapChunks(outcomes, (chunk) => {
          const failure = Chunk.isEmpty(chunk) || failed ? undefined : append(Chunk.join(Chunk.map(chunk, row), ""))
          if (failure !== undefined) throw failure
          return chunk
        })
        const headerOnly = Stream.fromEffect(
          Effect.suspend(() => {
            const failure = pending === "" ? undefined : append("")
            return failure === undefined ? Effect.void : Effect.fail(failure)
          })
        )
        return Stream.concat(rows, Stream.drain(headerOnly)).pipe(
          Stream.catchSomeCause((cause) => {
            const defect = Cause.dieOption(cause)
            return Option.isSome(defect) && defect.value instanceof ResultsWriteError
              ? Option.some(Stream.fail(defect.value))
              : Option.none()
          })
        )
      })
    )
