/**
 * Reads a WSDL 1.1 document (document/literal, inline schemas) into the {@link WsdlModel}.
 *
 * Handles exactly the XML Schema subset that Microsoft's WCF-generated WSDLs use: complex types with a sequence,
 * `complexContent/extension`, enumerations, `xs:list` of an inline enumeration, pattern restrictions, anonymous
 * element types, and QName prefixes declared anywhere in scope. Anything else is an error naming the line, so a WSDL
 * update that needs more is noticed instead of half-generated.
 */
import {
  BUILTINS,
  type BuiltinName,
  type ComplexTypeModel,
  type ElementModel,
  type FieldModel,
  type OperationModel,
  type TypeModel,
  type TypeRef,
  type WsdlModel,
  WSDL,
  WSDL_SOAP,
  XS,
  keyOf,
  localOf
} from "./model.js"
import { type XmlElement, childNamed, childrenNamed, parseXml, resolveQName } from "./xml.js"

interface PendingType {
  readonly key: string
  readonly ns: string
  readonly xmlName: string | undefined
  /** Preferred TypeScript name before clash resolution. */
  readonly preferred: string
  readonly build: (tsName: string, sourceName: string) => TypeModel
}

const fail = (element: XmlElement, message: string): never => {
  throw new Error(`WSDL line ${element.line}: ${message}`)
}

const typeRefOf = (element: XmlElement, value: string): TypeRef => {
  const qname = resolveQName(element, value)
  if (qname.ns === XS) {
    if (!BUILTINS.has(qname.name)) fail(element, `unsupported XSD built-in type xs:${qname.name}`)
    return { builtin: qname.name as BuiltinName }
  }
  return { key: keyOf(qname.ns, qname.name) }
}

const enumValues = (restriction: XmlElement): ReadonlyArray<string> =>
  childrenNamed(restriction, XS, "enumeration").map((e) => e.attributes.value ?? fail(e, "enumeration without value"))

