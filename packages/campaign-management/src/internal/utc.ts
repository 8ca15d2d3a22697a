/**
 * Internal, not API: `DateTime.Utc` values made without Effect's constructor, for the paths that make one per item
 * (every time of every item encoded or decoded, in the pipeline and in the emulator); `utcFromMillis` (codec/scalars.ts)
 * is the public name of `makeUtc`.
 *
 * Effect's constructor defines the `partsUtc` cache with `Object.defineProperty`, a runtime call per value (the package
 * README, "Performance notes", has its cost). Values made here are instances of a class whose
 * prototype extends Effect's own `Utc` prototype: `epochMillis` is their only own property (as with Effect's, whose
 * `partsUtc` is not enumerable), and the parts cache is an accessor on the prototype backed by a `WeakMap` (Effect
 * fills it only when a value is split into parts or formatted). So they are real `DateTime.Utc` values: same
 * prototype methods, `Equal`, `Hash`, `toJSON`, `toString`, guards.
 *
 * This leans on one detail of Effect's internals, checked once at load: that Effect's `Utc` values own exactly
 * `epochMillis` and `partsUtc`. If a later version adds another own property, `makeUtc` uses Effect's constructor.
 */
import * as DateTime from "effect/DateTime"

/** The largest |ms| a JavaScript Date (and so a DateTime) can hold. */
const MAX_EPOCH_MS = 8.64e15

const effectUtc = DateTime.unsafeMake(0)
const ownKeys = Reflect.ownKeys(effectUtc)

/** Whether Effect's `Utc` values are still made of what this module makes (checked once, at load). */
export const fastUtcIsFaithful: boolean =
  ownKeys.length === 2 && ownKeys.includes("epochMillis") && ownKeys.includes("partsUtc")

const partsCache = new WeakMap<object, unknown>()

class FastUtc {
  constructor(readonly epochMillis: number) {}
}
Object.setPrototypeOf(FastUtc.prototype, Object.getPrototypeOf(effectUtc))
// No `constructor` of its own: `value.constructor` is what it is for Effect's values.
delete (FastUtc.prototype as { constructor?: unknown }).constructor
Object.defineProperty(FastUtc.prototype, "partsUtc", {
  get(this: object) {
    return partsCache.get(this)
  },
  set(this: object, parts: unknown) {
    partsCache.set(this, parts)
  },
  enumerable: false,
  configurable: true
})

/** A `DateTime.Utc` for an instant in ms since the epoch; throws, as `DateTime.unsafeMake` does, for a non-instant. */
export const makeUtc = (epochMs: number): DateTime.Utc => {
  if (!fastUtcIsFaithful || !Number.isInteger(epochMs) || Math.abs(epochMs) > MAX_EPOCH_MS) {
    return DateTime.unsafeMake(epochMs)
  }
  // `+ 0` turns -0 into 0, as a Date does.
  return new FastUtc(epochMs + 0) as unknown as DateTime.Utc
}
