/**
 * Intake of posted records: reads each one exactly like a JSON Lines record of `uplink apply` / `uplink adjust`
 * (@uplink/core's reader: API field names matched loosely, optional `id`) and checks it with core's validation (56xx
 * codes, raw `Email` / `Phone` normalised and hashed). A valid record becomes the encoded request item that the
 * outbox stores — hashed identifiers only, times in UTC — and an invalid one its index, field, code and message.
 * Times without a zone and phone numbers without a country code are read with the server's `UPLINK_TIMEZONE` and
 * `UPLINK_DEFAULT_REGION`, as the CLI reads them with `--timezone` and `--default-region`.
 *
 * The server adds rules of its own for the client `id`, an idempotency key of 1–200 printable characters. Within one
 * request an id names one record: a later record with the same id and the same normalised fields is the same record
 * (`repeats`: answered like the first, queued once), one with other fields is refused (field `id`), because only one
 * of the two could ever be delivered under that id.
 *
 * Each request's identifier hygiene (@uplink/core's `Hygiene`: shares of click id, email and phone per goal, raw
 * values that were already digests — taken as the digest —, phones that could not be normalised, mistyped email
 * domains) is counted here too, for `/metrics`; it holds counts and domains only.
 */
import { OfflineConversion } from "@uplink/campaign-management/operations/ApplyOfflineConversions"
import { OfflineConversionAdjustment } from "@uplink/campaign-management/operations/ApplyOfflineConversionAdjustments"
import { type Hashing, Hygiene, Readers, Validate } from "@uplink/core"
import type * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
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

/** A record whose id and fields repeat those of an earlier record of the same request: the same record. */
export interface RepeatedRecord {
  readonly index: number
  /** The position in `prepared` of the first record with this id. */
  readonly sameAs: number
}

/** How records are read besides their own fields. */
export interface IntakeOptions {
  readonly timeZone: Option.Option<DateTime.TimeZone.Named>
  readonly defaultRegion: Option.Option<Hashing.CountryCode>
}

/** What intake made of a request's records. */
export interface IntakeResult {
  /** Valid records to enqueue, each client id once, in request order. */
  readonly prepared: ReadonlyArray<PreparedRecord>
  readonly repeats: ReadonlyArray<RepeatedRecord>
  readonly refused: ReadonlyArray<RefusedRecord>
  /** Keys that matched no field (names only, never values), for the log. */
  readonly unknownFields: ReadonlyArray<string>
  /** The identifier hygiene of the request's records, per goal. */
  readonly hygiene: Hygiene.RunHygiene
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

const noOptions: IntakeOptions = { timeZone: Option.none(), defaultRegion: Option.none() }

/** Core's message, with where the server's default region is set when none is (core's message names no setting). */
const serverMessage = (field: string | null, message: string, options: IntakeOptions) =>
  field === "Phone" && Option.isNone(options.defaultRegion)
    ? `${message} The server reads numbers without one in the region that UPLINK_DEFAULT_REGION names.`
    : message

/**
 * Applies the one-record-per-id rule of a request to `valid` (in request order): the first record of an id is kept,
 * a later one with the same fields becomes a repeat of it, one with other fields is refused.
 */
const oneRecordPerId = (valid: ReadonlyArray<PreparedRecord>) => {
  const prepared: Array<PreparedRecord> = []
  const repeats: Array<RepeatedRecord> = []
  const refused: Array<RefusedRecord> = []
  const firstOf = new Map<string, { readonly index: number; readonly position: number; readonly fields: string }>()
  for (const record of valid) {
    if (record.id === undefined) {
      prepared.push(record)
      continue
    }
    const fields = JSON.stringify(record.fields)
    const first = firstOf.get(record.id)
    if (first === undefined) {
      firstOf.set(record.id, { index: record.index, position: prepared.length, fields })
      prepared.push(record)
    } else if (first.fields === fields) {
      repeats.push({ index: record.index, sameAs: first.position })
    } else {
      refused.push({
        index: record.index,
        field: "id",
        code: null,
        message: `id ${JSON.stringify(record.id)} is repeated in this request (first at index ${first.index}) with different fields; an id names one record`
      })
    }
  }
  return { prepared, repeats, refused }
}

/** Checks `items` (the records of one request, in order) for `kind` at time `nowMs`. */
export const prepareRecords = (
  kind: RecordKind,
  items: ReadonlyArray<unknown>,
  nowMs: number,
  options: IntakeOptions = noOptions
): IntakeResult => {
  const valid: Array<PreparedRecord> = []
  const refused: Array<RefusedRecord> = []
  const unknownFields = new Set<string>()
  const hygiene = Hygiene.tally()
  const mode = kind === "conversion" ? "apply" : "adjust"
  const context: Validate.ValidationContext = {
    nowMs,
    time: { timeZone: Option.getOrUndefined(options.timeZone) },
    defaultRegion: Option.getOrUndefined(options.defaultRegion)
  }

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
    hygiene.observe(record, result)
    switch (result._tag) {
      case "Conversion":
        valid.push({ index, id: record.id, fields: encodeConversion(result.item) })
        return
      case "Adjustment":
        valid.push({ index, id: record.id, fields: encodeAdjustment(result.item) })
        return
      case "Invalid": {
        const message = serverMessage(result.field, result.message, options)
        refused.push({
          index,
          field: result.field,
          code: result.code,
          message: result.code === null ? `${result.errorCode}: ${message}` : message
        })
        return
      }
      default:
        refused.push({ index, field: null, code: null, message: "the record could not be checked" })
    }
  })
  const perId = oneRecordPerId(valid)
  return {
    prepared: perId.prepared,
    repeats: perId.repeats,
    refused: [...refused, ...perId.refused],
    unknownFields: [...unknownFields],
    hygiene: hygiene.report()
  }
}
