/**
 * Intake of posted records: reads each one exactly like a JSON Lines record of `uplink apply` / `uplink adjust`
 * (@uplink/core's reader: API field names matched loosely, optional `id`) and checks it with core's validation (56xx
 * codes, raw `Email` / `Phone` normalised and hashed). A valid record becomes the encoded request item that the
 * outbox stores — hashed identifiers only, times in UTC — and an invalid one its index, field, code and message.
 * The server adds one rule of its own: a client `id` is an idempotency key of 1–200 printable characters.
 */
import { OfflineConversion } from "@uplink/campaign-management/operations/ApplyOfflineConversions"
import { OfflineConversionAdjustment } from "@uplink/campaign-management/operations/ApplyOfflineConversionAdjustments"
import { Readers, Validate } from "@uplink/core"
import { Schema } from "effect"
import type { RecordKind } from "./Outbox.js"

/** A record that passed, ready for the outbox. */
export interface PreparedRecord {
  readonly index: number
  /** The client's id, when it gave one. */
  readonly id: string | undefined
  /** The request item in its JSON (encoded) form. */
  readonly fields: object
}

/** A record refused at intake. */
export interface RefusedRecord {
  readonly index: number
  readonly field: string | null
  readonly code: number | null
  readonly message: string
}

/** What intake made of a request's records. */
export interface IntakeResult {
  readonly prepared: ReadonlyArray<PreparedRecord>
  readonly refused: ReadonlyArray<RefusedRecord>
  /** Keys that matched no field (names only, never values), for the log. */
  readonly unknownFields: ReadonlyArray<string>
}

const MAX_ID_LENGTH = 200
/** Whether `text` holds a control character (C0 or DEL). */
const hasControl = (text: string) => [...text].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)

const encodeConversion = Schema.encodeSync(OfflineConversion)
const encodeAdjustment = Schema.encodeSync(OfflineConversionAdjustment)

const idProblem = (raw: unknown): string | undefined => {
  if (raw === undefined || raw === null) return undefined
  if (typeof raw !== "string" && typeof raw !== "number") return "id must be text (or a number)."
  const id = String(raw)
  if (id.trim() === "") return "id must not be empty."
  if (id.length > MAX_ID_LENGTH) return `id must be at most ${MAX_ID_LENGTH} characters.`
  if (hasControl(id)) return "id must not contain control characters."
  return undefined
}

/** Checks `items` (the records of one request, in order) for `kind` at time `nowMs`. */
export const prepareRecords = (kind: RecordKind, items: ReadonlyArray<unknown>, nowMs: number): IntakeResult => {
  const prepared: Array<PreparedRecord> = []
  const refused: Array<RefusedRecord> = []
  const unknownFields = new Set<string>()
  const mode = kind === "conversion" ? "apply" : "adjust"
  const context = { nowMs, time: {} }

  items.forEach((item, index) => {
    const idError =
      typeof item === "object" && item !== null && !Array.isArray(item)
        ? idProblem((item as { id?: unknown }).id)
        : undefined
    if (idError !== undefined) {
      refused.push({ index, field: "id", code: null, message: idError })
      return
    }
    const found: Array<Readers.ReaderItem> = []
    const reader = Readers.JsonLines.make({ mode })
    reader.push(Buffer.from(JSON.stringify(item) ?? "null", "utf8"), found)
    reader.end(found)
    let record: Readers.SourceRecord | undefined
    for (const entry of found) {
      if (entry._tag === "Record") record = entry.record
      else if (entry._tag === "Malformed") refused.push({ index, field: null, code: null, message: entry.reason })
      else if (entry._tag === "Warning" && entry.warning._tag === "UnknownColumns") {
        for (const column of entry.warning.columns) unknownFields.add(column)
      }
    }
    if (record === undefined) {
      if (!refused.some((entry) => entry.index === index)) {
        refused.push({ index, field: null, code: null, message: "a record must be a JSON object" })
      }
      return
    }
    const result =
      kind === "conversion" ? Validate.prepareConversion(record, context) : Validate.prepareAdjustment(record, context)
    switch (result._tag) {
      case "Conversion":
        prepared.push({ index, id: record.id, fields: encodeConversion(result.item) })
        return
      case "Adjustment":
        prepared.push({ index, id: record.id, fields: encodeAdjustment(result.item) })
        return
      case "Invalid":
        refused.push({
          index,
          field: result.field,
          code: result.code,
          message: result.code === null ? `${result.errorCode}: ${result.message}` : result.message
        })
        return
      default:
        refused.push({ index, field: null, code: null, message: "the record could not be checked" })
    }
  })
  return { prepared, refused, unknownFields: [...unknownFields] }
}
