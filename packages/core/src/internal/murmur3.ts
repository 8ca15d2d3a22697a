/**
 * MurmurHash3 (x86, 128-bit) over UTF-16 code units, two units per 32-bit word — the same digest as the reference
 * implementation over the UTF-16LE bytes. The dedupe table's fingerprint: fast and well mixed, not cryptographic
 * (nobody gains from forging a collision in their own upload).
 */
import { KeyUnits } from "./keyUnits.js"

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
