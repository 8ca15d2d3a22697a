/**
 * Duplicates within a run, on the service's key (DESIGN.md §4 step 4): (MicrosoftClickId, ConversionName,
 * ConversionTime in UTC at second precision, HashedEmailAddress, HashedPhoneNumber), absent fields as null; for
 * adjustments the whole record. The first copy is sent, later ones become `duplicate` outcomes naming its line.
 *
 * Memory trade-off: the table keeps no records and no key text, only a 96-bit fingerprint of the canonical key and
 * the first line, 16 bytes per slot in one typed array (open addressing, linear probing, kept at most 80 % full):
 * about 21 bytes per distinct record when sized from the file (up to twice that after growing on unsized input),
 * e.g. ~20 MiB for a million records, and no garbage-collector load. The price
 * is a chance that two different records share a fingerprint and the second is wrongly called a duplicate: about
 * n² / 2⁹⁷, i.e. 10⁻¹⁵ for ten million records. The fingerprint is MurmurHash3 (x86, 128-bit) over the key's UTF-16
 * code units: not cryptographic — nobody gains from forging a collision in their own upload — and about ten times
 * cheaper per record than SHA-256 through node:crypto, which was a hot spot of large runs.
 */
import { decimalWidth } from "@uplink/campaign-management/wire"
import type { PreparedAdjustment, PreparedConversion } from "./Prepared.js"

/**
 * The canonical key of a record, written as UTF-16 code units into a reusable buffer rather than built as a string:
 * this runs for every record, and the key text was a measurable share of the garbage of large runs. Each field is
 * length-prefixed (`<length>:<text>`), so no field content can imitate a field boundary; `~` stands for an absent one.
 */
export class KeyUnits {
  units = new Uint16Array(256)
  length = 0

  reset(): this {
    this.length = 0
    return this
  }

  private ensure(more: number): void {
    if (this.length + more <= this.units.length) return
    let size = this.units.length * 2
    while (size < this.length + more) size *= 2
    const grown = new Uint16Array(size)
    grown.set(this.units.subarray(0, this.length))
    this.units = grown
  }

  /** Appends the decimal digits of a non-negative integer (`width` of them). */
  private digits(n: number, width = decimalWidth(n)): void {
    this.ensure(width)
    let position = this.length + width
    this.length = position
    for (let i = 0; i < width; i++) {
      const quotient = Math.floor(n / 10)
      this.units[--position] = 48 + n - quotient * 10
      n = quotient
    }
  }

  /** Appends `value` as it is (no length prefix). */
  raw(value: string): this {
    const n = value.length
    this.ensure(n)
    const units = this.units
    let position = this.length
    for (let i = 0; i < n; i++) units[position++] = value.charCodeAt(i)
    this.length = position
    return this
  }

  /** Appends a text field: `<length>:<text>`, or `~` when absent. */
  text(value: string | null | undefined): this {
    if (value === null || value === undefined) {
      this.ensure(1)
      this.units[this.length++] = 126
      return this
    }
    this.digits(value.length)
    this.ensure(1)
    this.units[this.length++] = 58
    return this.raw(value)
  }

  /** Appends a number field as the text `String(value)` would give. */
  number(value: number | null | undefined): this {
    if (value === null || value === undefined) return this.text(value)
    if (!Number.isSafeInteger(value) || value < 0) return this.text(String(value))
    const width = decimalWidth(value)
    this.digits(width)
    this.ensure(1)
    this.units[this.length++] = 58
    this.digits(value, width)
    return this
  }

  /** The key as text (tests and diagnostics). */
  toString(): string {
    let out = ""
    for (let i = 0; i < this.length; i += 4096) {
      out += String.fromCharCode(...this.units.subarray(i, Math.min(i + 4096, this.length)))
    }
    return out
  }
}

