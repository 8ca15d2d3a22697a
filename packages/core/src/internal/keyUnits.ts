/**
 * `KeyUnits`: a reusable buffer of UTF-16 code units that a record's dedupe key is written into, field by field, instead
 * of building the key as a string (this runs for every record). Each field is length-prefixed (`<length>:<text>`), so no
 * field content can imitate a field boundary; `~` stands for an absent one. `toString()` gives the same text a string
 * key would be, so a key hashes alike from either form.
 */
import { decimalWidth } from "@uplink/campaign-management/wire"

/** The code units of one key; `reset()` before writing the next. */
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
