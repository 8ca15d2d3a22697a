/**
 * Offline conversion records for tests: valid ones (a 32-hex click id the emulator's demo mode knows, the demo goal
 * "Offline Purchase", a time an hour ago) and helpers to break one field.
 */
import * as NodeCrypto from "node:crypto"

/** A 32-hex click id, different for every `seed`. */
export const clickId = (seed: string): string => NodeCrypto.createHash("sha256").update(seed).digest("hex").slice(0, 32)

/** An ISO time `minutesAgo` minutes before now, at second precision. */
export const isoMinutesAgo = (minutesAgo: number): string =>
  new Date(Math.floor(Date.now() / 1000) * 1000 - minutesAgo * 60_000).toISOString().replace(".000Z", "Z")

/** A valid conversion. */
export const conversion = (seed: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  MicrosoftClickId: clickId(seed),
  ConversionName: "Offline Purchase",
  ConversionTime: isoMinutesAgo(60),
  ConversionValue: 12.5,
  ConversionCurrencyCode: "USD",
  ...extra
})