/** Reads the schemas of `wsdl:types` into pending types and elements. */
const readSchemas = (types: XmlElement) => {
  const pending: Array<PendingType> = []
  const elements = new Map<string, ElementModel>()
  const namespaces: Array<string> = []

  const simpleType = (node: XmlElement, ns: string, key: string, xmlName: string | undefined, preferred: string) => {
    const restriction = childNamed(node, XS, "restriction")
    const list = childNamed(node, XS, "list")
    if (restriction !== undefined) {
      const base = typeRefOf(restriction, restriction.attributes.base ?? fail(restriction, "restriction without base"))
      const values = enumValues(restriction)
      if (values.length > 0) {
        pending.push({
          key,
          ns,
          xmlName,
          preferred,
          build: (tsName, sourceName) => ({ kind: "enum", key, ns, xmlName, tsName, sourceName, values })
        })
        return
      }
      if (!("builtin" in base)) return fail(restriction, "restriction of a non built-in simple type is not supported")
      const pattern = childNamed(restriction, XS, "pattern")?.attributes.value
      pending.push({
        key,
        ns,
        xmlName,
        preferred,
        build: (tsName, sourceName) => ({
          kind: "restriction",
          key,
          ns,
          xmlName,
          tsName,
          sourceName,
          base: base.builtin,
          pattern
        })
      })
      return
    }
    if (list !== undefined) {
      const itemType = list.attributes.itemType
      const inline = childNamed(list, XS, "simpleType")
      const inlineRestriction = inline === undefined ? undefined : childNamed(inline, XS, "restriction")
      const item =
        itemType !== undefined
          ? typeRefOf(list, itemType)
          : inlineRestriction !== undefined
            ? { values: enumValues(inlineRestriction) }
            : fail(list, "xs:list needs an itemType or an inline enumeration")
      pending.push({
        key,
        ns,
        xmlName,
        preferred,
        build: (tsName, sourceName) => ({ kind: "list", key, ns, xmlName, tsName, sourceName, item })
      })
      return
    }
    fail(node, "simpleType must be a restriction or a list")
  }

  const sequenceFields = (owner: XmlElement, sequence: XmlElement | undefined, ns: string): Array<FieldModel> => {
    if (sequence === undefined) return []
    return sequence.children
      .filter((child) => child.uri === XS && child.local !== "annotation")
      .map((child): FieldModel => {
        if (child.local !== "element") return fail(child, `xs:${child.local} inside a sequence is not supported`)
        const name = child.attributes.name ?? fail(child, "element without name")
        const maxOccurs = child.attributes.maxOccurs ?? "1"
        const common = {
          name,
          ns,
          optional: (child.attributes.minOccurs ?? "1") === "0",
          repeated: maxOccurs === "unbounded" || Number(maxOccurs) > 1,
          nillable: child.attributes.nillable === "true"
        }
        if (child.attributes.type !== undefined) return { ...common, type: typeRefOf(child, child.attributes.type) }
        const inline = childNamed(child, XS, "complexType")
        if (inline === undefined) return fail(child, `element ${name} has neither a type nor an inline complexType`)
        const key = `{${ns}}#${localOf(keyOf(ns, name))}@${owner.line}`
        complexType(inline, ns, key, undefined, name)
        return { ...common, type: { key } }
      })
  }

  /** Fails on any XSD child of a content model other than the ones this reader understands. */
  const onlyChildren = (node: XmlElement, allowed: ReadonlyArray<string>) => {
    for (const child of node.children) {
      if (child.uri === XS && !allowed.includes(child.local)) fail(child, `xs:${child.local} is not supported here`)
    }
  }

  const complexType = (node: XmlElement, ns: string, key: string, xmlName: string | undefined, preferred: string) => {
    onlyChildren(node, ["annotation", "sequence", "complexContent"])
    const content = childNamed(node, XS, "complexContent")
    const abstract = node.attributes.abstract === "true"
    let base: string | undefined
    let fields: Array<FieldModel>
    if (content !== undefined) {
      onlyChildren(content, ["annotation", "extension"])
      const extension = childNamed(content, XS, "extension") ?? fail(content, "complexContent must be an extension")
      onlyChildren(extension, ["annotation", "sequence"])
      const baseRef = typeRefOf(extension, extension.attributes.base ?? fail(extension, "extension without base"))
      if ("builtin" in baseRef) return fail(extension, "extension of a built-in type is not supported")
      base = baseRef.key
      fields = sequenceFields(node, childNamed(extension, XS, "sequence"), ns)
    } else {
      fields = sequenceFields(node, childNamed(node, XS, "sequence"), ns)
    }
    pending.push({
      key,
      ns,
      xmlName,
      preferred,
      build: (tsName, sourceName): ComplexTypeModel => ({
        kind: "complex",
        key,
        ns,
        xmlName,
        tsName,
        sourceName,
        base,
        abstract,
        fields
      })
    })
  }

  for (const schema of childrenNamed(types, XS, "schema")) {
    const ns = schema.attributes.targetNamespace ?? fail(schema, "schema without targetNamespace")
    if (schema.attributes.elementFormDefault !== "qualified") {
      fail(schema, 'only elementFormDefault="qualified" schemas are supported')
    }
    namespaces.push(ns)
    for (const node of schema.children) {
      if (node.uri !== XS) continue
      const name = node.attributes.name
      switch (node.local) {
        case "complexType":
          complexType(node, ns, keyOf(ns, name!), name, name!)
          break
        case "simpleType":
          simpleType(node, ns, keyOf(ns, name!), name, name!)
          break
        case "element": {
          const elementName = name ?? fail(node, "element without name")
          let type: TypeRef
          if (node.attributes.type !== undefined) {
            type = typeRefOf(node, node.attributes.type)
          } else {
            const inline = childNamed(node, XS, "complexType") ?? fail(node, `element ${elementName} has no type`)
            const key = `{${ns}}#${elementName}`
            complexType(inline, ns, key, undefined, elementName)
            type = { key }
          }
          elements.set(keyOf(ns, elementName), {
            ns,
            name: elementName,
            type,
            nillable: node.attributes.nillable === "true"
          })
          break
        }
        case "import":
        case "annotation":
        case "attribute":
          break
        default:
          fail(node, `top-level xs:${node.local} is not supported`)
      }
    }
  }
  return { pending, elements, namespaces }
}

/**
 * Chooses a unique TypeScript name per type. Named types of the service's own namespace keep their XSD name; a name
 * used twice gets a prefix from its namespace (named types) or the suffix `Element` (anonymous element types), and a
 * number if that still clashes. Deterministic: decided in document order.
 */
