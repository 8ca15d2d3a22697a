/**
 * Deterministic sample values of any wire type, for tests (exported as `@uplink/campaign-management/testing`).
 * Driven by the wire metadata (it loads the full table: `wireTypes`, `operations`): every field is filled, optional ones included; recursion goes one level deep (a type appears
 * at most twice on a path); polymorphic fields get derived types (arrays hold one item per concrete type, single
 * fields rotate through them); longs go beyond 2^53, times carry milliseconds or not, enums and lists rotate through
 * their values, some strings need XML escaping or are non-ASCII. With `nils: true`, every other nillable field is
 * nil and arrays with nillable items get a null item.
 *
 * The `Type` field of a polymorphic value is set to its REST discriminator (the value the service itself sends), so
 * samples round-trip through REST JSON too. With `protocol: "soap"`, nothing the REST overlay adds is used (fields,
 * enum and flag values, derived types that are not in the WSDL), so the sample is valid against the WSDL's XSD.
 */
import * as DateTime from "effect/DateTime"
import type { RequestOf, ResponseOf } from "../codec/types.js"
import {
  builtinModel,
  type ConcreteModel,
  elementStruct,
  type FieldModel,
  type Model,
  modelOf,
  type StructModel
} from "../codec/wire-model.js"
import { type OperationName, operations } from "../generated/operations.js"
import type { WireElement } from "../generated/wire-types.js"
import { wireTypes } from "../generated/wire.js"
import { discriminatorOf, typeFieldValue } from "../rest/discriminators.js"

export interface SampleOptions {
  /** Nil every other nillable field and put a null item in arrays whose items are nillable. Default false. */
  readonly nils?: boolean
  /** Shifts every generated value, to get a different but still deterministic sample. Default 0. */
  readonly seed?: number
  /** `"soap"`: only what the WSDL has (no REST-only fields, values or types). Default `"rest"`: the whole contract. */
  readonly protocol?: "soap" | "rest"
}

/** Strings with characters that need escaping or are outside ASCII, used for every fifth string. */
const SPECIAL_STRINGS = [
  `Purchase & <Lead> "quoted" 'single' ]]> done`,
  "Café Zürich — ½ price ✓ 😀 日本語",
  "tab\there\nnew line\r\ncarriage return",
  "   leading and trailing spaces   "
]

const FIXED_PATTERN_SAMPLES: Readonly<Record<string, (n: number) => string>> = {
  guid: (n) =>
    `${(0x10000000 + n).toString(16).slice(-8)}-1234-4abc-9def-${(0x100000000000 + n).toString(16).slice(-12)}`,
  duration: (n) => `P${n % 30}DT${n % 24}H${n % 60}M`
}

class Generator {
  private n: number
  private nilToggle = true
  private readonly onPath = new Map<string, number>()

  constructor(private readonly options: SampleOptions) {
    this.n = 1 + (options.seed ?? 0) * 7919
  }

  private next(): number {
    return this.n++
  }

  /** True when a struct type may not be entered again on this path. */
  private exhausted(type: string): boolean {
    return (this.onPath.get(type) ?? 0) >= 2
  }

  /** The struct type an element of `model` would enter first, if any (looking through arrays). */
  private blocked(model: Model): boolean {
    if (model.kind === "struct") return this.concreteChoices(model).length === 0
    if (model.kind === "array") return this.blocked(model.item.model())
    return false
  }

  private get soap(): boolean {
    return this.options.protocol === "soap"
  }

  /** The values of an enumeration or flags list this sample may use. */
  private usable(values: ReadonlySet<string>, restOnly: ReadonlySet<string> | undefined): Array<string> {
    return [...values].filter((v) => !(this.soap && restOnly?.has(v) === true))
  }

  private concreteChoices(declared: StructModel): Array<ConcreteModel | undefined> {
    if (declared.concrete.size === 0) return this.exhausted(declared.name) ? [] : [undefined]
    return [...declared.concrete.values()].filter((c) => !this.exhausted(c.type) && !(this.soap && c.restOnly))
  }

