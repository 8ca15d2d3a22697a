/**
 * The plain forms of the generated contracts that the Promise client's `call` takes and returns, so that no Effect
 * type reaches its signature: in a request, a `DateTime.Utc` field takes a `Date` or ISO text and an `xs:long`
 * (`bigint`) field a bigint or decimal text (not a number: ids beyond 2^53 would be rounded); in a response,
 * `DateTime.Utc` values come back as `Date`s. At run time a request is put into the contract's encoded form
 * (times and longs as text) and decoded by the operation's own Schema, so it is checked exactly as an Effect caller's
 * request would be.
 */
import * as DateTime from "effect/DateTime"

/** `A` as a caller may write it in a request. */
export type PlainRequest<A> = A extends DateTime.DateTime
  ? Date | string
  : A extends bigint
    ? bigint | string
    : A extends ReadonlyArray<infer Item>
      ? ReadonlyArray<PlainRequest<Item>>
      : A extends object
        ? { readonly [K in keyof A]: PlainRequest<A[K]> }
        : A

/** `A` as the client returns it from a response. */
export type PlainResponse<A> = A extends DateTime.DateTime
  ? Date
  : A extends ReadonlyArray<infer Item>
    ? ReadonlyArray<PlainResponse<Item>>
    : A extends object
      ? { readonly [K in keyof A]: PlainResponse<A[K]> }
      : A

/** A request in the contract's encoded form: `Date`s and `DateTime`s as ISO text, bigints as decimal text. */
export const toEncoded = (value: unknown): unknown => {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString()
  if (typeof value === "bigint") return value.toString()
  if (Array.isArray(value)) return value.map(toEncoded)
  if (typeof value === "object" && value !== null) {
    if (DateTime.isDateTime(value)) return DateTime.formatIso(value)
    const out: Record<string, unknown> = {}
    for (const [key, field] of Object.entries(value)) out[key] = toEncoded(field)
    return out
  }
  return value
}

/** A decoded response with every `DateTime` as a `Date`. */
export const toPlainResponse = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(toPlainResponse)
  if (typeof value === "object" && value !== null) {
    if (DateTime.isDateTime(value)) return DateTime.toDate(value)
    const out: Record<string, unknown> = {}
    for (const [key, field] of Object.entries(value)) out[key] = toPlainResponse(field)
    return out
  }
  return value
}
