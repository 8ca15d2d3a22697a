/**
 * The REST overlay (`wsdl/campaign-management/v13/rest-overlay.json`, the second codegen input): what the WSDL lacks,
 * written from Microsoft's REST models, merged into the WSDL model before anything is emitted.
 *
 * - `operations`: REST-only operations (no SOAP binding: `soapAction` undefined, no SOAP headers); their request and
 *   response types are overlay types, each also the body element of that name;
 * - `types`: new complex, enum and list types (REST only);
 * - `extend`: fields appended to WSDL complex types and values appended to WSDL enums and lists, marked REST only;
 * - `faults`: the REST error bodies by `Type`: the WSDL's fault details, checked against the overlay's field list, and
 *   the REST-only `AdCenter*Fault` types, added as types derived from `ApplicationFault` (their `TrackingId` is the
 *   base's, their `Type` the REST discriminator).
 *
 * Invariants: the overlay only adds (it never changes or removes a WSDL field, value or operation); everything it adds
 * is marked `restOnly`, so the SOAP codec never writes it and never accepts it in a request; every entry names its
 * source. Anything that does not fit fails with a message naming the entry.
 */
import {
  BUILTINS,
  type BuiltinName,
  type ElementModel,
  type FieldModel,
  keyOf,
  localOf,
  type OperationModel,
  type TypeModel,
  type TypeRef,
  type WsdlModel
} from "./model.js"

/** The well-known namespaces overlay type references may use besides `tns:` (the service's). */
export const OVERLAY_PREFIXES: Readonly<Record<string, string>> = {
  arr: "http://schemas.microsoft.com/2003/10/Serialization/Arrays",
  sys: "http://schemas.datacontract.org/2004/07/System",
  adapi: "https://adapi.microsoft.com"
}

interface OverlayField {
  readonly name: string
  readonly type: string
  readonly optional: boolean
  readonly nillable: boolean
  readonly repeated?: boolean
}

interface OverlayComplex {
  readonly kind: "complex"
  readonly name: string
  readonly base?: string | null
  readonly abstract?: boolean
  readonly fields: ReadonlyArray<OverlayField>
  readonly source: string
}

interface OverlayValues {
  readonly kind: "enum" | "list"
  readonly name: string
  readonly values: ReadonlyArray<string>
  readonly source: string
}

type OverlayType = OverlayComplex | OverlayValues

interface OverlayOperation {
  readonly name: string
  readonly request: string
  readonly response: string
  readonly faults: ReadonlyArray<string>
  readonly source: string
}

interface OverlayExtension {
  readonly type: string
  readonly addFields?: ReadonlyArray<OverlayField>
  readonly addValues?: ReadonlyArray<string>
  readonly source: string
}

interface OverlayFault extends OverlayComplex {
  readonly discriminatorValue: string
  /** The WSDL type with the same fields (`prefix:Name`), or null for a REST-only fault. */
  readonly wsdl: string | null
}

/** The content of `rest-overlay.json` (the keys codegen reads; `$comment` and `sources` are documentation). */
export interface OverlayFile {
  readonly operations: ReadonlyArray<OverlayOperation>
  readonly types: ReadonlyArray<OverlayType>
  readonly extend: ReadonlyArray<OverlayExtension>
  readonly faults: {
    readonly base: string
    readonly discriminator: string
    readonly types: ReadonlyArray<OverlayFault | OverlayValues>
  }
}

class OverlayError extends Error {}

