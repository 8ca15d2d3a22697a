/**
 * The conversions the ledger accepted, kept column by column, and found again by dedupe key without writing the key.
 *
 * Why columns: the emulator keeps every conversion it accepts, for the whole run. An object per conversion (plus its
 * record and boxed numbers) would be copied by the young-generation garbage collector, twice each (the README's
 * "Performance notes"). Columns are a few large arrays that the collector does not copy; per conversion only its own
 * strings (a click id, hashes) are new objects. Rows are made into records again only when the state is read.
 *
 * Finding by key: rows are filed under the conversion's first identifier (click id, else hashed email, else hashed
 * phone, else name), which the dedupe key contains, and compared field by field. Only when two different conversions
 * share that identifier does it get a map of its own, keyed by `conversionIdentity`, so that a repeated identifier
 * never makes lookups linear.
 */
import { conversionIdentity, secondOf } from "./DedupeKey.js"
import type { Goal } from "./Goals.js"
import type { ConversionRecord, Protocol } from "./Records.js"

/** How and when the items of one call arrived (one object shared by the call's items). */
export interface Arrival {
  readonly transport: Protocol
  readonly now: number
}

/** The adjustment that matched a conversion last. */
export type AdjustedBy = "Restate" | "Retract" | null

// Text columns, per row in this order.
const CURRENCY = 0
const NAME = 1
const MODEL = 2
const EMAIL = 3
const PHONE = 4
const CLICK = 5
const TEXTS = 6

// Number columns, per row in this order; a set bit (1 << column) in `absent` marks null.
const TIME = 0
const VALUE = 1
const CREDIT = 2
const NUMBERS = 3

const ADJUSTED: ReadonlyArray<AdjustedBy> = [null, "Restate", "Retract"]

/** A typed array twice as long (at least `needed`), with the old contents. */
const grown = <A extends Float64Array | Int32Array | Uint8Array>(array: A, needed: number): A => {
  if (needed <= array.length) return array
  const larger = new (array.constructor as new (length: number) => A)(Math.max(needed, array.length * 2))
  larger.set(array)
  return larger
}

/** One accepted conversion, as the table gives it back. */
export interface AcceptedRow {
  readonly record: ConversionRecord
  readonly arrival: Arrival
  readonly goal: Goal
  readonly counted: boolean
  readonly adjustedBy: AdjustedBy
  readonly received: number
}

export class AcceptedConversions {
  #size = 0
  readonly #texts: Array<string | null> = []
  #numbers = new Float64Array(NUMBERS * 1024)
  #absent = new Uint8Array(1024)
  readonly #arrivals: Array<Arrival> = []
  readonly #goals: Array<Goal> = []
  #counted = new Uint8Array(1024)
  #adjusted = new Uint8Array(1024)
  #received = new Int32Array(1024)
  readonly #files = new Map<string, number | Map<string, number>>()

  get size(): number {
    return this.#size
  }

  /** The row whose conversion has the same dedupe key as `record`, if any. */
  find(record: ConversionRecord): number | undefined {
    const file = this.#files.get(fileOf(record))
    if (file === undefined) return undefined
    if (typeof file === "number") return this.#sameKey(file, record) ? file : undefined
    return file.get(conversionIdentity(record))
  }

