/**
 * A growable UTF-8 byte buffer for writing JSON text: the REST encoder writes request bodies straight into bytes, so a
 * 1,000-item request is one buffer rather than tens of thousands of intermediate strings that are then concatenated
 * and encoded again for the socket. Plain ASCII text (names, ids, codes, digits) is copied byte by byte; anything else
 * goes through `JSON.stringify` and `TextEncoder.encodeInto`, so escaping and lone surrogates are exactly as in
 * `JSON.stringify`.
 */

import { decimalWidth } from "../codec/scalars.js"

const encoder = new TextEncoder()
const decoder = new TextDecoder()

const QUOTE = 34

/** The UTF-8 bytes of an ASCII-only constant (property names, punctuation). */
export const asciiBytes = (text: string): Uint8Array => encoder.encode(text)

/** Numbers below this magnitude can take `JsonBytes.decimal`'s fast path (their spacing is under 10^-6). */
const DECIMAL_LIMIT = 2 ** 30
const POWERS_OF_TEN = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000]
/** The ASCII digits of 0–99: tens in `PAIR_HIGH`, units in `PAIR_LOW`. */
const PAIR_HIGH = Uint8Array.from({ length: 100 }, (_, n) => 48 + Math.floor(n / 10))
const PAIR_LOW = Uint8Array.from({ length: 100 }, (_, n) => 48 + (n % 10))

export class JsonBytes {
  private buffer: Uint8Array
  private position = 0

  constructor(initialBytes = 64 * 1024) {
    this.buffer = new Uint8Array(initialBytes)
  }

  /** Forgets what was written (the buffer is kept for the next value). */
  reset(): void {
    this.position = 0
  }

  get length(): number {
    return this.position
  }

  /** Forgets what was written after the first `length` bytes (a `length` read earlier). */
  rewind(length: number): void {
    if (length >= 0 && length <= this.position) this.position = length
  }

  /** Makes room for `bytes` more bytes. */
  private ensure(bytes: number): void {
    const needed = this.position + bytes
    if (needed <= this.buffer.length) return
    let size = this.buffer.length * 2
    while (size < needed) size *= 2
    const grown = new Uint8Array(size)
    grown.set(this.buffer.subarray(0, this.position))
    this.buffer = grown
  }

  /** Appends one byte (an ASCII character code). */
  byte(code: number): void {
    if (this.position === this.buffer.length) this.ensure(1)
    this.buffer[this.position++] = code
  }

  /** Appends bytes prepared once (`asciiBytes`). */
  bytes(bytes: Uint8Array): void {
    this.ensure(bytes.length)
    this.buffer.set(bytes, this.position)
    this.position += bytes.length
  }

  /**
   * Ends an object whose members were written from `start` on, each with a leading comma (`,"Name":value`): the
   * first comma becomes `{`, then `}` is appended; `{}` when no member was written. Lets a writer skip the
   * "is this the first member?" test per property.
   */
  endObject(start: number): void {
    if (this.position === start) {
      this.ensure(2)
      this.buffer[this.position++] = 123
      this.buffer[this.position++] = 125
      return
    }
    this.buffer[start] = 123
    this.byte(125)
  }

  /** Appends text known to be ASCII without characters JSON escapes (digits, formatted numbers, enum values). */
  ascii(text: string): void {
    const length = text.length
    this.ensure(length)
    const buffer = this.buffer
    let position = this.position
    for (let i = 0; i < length; i++) buffer[position++] = text.charCodeAt(i)
    this.position = position
  }

  /** Appends `text` as a JSON string literal, quoted and escaped as `JSON.stringify` does. */
  string(text: string): void {
    const length = text.length
    this.ensure(length + 2)
    const buffer = this.buffer
    const start = this.position
    let position = start
    buffer[position++] = QUOTE
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i)
      // Printable ASCII other than `"` and `\` is written as is; anything else takes the general path.
      if (c < 32 || c > 126 || c === QUOTE || c === 92) {
        this.position = start
        this.escaped(text)
        return
      }
      buffer[position++] = c
    }
    buffer[position++] = QUOTE
    this.position = position
  }

  /** The general path of `string`: JSON.stringify's escaping, then UTF-8 (at most 3 bytes per UTF-16 unit). */
  private escaped(text: string): void {
    const literal = JSON.stringify(text)
    this.ensure(literal.length * 3)
    const { written } = encoder.encodeInto(literal, this.buffer.subarray(this.position))
    this.position += written
  }

  /** Appends `text` (any Unicode) as UTF-8 without quoting or escaping: JSON produced elsewhere. */
  raw(text: string): void {
    this.ensure(text.length * 3)
    const { written } = encoder.encodeInto(text, this.buffer.subarray(this.position))
    this.position += written
  }

  /** Appends a non-negative integer below 10^15 in decimal, zero-padded to `width` digits, without making a string. */
  digits(n: number, width: number): void {
    this.ensure(width)
    const buffer = this.buffer
    let position = this.position + width
    this.position = position
    let left = width
    // Two digits per division (dates, times and amounts are mostly pairs).
    while (left >= 2) {
      const quotient = Math.floor(n / 100)
      const pair = n - quotient * 100
      buffer[--position] = PAIR_LOW[pair]!
      buffer[--position] = PAIR_HIGH[pair]!
      n = quotient
      left -= 2
    }
    if (left === 1) buffer[--position] = 48 + (n % 10)
  }

  /**
   * Appends a number exactly as `String(n)` writes it, without making that string, when it is an integer or has at
   * most six decimals and is below 2^30 in magnitude (amounts, credits); returns false and writes nothing for any
   * other number, whose text the caller writes (`formatNumber`). Strings made by `String(n)` stay alive in V8's
   * number-to-string cache past young collections, which made them the largest share of what encoding a request
   * left in the old generation.
   *
   * Why the text is `String(n)`'s: below 2^30 the spacing of doubles is under 10^-6, so at most one decimal with at
   * most six places reads back as `n`. The first k for which n·10^k is an integer m with m / 10^k === n (a correctly
   * rounded division, like reading decimal text) and no trailing zero gives that decimal, which is then also the
   * shortest text that reads back as `n`.
   */
  decimal(n: number): boolean {
    if (!(n > -DECIMAL_LIMIT && n < DECIMAL_LIMIT) || Object.is(n, -0)) return false
    const negative = n < 0
    const magnitude = negative ? -n : n
    for (let places = 0; places < POWERS_OF_TEN.length; places++) {
      const power = POWERS_OF_TEN[places]!
      const scaled = magnitude * power
      if (!Number.isInteger(scaled)) continue
      if (scaled / power !== magnitude || (places > 0 && scaled % 10 === 0)) return false
      const whole = Math.floor(scaled / power)
      if (negative) this.byte(45)
      this.digits(whole, decimalWidth(whole))
      if (places > 0) {
        this.byte(46)
        this.digits(scaled - whole * power, places)
      }
      return true
    }
    return false
  }

  /** What was written, as a view of the buffer: valid until the next write or `reset`. */
  view(): Uint8Array {
    return this.buffer.subarray(0, this.position)
  }

  /** A copy of what was written. */
  toBytes(): Uint8Array {
    return this.buffer.slice(0, this.position)
  }

  /** What was written, as text. */
  toString(): string {
    return decoder.decode(this.buffer.subarray(0, this.position))
  }
}
