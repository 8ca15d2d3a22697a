/**
 * Offline conversion records for tests: valid ones (a 32-hex click id the emulator's demo mode knows, the demo goal
 * "Offline Purchase", a time an hour ago) and helpers to break one field.
 */
import { clickId, isoAgo, MINUTE } from "@uplink/emulator/testing"

/** An ISO time `minutesAgo` minutes before now, at second precision. */
export const isoMinutesAgo = (minutesAgo: number): string => isoAgo(minutesAgo * MINUTE)

/** A valid conversion. */
export const conversion = (seed: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  MicrosoftClickId: clickId(seed),
  ConversionName: "Offline Purchase",
  ConversionTime: isoMinutesAgo(60),
  ConversionValue: 12.5,
  ConversionCurrencyCode: "USD",
  ...extra
})
