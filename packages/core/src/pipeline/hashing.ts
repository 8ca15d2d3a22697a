/**
 * Enhanced conversions: raw email addresses and phone numbers are normalised and SHA-256-hashed here, inside the
 * process, so only the 64-hex digest is ever sent or written (api-facts.md §2.6). Email: trimmed and lower-cased.
 * Phone: E.164 via libphonenumber-js, with a default region for numbers written without a country code. Neither raw
 * value is ever part of a message. (Microsoft's UET recipe also drops dots and `+alias` from the user part; it is
 * not documented for offline conversions, so Uplink does not apply it.)
 *
 * libphonenumber-js (about 110 modules and its metadata) is loaded the first time a phone number or a region is
 * checked, not when core is imported: most inputs carry no raw phone number. It is loaded synchronously, so these
 * stay plain functions: through `require` where a bundler provides one (esbuild then bundles the package and runs it
 * on that first call), else through Node's `createRequire`.
 */
import { createHash, hash as oneShotHash } from "node:crypto"
import { createRequire } from "node:module"
import type { CountryCode } from "libphonenumber-js"

export type { CountryCode }

type PhoneNumbers = typeof import("libphonenumber-js")

let phoneNumbers: PhoneNumbers | undefined

/** libphonenumber-js, loaded on first use. */
const phoneNumbersLibrary = (): PhoneNumbers => {
  if (phoneNumbers === undefined) {
    phoneNumbers = (
      typeof require === "function" ? require("libphonenumber-js") : createRequire(import.meta.url)("libphonenumber-js")
    ) as PhoneNumbers
  }
  return phoneNumbers
}

/** SHA-256 of the UTF-8 text, as 64 lower-case hex digits. */
export const sha256Hex: (text: string) => string =
  typeof oneShotHash === "function"
    ? (text) => oneShotHash("sha256", text, "hex")
    : (text) => createHash("sha256").update(text, "utf8").digest("hex")

const SHA256_HEX = /^[0-9a-f]{64}$/

/** Whether `value` looks like a SHA-256 digest as the service wants it: 64 lower-case hex digits. */
export const isSha256Hex = (value: string): boolean => SHA256_HEX.test(value)

const ANY_CASE_HEX64 = /^[0-9a-fA-F]{64}$/

/**
 * Whether a value of a raw `Email` / `Phone` column already looks like a SHA-256 digest (64 hex digits, either case):
 * such a value was hashed upstream, and hashing it again would send a digest of a digest that matches nobody.
 */
export const looksHashed = (raw: string): boolean => ANY_CASE_HEX64.test(raw.trim())

/** A deliberately loose shape check: one `@`, something on both sides, no white space. */
const EMAIL = /^[^\s@]+@[^\s@]+$/

/** The normalised email (trimmed, lower-case), or `undefined` when it is not an email address. */
export const normalizeEmail = (raw: string): string | undefined => {
  const email = raw.trim().toLowerCase()
  return EMAIL.test(email) ? email : undefined
}

/** The E.164 form of `raw` (`+14255551234`), or `undefined` when it is not a valid number. */
export const normalizePhone = (raw: string, defaultRegion?: CountryCode): string | undefined => {
  const parsed = phoneNumbersLibrary().parsePhoneNumberFromString(
    raw.trim(),
    defaultRegion === undefined ? undefined : { defaultCountry: defaultRegion }
  )
  return parsed?.isValid() === true ? parsed.number : undefined
}

/** Whether `region` is an ISO 3166 region libphonenumber-js knows (for the default-region option). */
export const isRegion = (region: string): region is CountryCode => phoneNumbersLibrary().isSupportedCountry(region)

/**
 * The SHA-256 of the normalised email, or `undefined` when it is not an email address. A value that already looks
 * hashed (`looksHashed`) is taken as the digest (lower-cased), never hashed twice.
 */
export const hashEmail = (raw: string): string | undefined => {
  if (looksHashed(raw)) return raw.trim().toLowerCase()
  const email = normalizeEmail(raw)
  return email === undefined ? undefined : sha256Hex(email)
}

/**
 * The SHA-256 of the E.164 phone number, or `undefined` when it is not a valid number. A value that already looks
 * hashed (`looksHashed`) is taken as the digest (lower-cased), never hashed twice.
 */
export const hashPhone = (raw: string, defaultRegion?: CountryCode): string | undefined => {
  if (looksHashed(raw)) return raw.trim().toLowerCase()
  const phone = normalizePhone(raw, defaultRegion)
  return phone === undefined ? undefined : sha256Hex(phone)
}