  /**
   * Adds `record` as a new row unless a row with the same dedupe key is there; answers that earlier row, or undefined
   * when the record was added (one lookup fewer than `find`, then add, for every new conversion).
   */
  claim(record: ConversionRecord, arrival: Arrival, goal: Goal): number | undefined {
    const name = fileOf(record)
    const file = this.#files.get(name)
    if (file === undefined) {
      this.#files.set(name, this.#append(record, arrival, goal))
      return undefined
    }
    if (typeof file !== "number") {
      const identity = conversionIdentity(record)
      const known = file.get(identity)
      if (known === undefined) file.set(identity, this.#append(record, arrival, goal))
      return known
    }
    if (this.#sameKey(file, record)) return file
    const shared = new Map<string, number>()
    shared.set(conversionIdentity(this.#record(file)), file)
    shared.set(conversionIdentity(record), this.#append(record, arrival, goal))
    this.#files.set(name, shared)
    return undefined
  }

  /** Counts one more receipt of a row's dedupe key. */
  receivedAgain(row: number): void {
    this.#received[row]!++
  }

  setCounted(row: number, counted: boolean): void {
    this.#counted[row] = counted ? 1 : 0
  }

  setAdjustedBy(row: number, adjustedBy: AdjustedBy): void {
    this.#adjusted[row] = ADJUSTED.indexOf(adjustedBy)
  }

  /** A row as a record and what the ledger knows about it. */
  row(row: number): AcceptedRow {
    return {
      record: this.#record(row),
      arrival: this.#arrivals[row]!,
      goal: this.#goals[row]!,
      counted: this.#counted[row] === 1,
      adjustedBy: ADJUSTED[this.#adjusted[row]!]!,
      received: this.#received[row]!
    }
  }

  #append(record: ConversionRecord, arrival: Arrival, goal: Goal): number {
    const row = this.#size++
    this.#texts.push(
      record.ConversionCurrencyCode,
      // The goal was found by this name: keep the goal's string rather than one more copy per row.
      record.ConversionName === goal.name ? goal.name : record.ConversionName,
      record.ExternalAttributionModel,
      record.HashedEmailAddress,
      record.HashedPhoneNumber,
      record.MicrosoftClickId
    )
    if (this.#absent.length <= row) {
      this.#absent = grown(this.#absent, row + 1)
      this.#numbers = grown(this.#numbers, NUMBERS * this.#absent.length)
      this.#counted = grown(this.#counted, this.#absent.length)
      this.#adjusted = grown(this.#adjusted, this.#absent.length)
      this.#received = grown(this.#received, this.#absent.length)
    }
    const at = NUMBERS * row
    let absent = 0
    if (record.ConversionTime === null) absent |= 1 << TIME
    else this.#numbers[at + TIME] = record.ConversionTime
    if (record.ConversionValue === null) absent |= 1 << VALUE
    else this.#numbers[at + VALUE] = record.ConversionValue
    if (record.ExternalAttributionCredit === null) absent |= 1 << CREDIT
    else this.#numbers[at + CREDIT] = record.ExternalAttributionCredit
    this.#absent[row] = absent
    this.#arrivals.push(arrival)
    this.#goals.push(goal)
    this.#counted[row] = 1
    this.#received[row] = 1
    return row
  }

  #text(row: number, column: number): string | null {
    return this.#texts[TEXTS * row + column]!
  }

  #number(row: number, column: number): number | null {
    return (this.#absent[row]! & (1 << column)) === 0 ? this.#numbers[NUMBERS * row + column]! : null
  }

  #record(row: number): ConversionRecord {
    return {
      ConversionCurrencyCode: this.#text(row, CURRENCY),
      ConversionName: this.#text(row, NAME),
      ConversionTime: this.#number(row, TIME),
      ConversionValue: this.#number(row, VALUE),
      ExternalAttributionCredit: this.#number(row, CREDIT),
      ExternalAttributionModel: this.#text(row, MODEL),
      HashedEmailAddress: this.#text(row, EMAIL),
      HashedPhoneNumber: this.#text(row, PHONE),
      MicrosoftClickId: this.#text(row, CLICK)
    }
  }

  /** Whether a row has the same dedupe key as `record`, compared field by field. */
  #sameKey(row: number, record: ConversionRecord): boolean {
    return (
      this.#text(row, CLICK) === record.MicrosoftClickId &&
      this.#text(row, NAME) === record.ConversionName &&
      secondOf(this.#number(row, TIME)) === secondOf(record.ConversionTime) &&
      this.#text(row, EMAIL) === record.HashedEmailAddress &&
      this.#text(row, PHONE) === record.HashedPhoneNumber
    )
  }
}

/** The identifier a row is filed under: the first one present (the key contains all of them). */
const fileOf = (record: ConversionRecord): string =>
  record.MicrosoftClickId ?? record.HashedEmailAddress ?? record.HashedPhoneNumber ?? record.ConversionName ?? ""
