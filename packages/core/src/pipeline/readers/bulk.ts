/**
 * Microsoft's Bulk CSV (docs/microsoft-api.md §10): a `Type` column says what each row is. The `Format Version` row is
 * bookkeeping and produces no record; `Offline Conversion` rows are records (a Restate or Retract when their
 * `Adjustment Type` is set, checked by the validation of the run's mode); any other record type is reported as an
 * invalid row, never dropped. Bulk times (`M/D/YYYY h:mm:ss AM/PM`) are UTC; `time.ts` parses them.
 */
import { normalizeName } from "../columns.js"

/** What a Bulk row is, by its `Type` cell. */
export type BulkRowKind =
  | { readonly _tag: "FormatVersion" }
  | { readonly _tag: "OfflineConversion" }
  | { readonly _tag: "Unsupported"; readonly reason: string }

/** Classifies a Bulk row by its `Type` cell (case-, space- and underscore-insensitive). */
export const bulkRowKind = (type: string): BulkRowKind => {
  switch (normalizeName(type)) {
    case "formatversion":
      return { _tag: "FormatVersion" }
    case "offlineconversion":
      return { _tag: "OfflineConversion" }
    case "":
      return { _tag: "Unsupported", reason: "a Bulk row without a Type" }
    default:
      return {
        _tag: "Unsupported",
        reason: `Bulk record type ${JSON.stringify(type.trim().slice(0, 60))} is not read; only Offline Conversion rows are`
      }
  }
}
