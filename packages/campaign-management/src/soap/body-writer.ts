/**
 * Writes a decoded value as XML, driven by the wire model: elements in XSD sequence order (base-type fields first),
 * `xsi:type` for values of a derived type, `xsi:nil` only where the element is nillable, `xs:list` values
 * space-separated, numbers and times through `codec/scalars`, every text escaped. Elements in the document's default
 * namespace carry no prefix; the few others use the fixed prefixes declared once on the root element. Tags are
 * precomputed per field, so writing an element is a few string concatenations.
 *
 * What the REST overlay adds (fields, enum and flag values, derived types that are not in the WSDL) is never written:
 * a value that uses it fails with a `WireEncodeError` that says it is only available over REST, because the service's
 * SOAP contract is the WSDL and an envelope carrying it would not be valid against its XSD.
 */
import { EncodeFailure } from "../codec/errors.js"
import { describe, formatBoolean, formatDateTime, formatDouble, formatInt, formatLong } from "../codec/scalars.js"
import {
  type ArrayModel,
  type ElementTags,
  elementTags,
  type FieldModel,
  type Model,
  reachableNamespaces,
  type StructModel
} from "../codec/wire-model.js"
import { dataPrefixes } from "../xml/namespaces.js"
import { escapeAttribute, escapeText, escapeTextLossy } from "../xml/text.js"

const prefixOf = (ns: string): string => {
  const prefix = dataPrefixes.get(ns)
  if (prefix === undefined) throw new Error(`no prefix for namespace ${ns}`)
  return prefix
}

const notNillable = (): EncodeFailure => new EncodeFailure("null is not allowed (the element is not nillable)")

/** A value that only REST can carry (from the REST overlay, not in the WSDL). */
export const restOnly = (what: string): EncodeFailure =>
  new EncodeFailure(`${what} is only available over REST (it is not in the WSDL)`)

/** Accumulates one XML fragment whose root element declares `defaultNs` as its default namespace. */
export class BodyWriter {
  out = ""

  /**
   * @param lossy when true, characters XML cannot carry become U+FFFD instead of failing (used for fault details,
   *   which must always be writable).
   */
  constructor(
    private readonly defaultNs: string,
    private readonly lossy = false
  ) {}

  /** Writes the root element `name` of struct type `model` with its namespace declarations. */
  writeRoot(name: string, model: StructModel, value: unknown): void {
    let declarations = ` xmlns="${this.defaultNs}"`
    for (const ns of reachableNamespaces(model)) {
      if (ns !== this.defaultNs) declarations += ` xmlns:${prefixOf(ns)}="${ns}"`
    }
    this.writeStruct(elementTags(name), model, value, declarations)
  }

  private tagsOf(field: FieldModel): ElementTags {
    return field.ns === this.defaultNs ? field.tags : field.prefixedTags
  }

  private typeName(ns: string, local: string): string {
    return ns === this.defaultNs ? local : `${prefixOf(ns)}:${local}`
  }

  /** Writes one field of a struct (nothing when the value is undefined and the field optional). */
  writeField(field: FieldModel, value: unknown): void {
    if (value === undefined) {
      if (!field.optional) throw new EncodeFailure("a value is required")
      return
    }
    if (field.restOnly) throw restOnly(`the field ${field.name}`)
    const tags = this.tagsOf(field)
    if (value === null) {
      if (!field.nillable) throw notNillable()
      this.out += tags.nil
      return
    }
    if (field.repeated) {
      if (!Array.isArray(value)) throw new EncodeFailure(`expected an array, got ${describe(value)}`)
      const model = field.model()
      for (let i = 0; i < value.length; i++) {
        try {
          const item = value[i]
          if (item === null) {
            if (!field.nillable) throw notNillable()
            this.out += tags.nil
          } else this.writeElement(tags, model, item)
        } catch (e) {
          if (e instanceof EncodeFailure) e.segments.unshift(`[${i}]`)
          throw e
        }
      }
      return
    }
    this.writeElement(tags, field.model(), value)
  }

