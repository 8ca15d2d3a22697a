/**
 * The REST `"Type"` discriminator of polymorphic values. REST JSON carries no `xsi:type`; a value of a type in an
 * extension hierarchy says its type in its `Type` property instead. The rule, derived from the wire tables:
 *
 * - When the hierarchy's root has an enum or list field `Type` (ConversionGoal: ConversionGoalType, Ad: AdType,
 *   Audience, AudienceGroupDimension), a derived type's discriminator is the value `v` of that enum with
 *   type name = `v`, `v` + the root's last word, or `v` + the root name (`OfflineConversion` → OfflineConversionGoal,
 *   `Text` → TextAd, `Age` → AgeDimension). The root itself has no discriminator: its own `Type` field is written.
 * - Otherwise (a string `Type` field or none: BatchError, ApplicationFault, …) the discriminator is the type name
 *   (`BatchError`, `EditorialError`, `ApiFaultDetail`), except for the names in {@link discriminatorOverrides}.
 *
 * Decoding accepts the discriminator and the type name (`OfflineConversionGoal` too), as Microsoft's REST SDK does.
 */
import { type ConcreteModel, type Model, rootOf, type StructModel, structOf } from "../codec/wire-model.js"

/**
 * Discriminators that cannot be derived: the short bidding-scheme names the REST API uses (from the Bing Ads REST
 * SDK's `BiddingScheme` model, v13.0.28.1), and `CompanyName` for the REST-only CompanyList (the Python SDK's
 * `LinkedInSegment.from_dict`, BingAds/BingAds-Python-SDK@a2df08b09ad1e0d4ede7a8b3cba821710175e06c:
 * openapi_client/models/campaign/linked_in_segment.py, maps both "CompanyName" and "CompanyList" to it; it sends
 * "CompanyName"). Every other type in a string-`Type` hierarchy uses its type name.
 */
export const discriminatorOverrides: Readonly<Record<string, string>> = {
  CompanyList: "CompanyName",
  CostPerSaleBiddingScheme: "CostPerSale",
  EnhancedCpcBiddingScheme: "EnhancedCpc",
  InheritFromParentBiddingScheme: "InheritFromParent",
  ManualCpcBiddingScheme: "ManualCpc",
  ManualCpmBiddingScheme: "ManualCpm",
  ManualCpvBiddingScheme: "ManualCpv",
  MaxClicksBiddingScheme: "MaxClicks",
  MaxConversionsBiddingScheme: "MaxConversions",
  TargetCpaBiddingScheme: "TargetCpa"
}

const lastWord = (name: string): string => {
  for (let i = name.length - 1; i > 0; i--) {
    const c = name.charCodeAt(i)
    if (c >= 65 && c <= 90) return name.slice(i)
  }
  return name
}

/** The enum values of the root's `Type` field when it is an enum or a list, else undefined. */
const typeFieldValues = (root: StructModel): ReadonlyArray<string> | undefined => {
  const field = root.fields.find((f) => f.name === "Type")
  if (field === undefined) return undefined
  const model: Model = field.model()
  if (model.kind === "enum") return [...model.values]
  if (model.kind === "list" && model.item.kind === "enum") return [...model.item.values]
  return undefined
}

const cache = new WeakMap<StructModel, string | undefined>()

/** The REST discriminator of a concrete type, or undefined for the root of an enum hierarchy. */
export const discriminatorOf = (concrete: ConcreteModel): string | undefined => {
  const model = concrete.struct()
  if (cache.has(model)) return cache.get(model)
  const root = structOf(rootOf(model.wire))
  const rootName = root.name
  const values = typeFieldValues(root)
  let result: string | undefined
  if (values === undefined) {
    result = discriminatorOverrides[concrete.tag] ?? concrete.tag
  } else if (concrete.type === rootName) {
    result = undefined
  } else {
    const suffix = lastWord(rootName)
    result =
      values.find((v) => concrete.tag === v || concrete.tag === v + suffix || concrete.tag === v + rootName) ??
      discriminatorOverrides[concrete.tag] ??
      concrete.tag
  }
  cache.set(model, result)
  return result
}

/** How the discriminator is stored in a type's own `Type` field (list fields hold `[value]`). */
export const typeFieldValue = (model: StructModel, discriminator: string): unknown => {
  const field = model.fields.find((f) => f.name === "Type")
  if (field === undefined) return undefined
  return field.model().kind === "list" ? [discriminator] : discriminator
}

const reverse = new WeakMap<StructModel, ReadonlyMap<string, ConcreteModel>>()

/** The concrete type a `"Type"` value names, among the types a field declared as `declared` may hold. */
export const concreteByDiscriminator = (declared: StructModel, value: string): ConcreteModel | undefined => {
  let byValue = reverse.get(declared)
  if (byValue === undefined) {
    const map = new Map<string, ConcreteModel>()
    for (const concrete of declared.concrete.values()) {
      const discriminator = discriminatorOf(concrete)
      if (discriminator !== undefined && !map.has(discriminator)) map.set(discriminator, concrete)
    }
    for (const concrete of declared.concrete.values()) if (!map.has(concrete.tag)) map.set(concrete.tag, concrete)
    byValue = map
    reverse.set(declared, byValue)
  }
  return byValue.get(value)
}

/** True when the `Type` property of this type is its discriminator (not a free data field). */
export const typeIsDiscriminator = (model: StructModel): boolean => {
  if (!model.tagged) return false
  const concrete = model.selfTag === undefined ? undefined : model.concrete.get(model.selfTag)
  return concrete !== undefined && discriminatorOf(concrete) !== undefined
}