const fail = (where: string, message: string): never => {
  throw new OverlayError(`rest-overlay.json: ${where}: ${message}`)
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const arrayAt = (u: unknown, where: string): ReadonlyArray<unknown> =>
  Array.isArray(u) ? u : fail(where, "expected an array")

const stringAt = (u: unknown, where: string): string =>
  typeof u === "string" && u !== "" ? u : fail(where, "expected a non-empty string")

/** Checks the shape of the file and returns it typed. Throws an Error naming the first entry that does not fit. */
export const parseOverlay = (text: string): OverlayFile => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return fail("the file", `not valid JSON (${(e as Error).message})`)
  }
  if (!isRecord(json)) return fail("the file", "expected a JSON object")
  const fields = (u: unknown, where: string): ReadonlyArray<OverlayField> =>
    arrayAt(u, where).map((f, i) => {
      const at = `${where}[${i}]`
      if (!isRecord(f)) return fail(at, "expected an object")
      stringAt(f.name, `${at}.name`)
      stringAt(f.type, `${at}.type`)
      if (typeof f.optional !== "boolean") fail(`${at}.optional`, "expected a boolean")
      if (typeof f.nillable !== "boolean") fail(`${at}.nillable`, "expected a boolean")
      if (f.repeated !== undefined && typeof f.repeated !== "boolean") fail(`${at}.repeated`, "expected a boolean")
      return f as unknown as OverlayField
    })
  const type = (t: unknown, where: string): OverlayType => {
    if (!isRecord(t)) return fail(where, "expected an object")
    const name = stringAt(t.name, `${where}.name`)
    const at = `${where} (${name})`
    stringAt(t.source, `${at}.source`)
    if (t.kind === "complex") {
      fields(t.fields, `${at}.fields`)
      if (t.base !== undefined && t.base !== null) stringAt(t.base, `${at}.base`)
    } else if (t.kind === "enum" || t.kind === "list") {
      for (const [i, v] of arrayAt(t.values, `${at}.values`).entries()) stringAt(v, `${at}.values[${i}]`)
    } else fail(`${at}.kind`, `expected "complex", "enum" or "list", got ${JSON.stringify(t.kind)}`)
    return t as unknown as OverlayType
  }
  const operations = arrayAt(json.operations, "operations").map((op, i) => {
    if (!isRecord(op)) return fail(`operations[${i}]`, "expected an object")
    const at = `operations[${i}] (${stringAt(op.name, `operations[${i}].name`)})`
    stringAt(op.request, `${at}.request`)
    stringAt(op.response, `${at}.response`)
    stringAt(op.source, `${at}.source`)
    for (const [j, f] of arrayAt(op.faults, `${at}.faults`).entries()) stringAt(f, `${at}.faults[${j}]`)
    return op as unknown as OverlayOperation
  })
  const types = arrayAt(json.types, "types").map((t, i) => type(t, `types[${i}]`))
  const extend = arrayAt(json.extend, "extend").map((e, i) => {
    if (!isRecord(e)) return fail(`extend[${i}]`, "expected an object")
    const at = `extend[${i}] (${stringAt(e.type, `extend[${i}].type`)})`
    stringAt(e.source, `${at}.source`)
    if ((e.addFields === undefined) === (e.addValues === undefined))
      fail(at, "needs exactly one of addFields, addValues")
    if (e.addFields !== undefined) fields(e.addFields, `${at}.addFields`)
    if (e.addValues !== undefined) {
      for (const [j, v] of arrayAt(e.addValues, `${at}.addValues`).entries()) stringAt(v, `${at}.addValues[${j}]`)
    }
    return e as unknown as OverlayExtension
  })
  if (!isRecord(json.faults)) return fail("faults", "expected an object")
  stringAt(json.faults.base, "faults.base")
  if (json.faults.discriminator !== "Type") fail("faults.discriminator", 'only "Type" is supported')
  const faultTypes = arrayAt(json.faults.types, "faults.types").map((t, i) => {
    const checked = type(t, `faults.types[${i}]`)
    if (checked.kind === "complex") {
      const fault = t as Record<string, unknown>
      const at = `faults.types[${i}] (${checked.name})`
      if (fault.discriminatorValue !== checked.name) fail(`${at}.discriminatorValue`, "must be the type's name")
      if (fault.wsdl !== null) stringAt(fault.wsdl, `${at}.wsdl`)
    }
    return checked as OverlayFault | OverlayValues
  })
  return {
    operations,
    types,
    extend,
    faults: { base: json.faults.base as string, discriminator: "Type", types: faultTypes }
  }
}

/** The namespace URI of an overlay prefix. */
const namespaceOf = (model: WsdlModel, prefix: string, where: string): string => {
  const ns = prefix === "tns" ? model.targetNamespace : OVERLAY_PREFIXES[prefix]
  if (ns === undefined) return fail(where, `unknown namespace prefix ${prefix}:`)
  if (!model.namespaces.includes(ns)) return fail(where, `the WSDL declares no schema for ${prefix}: (${ns})`)
  return ns
}

/**
 * Merges the overlay into a WSDL model: a new model with the overlay's types, fields, values, REST-only operations
 * and REST fault bodies added. Throws an Error naming the entry for anything that does not fit the WSDL.
 */