/** Writes the canonical dedupe key of a conversion into `key`. */
export const writeConversionKey = (key: KeyUnits, conversion: PreparedConversion): KeyUnits => {
  return key
    .reset()
    .text(conversion.microsoftClickId)
    .text(conversion.conversionName)
    .number(Math.floor(conversion.conversionTimeMs / 1000))
    .text(conversion.hashedEmail)
    .text(conversion.hashedPhone)
}

/** Writes the canonical dedupe key of an adjustment into `key`: a marker, then every field. */
export const writeAdjustmentKey = (key: KeyUnits, adjustment: PreparedAdjustment): KeyUnits => {
  return key
    .reset()
    .raw("adjustment")
    .text(adjustment.currencyCode)
    .number(adjustment.adjustmentTimeMs)
    .text(adjustment.adjustmentType)
    .number(adjustment.adjustmentValue)
    .text(adjustment.conversionName)
    .number(adjustment.conversionTimeMs)
    .text(adjustment.hashedEmail)
    .text(adjustment.hashedPhone)
    .text(adjustment.microsoftClickId)
}

/** The canonical dedupe key text of a conversion. */
export const conversionKey = (conversion: PreparedConversion): string =>
  writeConversionKey(new KeyUnits(), conversion).toString()

/** The canonical dedupe key text of an adjustment. */
export const adjustmentKey = (adjustment: PreparedAdjustment): string =>
  writeAdjustmentKey(new KeyUnits(), adjustment).toString()

// ===== MurmurHash3 x86 128-bit over UTF-16 code units (two units per 32-bit word) =====

const C1 = 0x239b961b
const C2 = 0xab0e9789
const C3 = 0x38b34ae5
const C4 = 0xa1e38b93

const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r))

const fmix = (input: number) => {
  let h = input
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h
}

const scratch = new KeyUnits()

/** Writes the 128-bit MurmurHash3 of `text` into `out[0..3]`. */
export const murmur128 = (text: string, out: Uint32Array, seed = 0): void => {
  scratch.reset().raw(text)
  murmur128Units(scratch.units, scratch.length, out, seed)
}

/** Writes the 128-bit MurmurHash3 of the first `n` code units of `text` into `out[0..3]`. */
export const murmur128Units = (text: Uint16Array, n: number, out: Uint32Array, seed = 0): void => {
  let h1 = seed
  let h2 = seed
  let h3 = seed
  let h4 = seed
  let i = 0
  for (const end = n - (n & 7); i < end; i += 8) {
    let k1 = text[i]! | (text[i + 1]! << 16)
    let k2 = text[i + 2]! | (text[i + 3]! << 16)
    let k3 = text[i + 4]! | (text[i + 5]! << 16)
    let k4 = text[i + 6]! | (text[i + 7]! << 16)
    k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2)
    h1 ^= k1
    h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0
    k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3)
    h2 ^= k2
    h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0
    k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4)
    h3 ^= k3
    h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0
    k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1)
    h4 ^= k4
    h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0
  }
  const rest = n - i
  if (rest > 0) {
    // The last 1–7 code units, zero-padded (no closure: this runs once per record).
    const k1 = text[i]! | (rest > 1 ? text[i + 1]! << 16 : 0)
    const k2 = rest > 2 ? text[i + 2]! | (rest > 3 ? text[i + 3]! << 16 : 0) : 0
    const k3 = rest > 4 ? text[i + 4]! | (rest > 5 ? text[i + 5]! << 16 : 0) : 0
    const k4 = rest > 6 ? text[i + 6]! : 0
    if (rest > 6) h4 ^= Math.imul(rotl(Math.imul(k4, C4), 18), C1)
    if (rest > 4) h3 ^= Math.imul(rotl(Math.imul(k3, C3), 17), C4)
    if (rest > 2) h2 ^= Math.imul(rotl(Math.imul(k2, C2), 16), C3)
    h1 ^= Math.imul(rotl(Math.imul(k1, C1), 15), C2)
  }
  const bytes = n * 2
  h1 ^= bytes
  h2 ^= bytes
  h3 ^= bytes
  h4 ^= bytes
  h1 = (h1 + h2 + h3 + h4) | 0
  h2 = (h2 + h1) | 0
  h3 = (h3 + h1) | 0
  h4 = (h4 + h1) | 0
  h1 = fmix(h1)
  h2 = fmix(h2)
  h3 = fmix(h3)
  h4 = fmix(h4)
  h1 = (h1 + h2 + h3 + h4) | 0
  h2 = (h2 + h1) | 0
  h3 = (h3 + h1) | 0
  h4 = (h4 + h1) | 0
  out[0] = h1
  out[1] = h2
  out[2] = h3
  out[3] = h4
}

