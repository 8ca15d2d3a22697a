/**
 * `DedupeTable`: the set of dedupe keys a run has seen, kept as fingerprints — the first line of each key, and nothing
 * of the key itself. A key is reduced to 96 bits of its MurmurHash3 (`murmur3.ts`); a slot is those three words and
 * the first line, 16 bytes in one typed array (open addressing, linear probing, at most `MAX_LOAD` full), so the table
 * holds no strings and gives the garbage collector nothing to trace. The price is a chance that two different keys
 * share a fingerprint and the second is wrongly called a duplicate: about n² / 2⁹⁷ for n keys (10⁻¹⁵ for ten million).
 * Sizes: `reserve` sizes it once, exactly, for the keys to come; otherwise it doubles when full. `release` frees it
 * at once when the run's input has ended; a released table must not be used again.
 */
import type { KeyUnits } from "./keyUnits.js"
import { murmur128, murmur128Units } from "./murmur3.js"

const SLOT = 4
/**
 * Slots used at most before the table grows (and the load a table reserved for a file is sized for): at 0.8 linear
 * probing still finds a new key in about 3 probes on average while the table fills.
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
    if (this.capacity === 0) throw new Error("DedupeTable: used after release")
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

  /**
   * Frees the table's memory now, not when the garbage collector next collects old objects (a run ends before it
   * does): the table is a run's largest allocation, and what the run does once its input has ended (its last
   * batches, writing the ledger) would otherwise add to peak memory on top of it. The buffer is detached by moving it
   * to a copy that is dropped at once (Node 20 has no `ArrayBuffer.prototype.transfer`), so its bytes go with the next
   * young collection. The table is empty and unusable afterwards.
   */
  release(): void {
    // Always an ArrayBuffer: the table makes its own arrays.
    const buffer = this.slots.buffer as ArrayBuffer
    this.slots = new Uint32Array(0)
    this.capacity = 0
    this.count = 0
    structuredClone(buffer, { transfer: [buffer] })
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
