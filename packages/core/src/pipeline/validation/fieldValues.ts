/**
 * Reading a field's value as the rules want it, whatever the input format gave: text (trimmed; numbers and booleans as
 * written), a finite number (from a JSON number or decimal text), or the marker of a value of the wrong JSON type.
 */

/** A value of the wrong JSON type (an object where text is expected). */
export const WRONG_TYPE = Symbol("WrongType")

/** A field's value as trimmed text (numbers and booleans as written), `undefined` when empty, `WRONG_TYPE` for an object. */
export const text = (value: unknown): string | undefined | typeof WRONG_TYPE => {
  if (value === undefined || value === null) return undefined
  if (typeof value === "string") {
    const trimmed = value.trim()
    return trimmed === "" ? undefined : trimmed
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value)
  return WRONG_TYPE
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/

/** A finite number from a JSON number or decimal text; `null` when it is not one. */
const numberOf = (value: string | number): number | null => {
  if (typeof value === "number") return Number.isFinite(value) ? value : null
  if (!DECIMAL.test(value)) return null
  const parsed = Number(value)
  return Number.isFinite(parsed) ? parsed : null
}

/** A field's value as a finite number, `undefined` when empty, `null` when it is not a number. */
export const numeric = (value: unknown): number | undefined | null => {
  if (typeof value === "number") return numberOf(value)
  const t = text(value)
  if (t === WRONG_TYPE) return null
  return t === undefined ? undefined : numberOf(t)
}

/** A value quoted for a message, cut at 64 characters. */
export const show = (value: string): string => JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value)