  value(model: Model): unknown {
    const n = this.next()
    switch (model.kind) {
      case "scalar":
        return this.scalar(model, n)
      case "enum": {
        const values = this.usable(model.values, model.restOnlyValues)
        return values[n % values.length]
      }
      case "list": {
        const values = model.values === undefined ? [] : this.usable(model.values, model.restOnlyValues)
        if (values.length <= 1) return values
        const first = n % values.length
        return [values[first], values[(first + 1) % values.length]]
      }
      case "struct": {
        const choices = this.concreteChoices(model)
        return this.struct(model, choices[n % choices.length])
      }
      case "array": {
        const itemModel = model.item.model()
        const items: Array<unknown> = []
        if (itemModel.kind === "struct" && this.concreteChoices(itemModel).length > 1) {
          for (const concrete of this.concreteChoices(itemModel).slice(0, 8))
            items.push(this.struct(itemModel, concrete))
        } else if (!this.blocked(itemModel)) {
          items.push(this.value(itemModel), this.value(itemModel))
        }
        if (this.options.nils === true && model.item.nillable) items.splice(1, 0, null)
        return items
      }
    }
  }

  private scalar(model: Extract<Model, { kind: "scalar" }>, n: number): unknown {
    switch (model.scalar.kind) {
      case "string": {
        const fixed = FIXED_PATTERN_SAMPLES[model.name]
        if (fixed !== undefined) return fixed(n)
        if (model.pattern !== undefined) return ""
        return n % 5 === 0 ? `${SPECIAL_STRINGS[(n / 5) % SPECIAL_STRINGS.length]} #${n}` : `text-${n}`
      }
      case "int": {
        const max = Number(model.scalar.max)
        const min = Number(model.scalar.min)
        if (n % 11 === 0) return max
        if (n % 13 === 0 && min < 0) return min
        return min < 0 && n % 3 === 0 ? -((n * 37) % 1000) : (n * 37) % Math.min(max, 100000)
      }
      case "long": {
        if (n % 11 === 0) return 9223372036854775807n
        if (n % 13 === 0) return -9223372036854775808n
        return 9007199254740993n + BigInt(n) * 1000003n
      }
      case "boolean":
        return n % 2 === 0
      case "double":
      case "decimal":
        if (n % 17 === 0) return 1e21
        if (n % 19 === 0) return 0.0000001
        return Math.round(n * 1.25 * 100) / 100 + 0.01
      case "dateTime":
        return DateTime.unsafeMake(Date.UTC(2026, 0, 1) + n * 3_600_000 + (n % 2 === 0 ? n % 1000 : 0))
    }
  }

  private struct(declared: StructModel, concrete: ConcreteModel | undefined): Record<string, unknown> {
    const model = concrete === undefined || concrete.type === declared.name ? declared : concrete.struct()
    const count = this.onPath.get(model.name) ?? 0
    this.onPath.set(model.name, count + 1)
    const out: Record<string, unknown> = {}
    if (model.tagged) out._tag = concrete?.tag ?? model.selfTag ?? model.name
    const discriminator = concrete === undefined ? undefined : discriminatorOf(concrete)
    for (const field of model.fields) {
      if (field.name === "Type" && model.tagged) {
        // The REST discriminator lives in Type: keep it consistent with the concrete type.
        if (discriminator !== undefined) out.Type = typeFieldValue(model, discriminator)
        else {
          const own = this.ownTypeValue(model, field)
          if (own !== undefined) out.Type = own
        }
        continue
      }
      if (this.soap && field.restOnly) continue
      const value = this.field(field)
      if (value !== undefined) out[field.name] = value
    }
    this.onPath.set(model.name, count)
    return out
  }

