/**
 * The results file (DESIGN.md §5): CSV with the header
 * `line,status,code,error_code,message,microsoft_click_id,conversion_name,conversion_time` and one row per input
 * record, in outcome order. Fields are quoted when they hold a comma, a quote, a line break or edge white space
 * (quotes doubled, RFC 4180). Rows carry only what outcomes carry, so never a raw email or phone number.
 */
import { writeFileSync } from "node:fs"
import { open } from "node:fs/promises"
import { Cause, Chunk, Data, Effect, Option, Stream } from "effect"
import { type Outcome, describe, status } from "./outcome.js"

export const columns = [
  "line",
  "status",
  "code",
  "error_code",
  "message",
  "microsoft_click_id",
  "conversion_name",
  "conversion_time"
] as const

export const header = `${columns.join(",")}\n`

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/

/** One CSV field. */
export const field = (value: string | number | null | undefined): string => {
  if (value === null || value === undefined) return ""
  const text = String(value)
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** One row (with its line break) for `outcome`. */
export const row = (outcome: Outcome): string => {
  const { code, errorCode, message } = describe(outcome)
  const { identity } = outcome
  return (
    [
      field(outcome.line),
      status(outcome),
      field(code),
      field(errorCode),
      field(message),
      field(identity.microsoftClickId),
      field(identity.conversionName),
      field(identity.conversionTime)
    ].join(",") + "\n"
  )
}

/** The results file as text pieces: the header, then one row per outcome. */
export const encode = <E, R>(outcomes: Stream.Stream<Outcome, E, R>): Stream.Stream<string, E, R> =>
  Stream.concat(
    Stream.make(header),
    Stream.mapChunks(outcomes, (chunk) => Chunk.of(Chunk.join(Chunk.map(chunk, row), "")))
  )

/** The results file could not be written. */
export class ResultsWriteError extends Data.TaggedError("ResultsWriteError")<{
  readonly path: string
  readonly message: string
}> {
  get isRetryable(): boolean {
    return false
  }
}

const writeError = (path: string) => (cause: unknown) =>
  new ResultsWriteError({
    path,
    message: `cannot write the results file ${path}: ${(cause as Error)?.message ?? cause}`
  })

/**
 * Passes `outcomes` through unchanged while writing the results file at `path` (created or truncated): the header and
 * the rows of the first chunk as it goes by, then the rows of each chunk, the header alone if no outcome came; closed
 * when the stream ends. A failed write ends the stream with `ResultsWriteError` at once.
 *
 * Each chunk's rows are written synchronously in a plain `Stream.mapChunks` stage rather than by an effect per chunk:
 * the effects that carried a chunk outlived young collections and, through their stale pointers, kept every outcome
 * of the run alive (a 1M-record run with a results file peaked at ~410 MiB, ~230 MiB without the effects; see
 * "stale pointers" in README.md). A write error is thrown as a `ResultsWriteError` and turned back into the stream's
 * failure.
 */
export const write =
  (path: string) =>
  <E, R>(outcomes: Stream.Stream<Outcome, E, R>): Stream.Stream<Outcome, E | ResultsWriteError, R> =>
    Stream.unwrapScoped(
      Effect.gen(function* () {
        const handle = yield* Effect.acquireRelease(
          Effect.tryPromise({ try: () => open(path, "w"), catch: writeError(path) }),
          (file) => Effect.promise(() => file.close())
        )
        let pending = header
        /** Writes `text` after what is pending (the header, before the first rows); the error when that failed. */
        const append = (text: string): ResultsWriteError | undefined => {
          try {
            writeFileSync(handle.fd, pending + text)
          } catch (cause) {
            return writeError(path)(cause)
          }
          pending = ""
          return undefined
        }
        const rows = Stream.mapChunks(outcomes, (chunk) => {
          const failure = Chunk.isEmpty(chunk) ? undefined : append(Chunk.join(Chunk.map(chunk, row), ""))
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

/** Runs `outcomes`, writing the results file at `path`. */
export const writeAll = <E, R>(
  outcomes: Stream.Stream<Outcome, E, R>,
  path: string
): Effect.Effect<void, E | ResultsWriteError, R> => Stream.runDrain(write(path)(outcomes))