  private writeElement(tags: ElementTags, model: Model, value: unknown): void {
    switch (model.kind) {
      case "scalar": {
        let text: string
        switch (model.scalar.kind) {
          case "string":
            if (typeof value !== "string") throw new EncodeFailure(`expected a string, got ${describe(value)}`)
            if (model.pattern !== undefined && !model.pattern.test(value)) {
              throw new EncodeFailure(`the text does not match the pattern of ${model.name}`)
            }
            text = this.lossy ? escapeTextLossy(value) : escapeText(value)
            break
          case "int":
            text = formatInt(value, model.scalar)
            break
          case "long":
            text = formatLong(value, model.scalar)
            break
          case "boolean":
            text = formatBoolean(value)
            break
          case "double":
          case "decimal":
            text = formatDouble(value)
            break
          case "dateTime":
            text = formatDateTime(value)
            break
        }
        this.out += text === "" ? tags.empty : tags.open + text + tags.close
        return
      }
      case "enum":
        if (typeof value !== "string" || !model.values.has(value)) {
          throw new EncodeFailure(
            `${typeof value === "string" ? `"${value.slice(0, 40)}"` : describe(value)} is not a value of ${model.name}`
          )
        }
        if (model.restOnlyValues?.has(value) === true) throw restOnly(`the ${model.name} value ${value}`)
        this.out += tags.open + value + tags.close
        return
      case "list": {
        if (!Array.isArray(value)) {
          throw new EncodeFailure(`expected an array of ${model.name} values, got ${describe(value)}`)
        }
        let text = ""
        for (const item of value) {
          if (typeof item !== "string" || (model.values !== undefined && !model.values.has(item))) {
            throw new EncodeFailure(
              `${typeof item === "string" ? `"${item.slice(0, 40)}"` : describe(item)} is not a value of ${model.name}`
            )
          }
          if (model.restOnlyValues?.has(item) === true) throw restOnly(`the ${model.name} value ${item}`)
          text += text === "" ? item : ` ${item}`
        }
        this.out += text === "" ? tags.empty : tags.open + text + tags.close
        return
      }
      case "struct":
        this.writeStruct(tags, model, value, "")
        return
      case "array":
        this.writeArray(tags, model, value)
        return
    }
  }

  private writeStruct(tags: ElementTags, declared: StructModel, value: unknown, declarations: string): void {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new EncodeFailure(`expected an object, got ${describe(value)}`)
    }
    const record = value as Record<string, unknown>
    let model = declared
    let typeAttribute = ""
    if (declared.tagged) {
      const tag = record._tag
      if (tag !== undefined && tag !== declared.selfTag) {
        const concrete = typeof tag === "string" ? declared.concrete.get(tag) : undefined
        if (concrete === undefined) {
          throw new EncodeFailure(`_tag ${String(tag)} is not ${declared.name} or a type derived from it`)
        }
        if (concrete.restOnly) throw restOnly(`the type ${concrete.tag}`)
        model = concrete.struct()
        typeAttribute = ` i:type="${escapeAttribute(this.typeName(concrete.ns, concrete.tag))}"`
      } else if (declared.selfTag === undefined) {
        throw new EncodeFailure(`${declared.name} is abstract: _tag must name a derived type`)
      }
    }
    this.out +=
      declarations === "" && typeAttribute === "" ? tags.open : `<${tags.qname}${declarations}${typeAttribute}>`
    const fields = model.fields
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!
      try {
        this.writeField(field, record[field.name])
      } catch (e) {
        if (e instanceof EncodeFailure) e.segments.unshift(field.name)
        throw e
      }
    }
    this.out += tags.close
  }

  private writeArray(tags: ElementTags, model: ArrayModel, value: unknown): void {
    if (!Array.isArray(value)) throw new EncodeFailure(`expected an array, got ${describe(value)}`)
    if (value.length === 0) {
      this.out += tags.empty
      return
    }
    this.out += tags.open
    const item = model.item
    const itemTags = this.tagsOf(item)
    const itemModel = item.model()
    for (let i = 0; i < value.length; i++) {
      const element = value[i]
      try {
        if (element === null) {
          if (!item.nillable) throw new EncodeFailure("null is not allowed (the items are not nillable)")
          this.out += itemTags.nil
        } else if (element === undefined) {
          throw new EncodeFailure("an array item is undefined")
        } else this.writeElement(itemTags, itemModel, element)
      } catch (e) {
        if (e instanceof EncodeFailure) e.segments.unshift(`[${i}]`)
        throw e
      }
    }
    this.out += tags.close
  }
}