  /** For the root of an enum hierarchy: an enum value that names no derived type (else none). */
  private ownTypeValue(model: StructModel, field: FieldModel): unknown {
    const typeModel = field.model()
    const values =
      typeModel.kind === "enum"
        ? this.usable(typeModel.values, typeModel.restOnlyValues)
        : typeModel.kind === "list" && typeModel.item.kind === "enum"
          ? this.usable(typeModel.item.values, typeModel.item.restOnlyValues)
          : undefined
    if (values === undefined) return this.value(typeModel)
    const taken = new Set([...model.concrete.values()].map((c) => discriminatorOf(c)))
    const free = values.find((v) => !taken.has(v))
    if (free === undefined) return undefined
    return typeModel.kind === "list" ? [free] : free
  }

  private field(field: FieldModel): unknown {
    const model = field.model()
    if (field.nillable && this.options.nils === true) {
      this.nilToggle = !this.nilToggle
      if (this.nilToggle) return null
    }
    if (this.blocked(model)) {
      if (field.optional) return undefined
      if (field.nillable) return null
      if (model.kind === "array") return []
    }
    if (field.repeated) return [this.value(model), this.value(model)]
    return this.value(model)
  }
}

/** The model of a type by name (a key of `wireTypes` or `xs:<builtin>`). */
const modelNamed = (type: string): Model => {
  if (type.startsWith("xs:")) return builtinModel(type)
  const wire = wireTypes[type]
  if (wire === undefined) throw new Error(`unknown wire type ${type}`)
  return modelOf(wire)
}

/** A sample value of a wire type (a key of `wireTypes` or `xs:<builtin>`). */
export const sampleValue = (type: string, options: SampleOptions = {}): unknown =>
  new Generator(options).value(modelNamed(type))

const sampleElement = (element: WireElement, options: SampleOptions): unknown =>
  new Generator(options).value(elementStruct(element).model)

/** A sample request body of an operation, every field filled. */
export const sampleRequest = <Op extends OperationName>(op: Op, options: SampleOptions = {}): RequestOf<Op> =>
  sampleElement(operations[op].wire.request, options) as RequestOf<Op>

/** A sample response body of an operation, every field filled. */
export const sampleResponse = <Op extends OperationName>(op: Op, options: SampleOptions = {}): ResponseOf<Op> =>
  sampleElement(operations[op].wire.response, options) as ResponseOf<Op>

/**
 * What a REST JSON round trip gives for a value of wire type `type`: REST omits null properties, so every optional
 * property that is null is removed (required nillable ones decode as null again, and array items keep their nulls).
 */
export const withoutOptionalNulls = (type: string, value: unknown): unknown => strip(modelNamed(type), value)

const strip = (model: Model, value: unknown): unknown => {
  if (value === null || value === undefined) return value
  if (model.kind === "array") {
    const item = model.item.model()
    return (value as ReadonlyArray<unknown>).map((v) => strip(item, v))
  }
  if (model.kind !== "struct") return value
  const record = value as Record<string, unknown>
  const tag = record._tag
  const concrete = typeof tag === "string" ? model.concrete.get(tag) : undefined
  const actual = concrete === undefined || concrete.type === model.name ? model : concrete.struct()
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(record)) {
    const index = actual.byName.get(key)
    const field = index === undefined ? undefined : actual.fields[index]
    if (field === undefined) out[key] = v
    else if (v === null && field.optional) continue
    else if (field.repeated && Array.isArray(v)) {
      const item = field.model()
      out[key] = v.map((x) => strip(item, x))
    } else out[key] = strip(field.model(), v)
  }
  return out
}

/** {@link withoutOptionalNulls} for the request or response body of an operation. */
export const restEquivalent = <Op extends OperationName>(
  op: Op,
  direction: "request" | "response",
  value: unknown
): unknown => {
  const element = direction === "request" ? operations[op].wire.request : operations[op].wire.response
  return strip(elementStruct(element).model, value)
}
