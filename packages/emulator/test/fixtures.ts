/**
 * Shared test fixtures: a fixed "now", contract-typed items, and an emulated service with known goals and clicks.
 */
import type { Schemas } from "@uplink/campaign-management"
import { DateTime } from "effect"
import { defaultCredentials } from "../src/domain/Credentials.js"
import { EmulatedService } from "../src/domain/EmulatedService.js"
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../src/domain/Time.js"
import { defaultOAuthSettings } from "../src/domain/TokenStore.js"

export const NOW = Date.parse("2026-08-01T12:00:00.000Z")

export const at = (ms: number): DateTime.Utc => DateTime.unsafeMake(ms)

/** Click ids registered by `makeService`, with their click times. */
export const CLICK_A = "f894f652ea334e739002f7167ab8f8e3"
export const CLICK_A_TIME = NOW - DAY_MS
export const CLICK_B = "0123456789abcdef0123456789abcdef"
export const CLICK_B_TIME = NOW - 3 * HOUR_MS
export const HASH = "f25ad364d33972379a7a4f4df33db142205f5c40eb19cfdb2fc5aaf117e10101"

/** A valid conversion for goal "Purchase" on CLICK_A, one hour before NOW; override any field. */
export const conversion = (overrides: Partial<Schemas.OfflineConversion> = {}): Schemas.OfflineConversion => ({
  ConversionCurrencyCode: "USD",
  ConversionName: "Purchase",
  ConversionTime: at(NOW - HOUR_MS),
  ConversionValue: 10,
  MicrosoftClickId: CLICK_A,
  ...overrides
})

/** A valid Restate of `conversion()`; override any field. */
export const adjustment = (
  overrides: Partial<Schemas.OfflineConversionAdjustment> = {}
): Schemas.OfflineConversionAdjustment => ({
  AdjustmentCurrencyCode: "USD",
  AdjustmentTime: at(NOW - 30 * MINUTE_MS),
  AdjustmentType: "Restate",
  AdjustmentValue: 7.5,
  ConversionName: "Purchase",
  ConversionTime: at(NOW - HOUR_MS),
  MicrosoftClickId: CLICK_A,
  ...overrides
})

/** A mutable clock starting at NOW. */
export const makeClock = (start = NOW) => {
  let now = start
  return {
    clock: () => now,
    advance: (ms: number) => {
      now += ms
    },
    set: (ms: number) => {
      now = ms
    }
  }
}

/**
 * A service with goals "Purchase" (3 h old, 30-day window, revenue 5 USD fixed), "Fresh" (1 h old), "Short" (60-minute
 * window), "Unique" (CountType Unique), "NoCurrency" (no revenue currency) and clicks CLICK_A, CLICK_B.
 */
export const makeService = (options: { readonly demo?: boolean; readonly clock?: () => number } = {}) => {
  const service = new EmulatedService({
    clock: options.clock ?? (() => NOW),
    credentials: defaultCredentials,
    demo: options.demo ?? false,
    oauth: defaultOAuthSettings
  })
  service.registerGoals([
    {
      name: "Purchase",
      createdAt: NOW - 3 * HOUR_MS,
      revenue: { type: "FixedValue", value: 5, currencyCode: "USD" }
    },
    { name: "Fresh", createdAt: NOW - HOUR_MS },
    { name: "Short", createdAt: NOW - 30 * DAY_MS, conversionWindowInMinutes: 60 },
    { name: "Unique", createdAt: NOW - 30 * DAY_MS, countType: "Unique" },
    { name: "NoCurrency", createdAt: NOW - 30 * DAY_MS, revenue: { type: "VariableValue", value: null } }
  ])
  service.registerClicks({
    [CLICK_A]: new Date(CLICK_A_TIME).toISOString(),
    [CLICK_B]: new Date(CLICK_B_TIME).toISOString()
  })
  return service
}

/** The (Index, Code) pairs of a PartialErrors list. */
export const codesByIndex = (errors: ReadonlyArray<Schemas.BatchErrorUnion | null> | null | undefined) =>
  (errors ?? []).map((error) => [error?.Index, error?.Code])
