/**
 * The emulator's keys (its `accepted[].key` and `receivedCounts`) of plain conversion records that carry a click id,
 * a goal and a time only, for tests that check every record arrived exactly once.
 */
import { conversionKey } from "@uplink/emulator"

export const conversionKeys = (records: ReadonlyArray<Record<string, unknown>>): Set<string> =>
  new Set(
    records.map((record) =>
      conversionKey({
        MicrosoftClickId: record.MicrosoftClickId as string,
        ConversionName: record.ConversionName as string,
        ConversionTime: Date.parse(record.ConversionTime as string),
        ConversionValue: null,
        ConversionCurrencyCode: null,
        ExternalAttributionCredit: null,
        ExternalAttributionModel: null,
        HashedEmailAddress: null,
        HashedPhoneNumber: null
      })
    )
  )