const assignNames = (pending: ReadonlyArray<PendingType>, targetNamespace: string): ReadonlyArray<TypeModel> => {
  const counts = new Map<string, number>()
  for (const p of pending) counts.set(p.preferred, (counts.get(p.preferred) ?? 0) + 1)
  const taken = new Set<string>()
  const nsPrefix = (ns: string) => {
    const parts = ns
      .replace(/^https?:\/\//, "")
      .split(/[^A-Za-z0-9]+/)
      .filter((s) => s.length > 0)
    const last = parts[parts.length - 1] ?? "Ns"
    return last.charAt(0).toUpperCase() + last.slice(1)
  }
  // Named types of the target namespace first, so they keep their names.
  const ordered = [
    ...pending.filter((p) => p.xmlName !== undefined && p.ns === targetNamespace),
    ...pending.filter((p) => p.xmlName !== undefined && p.ns !== targetNamespace),
    ...pending.filter((p) => p.xmlName === undefined)
  ]
  const names = new Map<string, string>()
  for (const p of ordered) {
    let name = p.preferred
    if (taken.has(name) || (counts.get(name)! > 1 && !(p.xmlName !== undefined && p.ns === targetNamespace))) {
      name = p.xmlName !== undefined ? `${nsPrefix(p.ns)}${p.preferred}` : `${p.preferred}Element`
    }
    let candidate = name
    for (let i = 2; taken.has(candidate); i++) candidate = `${name}${i}`
    taken.add(candidate)
    names.set(p.key, candidate)
  }
  return pending.map((p) => p.build(names.get(p.key)!, p.preferred))
}

const readOperations = (definitions: XmlElement, targetNamespace: string): ReadonlyArray<OperationModel> => {
  const messages = new Map<string, Map<string, string>>()
  for (const message of childrenNamed(definitions, WSDL, "message")) {
    const parts = new Map<string, string>()
    for (const part of childrenNamed(message, WSDL, "part")) {
      const element = resolveQName(part, part.attributes.element ?? fail(part, "message part without element"))
      parts.set(part.attributes.name!, keyOf(element.ns, element.name))
    }
    messages.set(keyOf(targetNamespace, message.attributes.name!), parts)
  }
  const messageElement = (node: XmlElement, attribute: string): string => {
    const ref = resolveQName(node, node.attributes[attribute] ?? fail(node, `missing ${attribute}`))
    const parts = messages.get(keyOf(ref.ns, ref.name)) ?? fail(node, `unknown message ${ref.name}`)
    if (parts.size !== 1) fail(node, `message ${ref.name} must have exactly one part (document/literal wrapped)`)
    return [...parts.values()][0]!
  }
  const portType = childNamed(definitions, WSDL, "portType") ?? fail(definitions, "no portType")
  const binding = childNamed(definitions, WSDL, "binding") ?? fail(definitions, "no binding")
  const bindingOps = new Map(childrenNamed(binding, WSDL, "operation").map((op) => [op.attributes.name!, op]))
  const headerNames = (bindingOp: XmlElement | undefined, direction: "input" | "output") => {
    const node = bindingOp === undefined ? undefined : childNamed(bindingOp, WSDL, direction)
    if (node === undefined) return []
    return childrenNamed(node, WSDL_SOAP, "header").map((header) => {
      const ref = resolveQName(header, header.attributes.message!)
      const parts = messages.get(keyOf(ref.ns, ref.name)) ?? fail(header, `unknown header message ${ref.name}`)
      return localOf(
        parts.get(header.attributes.part!) ?? fail(header, `unknown header part ${header.attributes.part}`)
      )
    })
  }
  return childrenNamed(portType, WSDL, "operation").map((op): OperationModel => {
    const name = op.attributes.name!
    const bindingOp = bindingOps.get(name)
    const soapOperation = bindingOp === undefined ? undefined : childNamed(bindingOp, WSDL_SOAP, "operation")
    const input = childNamed(op, WSDL, "input") ?? fail(op, `operation ${name} has no input`)
    const output = childNamed(op, WSDL, "output") ?? fail(op, `operation ${name} has no output`)
    return {
      name,
      soapAction: soapOperation?.attributes.soapAction ?? name,
      request: messageElement(input, "message"),
      response: messageElement(output, "message"),
      requestHeaders: headerNames(bindingOp, "input"),
      responseHeaders: headerNames(bindingOp, "output"),
      faults: childrenNamed(op, WSDL, "fault").map((fault) => ({
        name: fault.attributes.name!,
        element: messageElement(fault, "message")
      }))
    }
  })
}

/** Parses WSDL text into the model. Throws an Error naming the WSDL line on anything it does not support. */
export const readWsdl = (text: string): WsdlModel => {
  const definitions = parseXml(text)
  if (definitions.uri !== WSDL || definitions.local !== "definitions") {
    throw new Error("not a WSDL 1.1 document: the root element must be wsdl:definitions")
  }
  const targetNamespace = definitions.attributes.targetNamespace ?? fail(definitions, "no targetNamespace")
  const typesNode = childNamed(definitions, WSDL, "types") ?? fail(definitions, "no wsdl:types")
  const { pending, elements, namespaces } = readSchemas(typesNode)
  const types = new Map(assignNames(pending, targetNamespace).map((t) => [t.key, t]))
  for (const type of types.values()) {
    const refs: Array<TypeRef> =
      type.kind === "complex"
        ? [...type.fields.map((f) => f.type), ...(type.base === undefined ? [] : [{ key: type.base }])]
        : type.kind === "list" && !("values" in type.item)
          ? [type.item]
          : []
    for (const ref of refs) {
      if ("key" in ref && !types.has(ref.key)) throw new Error(`type ${type.tsName} refers to unknown type ${ref.key}`)
    }
  }
  const addresses = childrenNamed(definitions, WSDL, "service").flatMap((service) =>
    childrenNamed(service, WSDL, "port").flatMap((port) =>
      childrenNamed(port, WSDL_SOAP, "address").map((a) => a.attributes.location ?? "")
    )
  )
  return {
    serviceName: definitions.attributes.name ?? "Service",
    targetNamespace,
    namespaces,
    types,
    elements,
    operations: readOperations(definitions, targetNamespace),
    addresses
  }
}