const SLOT = 4
/**
 * Slots used at most before the table grows (and the load a table reserved for a file is sized for). At 0.8 linear
 * probing still finds a new key in ~3 probes on average while the table fills (~13 in the last percent); 0.7 took
 * 14 % more memory (23 instead of 20 MiB for a million records) for no difference in speed that a million inserts
 * could measure.
 */
const MAX_LOAD = 0.8

/** The set of keys seen in a run, with the line each was first seen on. */
export class DedupeTable {
  /** Per slot: three fingerprint words and the first line (0 = empty slot; lines start at 1). */
  private slots: Uint32Array
  /** The number of slots: any size (not a power of two), so a table reserved for a file is no larger than needed. */
  private capacity: number
  private count = 0
  private readonly hash = new Uint32Array(4)

  constructor(initialCapacity = 1024) {
    const capacity = Math.max(1024, Math.ceil(initialCapacity))
    this.slots = new Uint32Array(capacity * SLOT)
    this.capacity = capacity
  }

  /** The number of distinct keys. */
  get size(): number {
    return this.count
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.slots.byteLength
  }

  /** Records `key` first seen on `line` and returns 0, or returns the line it was first seen on. */
  firstSeen(key: string | KeyUnits, line: number): number {
    const hash = this.hash
    if (typeof key === "string") murmur128(key, hash)
    else murmur128Units(key.units, key.length, hash)
    const a = hash[0]
    const b = hash[1]
    const c = hash[2]
    const found = this.find(a, b, c)
    const slots = this.slots
    if (slots[found + 3] !== 0) return slots[found + 3]
    slots[found] = a
    slots[found + 1] = b
    slots[found + 2] = c
    slots[found + 3] = line
    this.count++
    if (this.count > this.capacity * MAX_LOAD) this.grow()
    return 0
  }

  /** The offset of the slot holding (a, b, c), or of the empty slot where it belongs. */
  private find(a: number, b: number, c: number): number {
    const slots = this.slots
    // The slot in proportion to the first fingerprint word (multiply-shift: no power-of-two size needed).
    const capacity = this.capacity
    let index = Math.floor(((a >>> 0) * capacity) / 4294967296)
    for (;;) {
      const offset = index * SLOT
      if (slots[offset + 3] === 0) return offset
      if (slots[offset] === a && slots[offset + 1] === b && slots[offset + 2] === c) return offset
      index = index + 1 === capacity ? 0 : index + 1
    }
  }

  /**
   * Makes room for `keys` keys in all without growing again: one table of the final size instead of a series of
   * doublings, whose discarded tables (and the old-and-new pair of the last one) would otherwise count against peak
   * memory until the garbage collector frees them.
   */
  reserve(keys: number): void {
    const capacity = Math.ceil(keys / MAX_LOAD) + 1
    if (capacity > this.capacity) this.resize(capacity)
  }

  private grow(): void {
    this.resize(this.capacity * 2)
  }

  private resize(capacity: number): void {
    const old = this.slots
    this.slots = new Uint32Array(capacity * SLOT)
    this.capacity = capacity
    for (let offset = 0; offset < old.length; offset += SLOT) {
      if (old[offset + 3] === 0) continue
      const target = this.find(old[offset], old[offset + 1], old[offset + 2])
      this.slots[target] = old[offset]
      this.slots[target + 1] = old[offset + 1]
      this.slots[target + 2] = old[offset + 2]
      this.slots[target + 3] = old[offset + 3]
    }
  }
}
