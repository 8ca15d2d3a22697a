/**
 * The format of the results file (the root README, "The CLI"): CSV with the header
 * `line,status,code,error_code,message,microsoft_click_id,conversion_name,conversion_time` and one row per input
 * record, in outcome order. Fields are quoted when they hold a comma, a quote, a line break or edge white space
 * (quotes doubled, RFC 4180). Rows carry only what outcomes carry, so never a raw email or phone number.
 *
 * Safety: a text cell that begins with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with `'` (OWASP's advice
 * against spreadsheet formula injection: such a cell would run as a formula), whichever column it is in; numbers
 * (`line`, `code`) are written as numbers.
 */
import * as Chunk from "effect/Chunk"
import * as Stream from "effect/Stream"
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

/** Whether a spreadsheet would read a cell that begins with this character as a formula (OWASP: = + - @ tab CR). */
const startsFormula = (text: string): boolean => {
  const first = text.charCodeAt(0)
  // = + - @ tab CR
  return first === 61 || first === 43 || first === 45 || first === 64 || first === 9 || first === 13
}

/** A text cell as a spreadsheet must show it: prefixed with `'` when it would otherwise start a formula. */
export const neutralise = (text: string): string => (startsFormula(text) ? `'${text}` : text)

/**
 * One CSV field: a number as it is, text neutralised against formula injection (`neutralise`) and quoted when
 * needed.
 */
export const field = (value: string | number | null | undefined): string => {
  if (value === null || value === undefined) return ""
  const text = typeof value === "number" ? String(value) : neutralise(value)
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
