/**
 * Reads decoded values from XML, driven by the wire model: the counterpart of `body-writer`. Values are built
 * directly in their decoded form (bigint, DateTime.Utc, `_tag` from `xsi:type`), checked as they are read.
 *
 * Two modes. Strict (requests, for the emulator): elements must be in XSD order and in their namespace; unknown,
 * out-of-order or repeated elements, missing required elements, nil on a non-nillable element and unknown enum values
 * are errors naming the element path. Tolerant (responses, for core): elements are matched by local name in any
 * order, unknown elements are skipped (newer service versions add fields), enum values this WSDL does not know are
 * passed through as strings, an unknown derived type is read as its declared base type, and a list element that is
 * nil or absent where the type cannot say so reads as empty.
 *
 * What the REST overlay adds (fields, values and derived types not in the WSDL) is not part of the SOAP contract: the
 * strict reader refuses it as it refuses anything unknown; the tolerant reader accepts it, as it accepts anything newer.
 */
import { DecodeFailure } from "../codec/errors.js"
import { parseBoolean, parseDateTime, parseDecimalText, parseInt32, parseLong } from "../codec/scalars.js"
import type { ArrayModel, FieldModel, Model, StructModel } from "../codec/wire-model.js"
import type { XmlReader } from "../xml/reader.js"

const fail = (reason: DecodeFailure["reason"], message: string, segment?: string): never => {
  const failure = new DecodeFailure(reason, message)
  if (segment !== undefined) failure.segments.push(segment)
  throw failure
}

/** Reads the element opened last as a value of `field`, and closes it. */
export const readValue = (r: XmlReader, field: FieldModel, strict: boolean): unknown => {
  if (r.isNil()) {
    if (field.nillable) {
      r.skip()
      return null
    }
    const model = field.model()
    if (!strict && model.kind === "array") {
      r.skip()
      return []
    }
    return fail("SchemaMismatch", "xsi:nil on an element that is not nillable")
  }
  return readContent(r, field.model(), strict)
}

const readContent = (r: XmlReader, model: Model, strict: boolean): unknown => {
  switch (model.kind) {
    case "scalar": {
      const text = r.readText(!strict)
      let value: unknown
      switch (model.scalar.kind) {
        case "string":
          if (strict && model.pattern !== undefined && !model.pattern.test(text)) {
            return fail("SchemaMismatch", `the text does not match the pattern of ${model.name}`)
          }
          return text
        case "int":
          value = parseInt32(text.trim(), model.scalar)
          break
        case "long":
          value = parseLong(text.trim(), model.scalar)
          break
        case "boolean":
          value = parseBoolean(text.trim())
          break
        case "double":
          value = parseDecimalText(text.trim(), false)
          break
        case "decimal":
          value = parseDecimalText(text.trim(), true)
          break
        case "dateTime":
          value = parseDateTime(text.trim())
          break
      }
      return typeof value === "string" ? fail("SchemaMismatch", value) : value
    }
    case "enum": {
      const text = r.readText(!strict).trim()
      if (strict && (!model.values.has(text) || model.restOnlyValues?.has(text) === true))
        return fail("SchemaMismatch", `"${text.slice(0, 40)}" is not a value of ${model.name}`)
      return text
    }
    case "list": {
      const text = r.readText(!strict).trim()
      if (text === "") return []
      const items = text.split(/[ \t\n\r]+/)
      if (strict && model.values !== undefined) {
        for (const item of items) {
          if (!model.values.has(item) || model.restOnlyValues?.has(item) === true)
            return fail("SchemaMismatch", `"${item.slice(0, 40)}" is not a value of ${model.name}`)
        }
      }
      return items
    }
    case "struct":
      return readStruct(r, model, strict)
    case "array":
      return readArray(r, model, strict)
  }
}

/** Reads the element opened last as a struct of declared type `declared` (honouring `xsi:type`), and closes it. */
export const readStruct = (r: XmlReader, declared: StructModel, strict: boolean): Record<string, unknown> => {
  let model = declared
  let tag = declared.selfTag
  const xsiType = r.xsiType()
  if (xsiType !== undefined) {
    let found = false
    for (const concrete of declared.concrete.values()) {
      if (concrete.tag === xsiType.local && (concrete.ns === xsiType.ns || !strict) && !(strict && concrete.restOnly)) {
        model = concrete.type === declared.name ? declared : concrete.struct()
        tag = concrete.tag
        found = true
        break
      }
    }
    if (!found && (strict || declared.selfTag === undefined)) {
      fail("SchemaMismatch", `xsi:type ${xsiType.local} is not ${declared.name} or a type derived from it`)
    }
  } else if (declared.tagged && declared.selfTag === undefined) {
    fail("SchemaMismatch", `${declared.name} is abstract: the element needs an xsi:type`)
  }
  const out: Record<string, unknown> = {}
  if (model.tagged) out._tag = tag ?? model.name
  const fields = model.fields
  const count = fields.length
  let cursor = 0
  while (r.nextChild()) {
    const name = r.localName
    let index = -1
    if (strict) {
      for (let i = cursor; i < count; i++) {
        if (fields[i]!.name === name && !fields[i]!.restOnly) {
          index = i
          break
        }
      }
      if (index === -1) {
        const known = model.byName.get(name)
        if (known !== undefined && !fields[known]!.restOnly) {
          fail("OutOfOrder", `element ${name} is out of XSD order or repeated`, name)
        }
        fail("UnknownElement", `unknown element ${name} in ${model.name}`, name)
      }
      const field = fields[index]!
      if (field.ns !== r.ns)
        fail("UnknownElement", `element ${name} is in namespace "${r.ns}", expected "${field.ns}"`, name)
      for (let i = cursor; i < index; i++) {
        if (!fields[i]!.optional)
          fail("SchemaMismatch", `required element ${fields[i]!.name} is missing`, fields[i]!.name)
      }
    } else {
      const found = model.byName.get(name)
      if (found === undefined) {
        r.skip()
        continue
      }
      index = found
    }
    const field = fields[index]!
    let value: unknown
    try {
      value = readValue(r, field, strict)
    } catch (e) {
      if (e instanceof DecodeFailure) e.segments.unshift(field.name)
      throw e
    }
    if (field.repeated) {
      const list = out[field.name] as Array<unknown> | undefined
      if (list === undefined) out[field.name] = [value]
      else list.push(value)
      cursor = index
    } else {
      out[field.name] = value
      cursor = index + 1
    }
  }
  for (let i = strict ? cursor : 0; i < count; i++) {
    const field = fields[i]!
    if (field.optional || out[field.name] !== undefined) continue
    if (!strict && field.nillable) out[field.name] = null
    else if (!strict && (field.repeated || field.model().kind === "array")) out[field.name] = []
    else fail("SchemaMismatch", `required element ${field.name} is missing`, field.name)
  }
  return out
}

const readArray = (r: XmlReader, model: ArrayModel, strict: boolean): Array<unknown> => {
  const item = model.item
  const out: Array<unknown> = []
  while (r.nextChild()) {
    if (r.localName !== item.name || (strict && r.ns !== item.ns)) {
      if (strict)
        fail(
          "UnknownElement",
          `unexpected element ${r.localName} in ${model.name} (expected ${item.name})`,
          `[${out.length}]`
        )
      r.skip()
      continue
    }
    if (!strict && !item.nillable && r.isNil()) {
      r.skip()
      continue
    }
    try {
      out.push(readValue(r, item, strict))
    } catch (e) {
      if (e instanceof DecodeFailure) e.segments.unshift(`[${out.length}]`)
      throw e
    }
  }
  return out
}
