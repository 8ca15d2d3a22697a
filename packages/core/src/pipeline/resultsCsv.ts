/**
 * The results file (DESIGN.md §5): CSV with the header
 * `line,status,code,error_code,message,microsoft_click_id,conversion_name,conversion_time` and one row per input
 * record, in outcome order. Fields are quoted when they hold a comma, a quote, a line break or edge white space
 * (quotes doubled, RFC 4180). Rows carry only what outcomes carry, so never a raw email or phone number.
 */
import { open } from "node:fs/promises"
import { Chunk, Data, Effect, Stream } from "effect"
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
 * Passes `outcomes` through unchanged while writing the results file at `path` (created or truncated): the header
 * when the stream starts, the rows of each chunk as it goes by, closed when the stream ends.
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
        const append = (text: string) =>
          Effect.tryPromise({ try: () => handle.writeFile(text), catch: writeError(path) })
        yield* append(header)
        return Stream.mapChunksEffect(outcomes, (chunk) =>
          Chunk.isEmpty(chunk) ? Effect.succeed(chunk) : Effect.as(append(Chunk.join(Chunk.map(chunk, row), "")), chunk)
        )
      })
    )

/** Runs `outcomes`, writing the results file at `path`. */
export const writeAll = <E, R>(
  outcomes: Stream.Stream<Outcome, E, R>,
  path: string
): Effect.Effect<void, E | ResultsWriteError, R> => Stream.runDrain(write(path)(outcomes))
