/**
 * Character data for XML 1.0: escaping (`&`, `<`, `>` and CR, which a parser would otherwise turn into LF) and the
 * check that every character can be carried at all — C0 controls other than TAB/LF/CR, lone surrogates, U+FFFE and
 * U+FFFF cannot, and are refused with an error instead of producing a broken document.
 */
import { EncodeFailure } from "../codec/errors.js"

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 forbids
const SPECIAL = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/

const hex = (code: number): string => `U+${code.toString(16).toUpperCase().padStart(4, "0")}`

/**
 * The characters XML 1.0 cannot carry, as one pattern: C0 controls other than TAB/LF/CR, U+FFFE, U+FFFF and surrogates
 * without their pair. `escapeText` below checks the same set inline, in its escaping loop.
 */
const UNCARRIABLE_SOURCE =
  "[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]"
const UNCARRIABLE = new RegExp(UNCARRIABLE_SOURCE)
const UNCARRIABLE_ALL = new RegExp(UNCARRIABLE_SOURCE, "g")

/** A character of a text value that XML 1.0 cannot carry: where it is (UTF-16 offset) and what it is (`U+0007`). */
export interface UncarriableCharacter {
  readonly offset: number
  readonly character: string
  /** `control character` or `unpaired surrogate` or `noncharacter`. */
  readonly kind: "control character" | "unpaired surrogate" | "noncharacter"
}

/** The first character of `s` that XML 1.0 cannot carry, or `undefined` when every character can be carried. */
export const uncarriableCharacter = (s: string): UncarriableCharacter | undefined => {
  const match = UNCARRIABLE.exec(s)
  if (match === null) return undefined
  const code = s.charCodeAt(match.index)
  return {
    offset: match.index,
    character: hex(code),
    kind: code < 0x20 ? "control character" : code >= 0xd800 && code <= 0xdfff ? "unpaired surrogate" : "noncharacter"
  }
}

/** Escapes a text value for element content; throws an EncodeFailure for characters XML 1.0 cannot carry. */
export const escapeText = (s: string): string => {
  if (!SPECIAL.test(s)) return s
  let out = ""
  let last = 0
  const length = s.length
  for (let i = 0; i < length; i++) {
    const c = s.charCodeAt(i)
    let replacement: string
    if (c === 38) replacement = "&amp;"
    else if (c === 60) replacement = "&lt;"
    else if (c === 62) replacement = "&gt;"
    else if (c === 13) replacement = "&#13;"
    else if (c < 32) {
      if (c === 9 || c === 10) continue
      throw new EncodeFailure(`character ${hex(c)} at offset ${i} cannot be carried by XML 1.0`)
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++
        continue
      }
      throw new EncodeFailure(`unpaired surrogate ${hex(c)} at offset ${i} cannot be carried by XML 1.0`)
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      throw new EncodeFailure(`unpaired surrogate ${hex(c)} at offset ${i} cannot be carried by XML 1.0`)
    } else if (c === 0xfffe || c === 0xffff) {
      throw new EncodeFailure(`character ${hex(c)} at offset ${i} cannot be carried by XML 1.0`)
    } else continue
    out += s.slice(last, i) + replacement
    last = i + 1
  }
  return last === 0 ? s : out + s.slice(last)
}

/** Like {@link escapeText} but never fails: characters XML cannot carry become U+FFFD (for fault messages). */
export const escapeTextLossy = (s: string): string => escapeText(s.replace(UNCARRIABLE_ALL, "\uFFFD"))

/** Escapes an attribute value written in double quotes. */
export const escapeAttribute = (s: string): string =>
  escapeText(s).replace(/"/g, "&quot;").replace(/\t/g, "&#9;").replace(/\n/g, "&#10;")
