/**
 * One record given as a JSON value, read and checked exactly as a line of a JSON Lines file is (`readers/jsonl.ts`,
 * then `validate.ts`): API field names matched loosely, an optional `id`, unknown keys collected, the 56xx rules,
 * raw `Email` / `Phone` normalised and hashed. This is the rule the server's intake applies to each posted record,
 * so a record the server refuses is one `uplink apply` would refuse with the same code and message. `parseJsonInput`
 * is the JSON text rule of the same readers (`readers/jsonText.ts`): a repeated key keeps its first value, an integer
 * beyond 2^53 keeps its text.
 */
import type { Mode } from "./columns.js"
import type { Outcome } from "./outcome.js"
import type { PreparedAdjustment, PreparedConversion } from "./Prepared.js"
import * as JsonLines from "./readers/jsonl.js"
import type { ReaderItem, SourceRecord } from "./readers/item.js"
import * as JsonText from "./readers/jsonText.js"
import { prepareAdjustment, prepareConversion } from "./validate.js"
import type { ValidationContext } from "./validation/context.js"

/** JSON text read as Uplink's JSON inputs are; throws on invalid JSON, as `JSON.parse` does. */
export const parseJsonInput = (text: string): JsonText.ParsedJson => JsonText.parse(text)

/** What a record given as a JSON value turned out to be. */
export type JsonRecordCheck =
  /** Not a record at all (not a JSON object); `reason` says why, never echoing the value. */
  | { readonly _tag: "Malformed"; readonly reason: string; readonly unknownFields: ReadonlyArray<string> }
  /**
   * A record, checked: the prepared item, or the `Invalid` outcome of its first failing rule. `id` is the record's
   * own `id`, when it has one; `record` is the record as read (raw values included: for reports such as `Hygiene`
   * that look at it at once, never to keep).
   */
  | {
      readonly _tag: "Checked"
      readonly id: string | undefined
      readonly record: SourceRecord
      readonly result: PreparedConversion | PreparedAdjustment | Outcome
      readonly unknownFields: ReadonlyArray<string>
    }

/** Reads `value` as one JSON Lines record of a run of `mode` and checks it (see the module comment). */
export const checkJsonRecord = (value: unknown, mode: Mode, context: ValidationContext): JsonRecordCheck => {
  const found: Array<ReaderItem> = []
  const reader = JsonLines.make({ mode })
  reader.push(Buffer.from(JSON.stringify(value) ?? "null", "utf8"), found)
  reader.end(found)
  let record: SourceRecord | undefined
  let malformed: string | undefined
  const unknownFields: Array<string> = []
  for (const entry of found) {
    if (entry._tag === "Record") record = entry.record
    else if (entry._tag === "Malformed") malformed ??= entry.reason
    else if (entry._tag === "Warning" && entry.warning._tag === "UnknownColumns")
      unknownFields.push(...entry.warning.columns)
  }
  if (record === undefined) {
    return { _tag: "Malformed", reason: malformed ?? "a record must be a JSON object", unknownFields }
  }
  const result = mode === "apply" ? prepareConversion(record, context) : prepareAdjustment(record, context)
  return { _tag: "Checked", id: record.id, record, result, unknownFields }
}
