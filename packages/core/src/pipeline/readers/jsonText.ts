/**
 * JSON text read the way Uplink's inputs need it, where `JSON.parse` alone would lose information without a word:
 *
 * - a key repeated within one object keeps its **first** value — as the first of two CSV columns that mean the same
 *   field does — and every repeated key is reported (`JSON.parse` keeps the last one silently);
 * - an integer that a JavaScript number cannot hold exactly (beyond ±2^53, e.g. a 20-digit id) is kept as its source
 *   text, so an id is never rounded; a field read as a number parses that text to the same value it had before.
 *
 * One scan of the text finds both; the usual line has neither and costs that scan plus one `JSON.parse`. Invalid JSON
 * fails exactly as `JSON.parse` fails.
 */

/** A parsed value and the keys that were repeated within an object (each repeat once, in text order). */
export interface ParsedJson {
  readonly value: unknown
  readonly repeatedKeys: ReadonlyArray<string>
}

/** A piece of the text to replace before parsing. */
interface Edit {
  readonly start: number
  readonly end: number
  readonly replacement: string
}

/**
 * An object being scanned: where its keys are in the text (start and end offsets of each key's characters, pairs
 * in `keys`), compared in place rather than copied out, and whether the next string token is a key. `undefined` keys
 * mark an array.
 */
interface Frame {
  readonly keys: Array<number> | undefined
  expectKey: boolean
}

const QUOTE = 0x22
const BACKSLASH = 0x5c

/** Integers of up to 15 digits are always exact as a double. */
const SAFE_DIGITS = 15

/** The index of the quote that ends the string starting at `start` (a quote), or -1. */
const stringEnd = (text: string, start: number): number => {
  let i = start + 1
  for (;;) {
    const quote = text.indexOf('"', i)
    if (quote < 0) return -1
    let backslashes = 0
    for (let j = quote - 1; j > start && text.charCodeAt(j) === BACKSLASH; j--) backslashes++
    if (backslashes % 2 === 0) return quote
    i = quote + 1
  }
}

/** Whether the text of `text` from `a` to `aEnd` equals that from `b` to `bEnd`. */
const sameText = (text: string, a: number, aEnd: number, b: number, bEnd: number): boolean => {
  if (aEnd - a !== bEnd - b) return false
  for (let i = 0; i < aEnd - a; i++) if (text.charCodeAt(a + i) !== text.charCodeAt(b + i)) return false
  return true
}

/** Whether the text from `start` to `end` holds a backslash (an escape). */
const hasEscape = (text: string, start: number, end: number): boolean => {
  const at = text.indexOf("\\", start)
  return at >= 0 && at < end
}

/**
 * Whether the key written from `start` to `end` was written before in the object whose keys are `keys`. Keys are
 * compared by their characters, or by value where either holds an escape (`"\u0061"` is `"a"`).
 */
const repeats = (text: string, keys: Array<number>, start: number, end: number): boolean => {
  const escaped = hasEscape(text, start, end)
  for (let k = 0; k < keys.length; k += 2) {
    const a = keys[k]!
    const aEnd = keys[k + 1]!
    if (escaped || hasEscape(text, a, aEnd)) {
      if (keyValue(text, start, end) === keyValue(text, a, aEnd)) return true
    } else if (sameText(text, a, aEnd, start, end)) {
      return true
    }
  }
  return false
}

/** The value of the key whose characters run from `start` to `end` (inside its quotes). */
const keyValue = (text: string, start: number, end: number): string | undefined =>
  hasEscape(text, start, end) ? safeString(text.slice(start - 1, end + 1)) : text.slice(start, end)

/** Parses `text` like `JSON.parse`, keeping the first of repeated keys and integers beyond 2^53 as text. */
export const parse = (text: string): ParsedJson => {
  const repeatedKeys: Array<string> = []
  let edits: Array<Edit> | undefined
  let markers: Set<string> | undefined
  const stack: Array<Frame> = []
  const length = text.length
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) {
      const end = stringEnd(text, i)
      if (end < 0) break
      const top = stack[stack.length - 1]
      if (top?.keys !== undefined && top.expectKey) {
        if (repeats(text, top.keys, i + 1, end)) {
          repeatedKeys.push(keyValue(text, i + 1, end) ?? text.slice(i + 1, end))
          markers ??= new Set()
          const marker = `\u0000uplink-repeated-key-${markers.size}`
          markers.add(marker)
          edits ??= []
          edits.push({ start: i, end: end + 1, replacement: JSON.stringify(marker) })
        } else {
          top.keys.push(i + 1, end)
        }
        top.expectKey = false
      }
      i = end
    } else if (c === 0x7b /* { */) {
      stack.push({ keys: [], expectKey: true })
    } else if (c === 0x5b /* [ */) {
      stack.push({ keys: undefined, expectKey: false })
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop()
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1]
      if (top?.keys !== undefined) top.expectKey = true
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      // A number: only a long run of digits with no fraction or exponent can be an integer a double rounds.
      let end = i + 1
      let integer = true
      for (; end < length; end++) {
        const d = text.charCodeAt(end)
        if (d >= 0x30 && d <= 0x39) continue
        if (d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d) integer = false
        else break
      }
      const digits = c === 0x2d ? end - i - 1 : end - i
      if (integer && digits > SAFE_DIGITS) {
        const token = text.slice(i, end)
        if (/^-?[1-9]\d*$/.test(token) && BigInt(token) !== BigInt(Number(token))) {
          edits ??= []
          edits.push({ start: i, end, replacement: `"${token}"` })
        }
      }
      i = end - 1
    }
  }
  if (edits === undefined) return { value: JSON.parse(text), repeatedKeys }
  let rewritten = ""
  let last = 0
  for (const edit of edits) {
    rewritten += text.slice(last, edit.start) + edit.replacement
    last = edit.end
  }
  rewritten += text.slice(last)
  const found = markers
  const value =
    found === undefined
      ? JSON.parse(rewritten)
      : JSON.parse(rewritten, (key, inner) => (found.has(key) ? undefined : inner))
  return { value, repeatedKeys }
}

/** The value of a JSON string token, or `undefined` when it is not a valid one (JSON.parse will say why). */
const safeString = (token: string): string | undefined => {
  try {
    return JSON.parse(token) as string
  } catch {
    return undefined
  }
}