export const mergeOverlay = (model: WsdlModel, overlay: OverlayFile): WsdlModel => {
  const tns = model.targetNamespace
  const types = new Map<string, TypeModel>(model.types)
  const elements = new Map<string, ElementModel>(model.elements)
  const taken = new Set([...types.values()].map((t) => t.tsName))
  /** Type references are checked once every new type is known. */
  const pendingRefs: Array<{ readonly key: string; readonly where: string }> = []

  const ref = (text: string, where: string): TypeRef => {
    const colon = text.indexOf(":")
    if (colon === -1) return fail(where, `type ${JSON.stringify(text)} needs a prefix (xs:, tns:, arr:, sys:, adapi:)`)
    const prefix = text.slice(0, colon)
    const name = text.slice(colon + 1)
    if (prefix === "xs") {
      if (!BUILTINS.has(name)) return fail(where, `unsupported XSD built-in xs:${name}`)
      return { builtin: name as BuiltinName }
    }
    const key = keyOf(namespaceOf(model, prefix, where), name)
    pendingRefs.push({ key, where })
    return { key }
  }

  const field = (f: OverlayField, ns: string, where: string, restOnly: boolean): FieldModel => ({
    name: f.name,
    ns,
    type: ref(f.type, `${where} field ${f.name}`),
    optional: f.optional,
    repeated: f.repeated === true,
    nillable: f.nillable,
    ...(restOnly ? { restOnly: true } : {})
  })

  const addType = (type: TypeModel, where: string) => {
    if (types.has(type.key)) fail(where, `${type.tsName} is already a type of the WSDL (add to it with "extend")`)
    if (taken.has(type.tsName)) fail(where, `the name ${type.tsName} is taken by another generated type`)
    taken.add(type.tsName)
    types.set(type.key, type)
  }

  const newComplex = (
    t: OverlayComplex,
    where: string,
    base: string | undefined,
    fields: ReadonlyArray<OverlayField>
  ) =>
    addType(
      {
        kind: "complex",
        key: keyOf(tns, t.name),
        ns: tns,
        xmlName: t.name,
        tsName: t.name,
        sourceName: t.name,
        base,
        abstract: t.abstract === true,
        fields: fields.map((f) => field(f, tns, where, false)),
        restOnly: true
      },
      where
    )

  const newValues = (t: OverlayValues, where: string) => {
    const key = keyOf(tns, t.name)
    const common = { key, ns: tns, xmlName: t.name, tsName: t.name, sourceName: t.name, restOnly: true }
    addType(
      t.kind === "enum"
        ? { kind: "enum", ...common, values: t.values }
        : { kind: "list", ...common, item: { values: t.values } },
      where
    )
  }

  const baseOf = (text: string | null | undefined, where: string): string | undefined => {
    if (text === null || text === undefined) return undefined
    const base = ref(text, `${where} base`)
    if ("builtin" in base) return fail(where, "a base must be a complex type")
    return base.key
  }

  // ===== New types =====
  for (const [i, t] of overlay.types.entries()) {
    const where = `types[${i}] (${t.name})`
    if (t.kind === "complex") newComplex(t, where, baseOf(t.base, where), t.fields)
    else newValues(t, where)
  }

  /** Every field of a complex type, base fields first. */
  const fieldsOf = (key: string): ReadonlyArray<FieldModel> => {
    const type = types.get(key)
    if (type?.kind !== "complex") return fail("faults", `${localOf(key)} is not a complex type`)
    return type.base === undefined ? type.fields : [...fieldsOf(type.base), ...type.fields]
  }

  // ===== REST fault bodies =====
  const applicationFault = ref(
    overlay.faults.base.includes(":") ? overlay.faults.base : `adapi:${overlay.faults.base}`,
    "faults.base"
  )
  if ("builtin" in applicationFault) return fail("faults.base", "must be a complex type")
  const restFaults: Array<string> = []
  for (const [i, t] of overlay.faults.types.entries()) {
    const where = `faults.types[${i}] (${t.name})`
    if (t.kind !== "complex") {
      newValues(t, where)
      continue
    }
    const fault = t as OverlayFault
    if (!fault.fields.some((f) => f.name === "TrackingId")) fail(where, "a fault body carries TrackingId")
    if (fault.wsdl === null) {
      // A REST-only fault derives from the base: the base's fields (TrackingId) are inherited, `Type` is the discriminator.
      const inherited = new Set(fieldsOf(applicationFault.key).map((f) => f.name))
      const own = fault.fields.filter((f) => !inherited.has(f.name) && f.name !== "Type")
      newComplex(fault, where, applicationFault.key, own)
      const key = keyOf(tns, fault.name)
      elements.set(key, { ns: tns, name: fault.name, type: { key }, nillable: true })
      restFaults.push(key)
      continue
    }
    const wsdlRef = ref(fault.wsdl, `${where}.wsdl`)
    if ("builtin" in wsdlRef) return fail(where, "wsdl must name a complex type")
    const element = [...model.elements.entries()].find(
      ([, e]) => e.name === fault.name && "key" in e.type && e.type.key === wsdlRef.key
    )
    if (element === undefined) return fail(where, `the WSDL has no element ${fault.name} of type ${fault.wsdl}`)
    const wsdlFields = new Set(fieldsOf(wsdlRef.key).map((f) => f.name))
    const missing = fault.fields.filter((f) => f.name !== "Type" && !wsdlFields.has(f.name)).map((f) => f.name)
    if (missing.length > 0) fail(where, `fields ${missing.join(", ")} are not in the WSDL type ${fault.wsdl}`)
    restFaults.push(element[0])
  }

  // ===== Extensions of WSDL types =====
  for (const [i, e] of overlay.extend.entries()) {
    const where = `extend[${i}] (${e.type})`
    const key = e.type.includes(":") ? (ref(e.type, where) as { key: string }).key : keyOf(tns, e.type)
    if (!model.types.has(key)) fail(where, `the WSDL has no type ${e.type}`)
    const type = types.get(key)!
    if (e.addFields !== undefined) {
      if (type.kind !== "complex") return fail(where, "fields can only be added to a complex type")
      const names = new Set(type.fields.map((f) => f.name))
      const added = e.addFields.map((f) => {
        if (names.has(f.name)) fail(where, `${type.tsName} already has a field ${f.name}`)
        names.add(f.name)
        return field(f, type.ns, where, true)
      })
      types.set(key, { ...type, fields: [...type.fields, ...added] })
      continue
    }
    const values = e.addValues!
    const existing =
      type.kind === "enum"
        ? type.values
        : type.kind === "list" && "values" in type.item
          ? type.item.values
          : fail(where, "values can only be added to an enumeration or a list of inline values")
    for (const value of values)
      if (existing.includes(value)) fail(where, `${type.tsName} already has the value ${value}`)
    const restOnlyValues = [...(("restOnlyValues" in type ? type.restOnlyValues : undefined) ?? []), ...values]
    if (type.kind === "enum") types.set(key, { ...type, values: [...type.values, ...values], restOnlyValues })
    else if (type.kind === "list")
      types.set(key, { ...type, item: { values: [...existing, ...values] }, restOnlyValues })
  }

  for (const { key, where } of pendingRefs) if (!types.has(key)) fail(where, `unknown type ${localOf(key)} (${key})`)

  // ===== REST-only operations =====
  const faultElement = new Map<string, string>()
  for (const op of model.operations) for (const f of op.faults) faultElement.set(localOf(f.element), f.element)
  const names = new Set(model.operations.map((op) => op.name))
  const operations: Array<OperationModel> = overlay.operations.map((op, i) => {
    const where = `operations[${i}] (${op.name})`
    if (names.has(op.name)) fail(where, "is already an operation of the WSDL")
    names.add(op.name)
    const body = (name: string, role: string) => {
      const key = keyOf(tns, name)
      const type = types.get(key)
      if (type?.kind !== "complex" || type.restOnly !== true) {
        return fail(where, `${role} ${name} must be a complex type of the overlay's "types"`)
      }
      if (elements.has(key)) fail(where, `${role} element ${name} is declared twice`)
      elements.set(key, { ns: tns, name, type: { key }, nillable: true })
      return key
    }
    return {
      name: op.name,
      soapAction: undefined,
      request: body(op.request, "request"),
      response: body(op.response, "response"),
      requestHeaders: [],
      responseHeaders: [],
      faults: op.faults.map((name) => ({
        name: `${name}Fault`,
        element: faultElement.get(name) ?? fail(where, `unknown fault ${name} (the WSDL operations declare none)`)
      }))
    }
  })

  return { ...model, types, elements, operations: [...model.operations, ...operations], restFaults }
}
