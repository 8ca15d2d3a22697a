/**
 * Input column names: which header cell (CSV) or key (JSON Lines) means which field. Names are matched case-, space-
 * and underscore-insensitively against the API field names and Microsoft's column names (docs/microsoft-api.md §10), so
 * `Microsoft Click Id`, `microsoft_click_id` and `MicrosoftClickId` are the same column. Raw `Email` / `Phone` columns
 * are recognised too (they are hashed before anything leaves the process), and the Bulk file's bookkeeping columns
 * (`Type`, `Status`, `Id`, …) are known so they are not reported as unknown.
 */

/** The fields of `OfflineConversion` (docs/microsoft-api.md §2), in XSD order. */
export const conversionFields = [
  "ConversionCurrencyCode",
  "ConversionName",
  "ConversionTime",
  "ConversionValue",
  "ExternalAttributionCredit",
  "ExternalAttributionModel",
  "HashedEmailAddress",
  "HashedPhoneNumber",
  "MicrosoftClickId"
] as const

/** The fields of `OfflineConversionAdjustment` (docs/microsoft-api.md §2), in XSD order. */
export const adjustmentFields = [
  "AdjustmentCurrencyCode",
  "AdjustmentTime",
  "AdjustmentType",
  "AdjustmentValue",
  "ConversionName",
  "ConversionTime",
  "HashedEmailAddress",
  "HashedPhoneNumber",
  "MicrosoftClickId"
] as const

/** Raw identifiers, normalised and SHA-256-hashed by the pipeline. */
export const rawIdentifierFields = ["Email", "Phone"] as const

/** Every field a record can carry. */
export type FieldName =
  | (typeof conversionFields)[number]
  | (typeof adjustmentFields)[number]
  | (typeof rawIdentifierFields)[number]

/** The values of one input record by field; CSV gives strings, JSON Lines any JSON value. */
export type FieldValues = { readonly [K in FieldName]?: unknown }

/** Whether the run applies conversions or adjusts (restates / retracts) them. */
export type Mode = "apply" | "adjust"

/** How a header cell is used. */
export type ColumnRole =
  | { readonly _tag: "Field"; readonly field: FieldName }
  | { readonly _tag: "BulkType" }
  | { readonly _tag: "Id" }
  | { readonly _tag: "Ignored" }
  | { readonly _tag: "Unknown" }

/** `Microsoft Click Id` → `microsoftclickid`: the form names are compared in. */
export const normalizeName = (name: string): string =>
  name
    .trim()
    .replace(/[\s_]+/g, "")
    .toLowerCase()

const allFields: ReadonlyArray<FieldName> = [
  ...new Set<FieldName>([...conversionFields, ...adjustmentFields, ...rawIdentifierFields])
]

const fieldByName = new Map<string, FieldName>([
  ...allFields.map((field) => [normalizeName(field), field] as const),
  ["emailaddress", "Email"],
  ["phonenumber", "Phone"],
  ["msclkid", "MicrosoftClickId"]
])

/** Fields that only mean something for conversions; an adjustment run ignores them. */
const conversionOnly: ReadonlySet<FieldName> = new Set(
  conversionFields.filter((field) => !(adjustmentFields as ReadonlyArray<string>).includes(field))
)

/** The Bulk file's record bookkeeping columns (docs/microsoft-api.md §10), not fields of a conversion. */
const bulkBookkeeping: ReadonlySet<string> = new Set(["status", "id", "parentid", "clientid", "name"])

/** What a column named `name` is for in a run of `mode`, in a Bulk file when `bulk`. */
export const roleOf = (name: string, mode: Mode, bulk: boolean): ColumnRole => {
  const key = normalizeName(name)
  if (bulk && key === "type") return { _tag: "BulkType" }
  if (bulk && bulkBookkeeping.has(key)) return { _tag: "Ignored" }
  if (!bulk && key === "id") return { _tag: "Id" }
  const field = fieldByName.get(key)
  if (field === undefined) return { _tag: "Unknown" }
  if (mode === "adjust" && conversionOnly.has(field)) return bulk ? { _tag: "Ignored" } : { _tag: "Unknown" }
  return { _tag: "Field", field }
}

/** Whether a header row is a Bulk file's: it has a `Type` column. */
export const isBulkHeader = (names: ReadonlyArray<string>): boolean =>
  names.some((name) => normalizeName(name) === "type")
