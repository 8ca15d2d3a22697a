/**
 * A minimal namespace-aware XML tree for reading WSDL files.
 *
 * WSDL schemas use QName-valued attributes (`type="q132:ArrayOflong"`) whose prefixes are declared on any ancestor,
 * including `wsdl:definitions` itself, so every element keeps the namespace bindings in scope where it stands.
 * Built on saxes (a conforming, non-validating parser that never fetches DTDs or expands external entities).
 */
import { SaxesParser } from "saxes"

/** One element: its namespace URI and local name, attributes by their raw name, children and in-scope prefixes. */
export interface XmlElement {
  readonly uri: string
  readonly local: string
  readonly attributes: Readonly<Record<string, string>>
  readonly children: ReadonlyArray<XmlElement>
  /** Prefix → namespace URI in scope at this element ("" is the default namespace). */
  readonly scope: Readonly<Record<string, string>>
  /** 1-based line of the start tag, for error messages. */
  readonly line: number
}

interface MutableElement extends XmlElement {
  readonly children: Array<XmlElement>
}

/** Parses a whole document into a tree; throws with the line on malformed XML. */
export const parseXml = (text: string): XmlElement => {
  const parser = new SaxesParser({ xmlns: true, position: true })
  const stack: Array<MutableElement> = []
  let root: MutableElement | undefined
  parser.on("error", (error) => {
    throw new Error(`malformed XML: ${error.message}`)
  })
  parser.on("opentag", (tag) => {
    const parentScope = stack.length > 0 ? stack[stack.length - 1]!.scope : {}
    const attributes: Record<string, string> = {}
    let scope = parentScope
    for (const [name, attribute] of Object.entries(tag.attributes)) {
      const value = typeof attribute === "string" ? attribute : attribute.value
      attributes[name] = value
      if (name === "xmlns" || name.startsWith("xmlns:")) {
        if (scope === parentScope) scope = { ...parentScope }
        ;(scope as Record<string, string>)[name === "xmlns" ? "" : name.slice(6)] = value
      }
    }
    const element: MutableElement = {
      uri: tag.uri ?? "",
      local: tag.local ?? tag.name,
      attributes,
      children: [],
      scope,
      line: parser.line
    }
    if (stack.length > 0) stack[stack.length - 1]!.children.push(element)
    else root = element
    stack.push(element)
  })
  parser.on("closetag", () => {
    stack.pop()
  })
  parser.write(text).close()
  if (root === undefined) throw new Error("malformed XML: no root element")
  return root
}

/** A namespace-qualified name. */
export interface QName {
  readonly ns: string
  readonly name: string
}

/** Resolves a QName-valued attribute (`prefix:local` or `local`) against the element's in-scope prefixes. */
export const resolveQName = (element: XmlElement, value: string): QName => {
  const colon = value.indexOf(":")
  const prefix = colon === -1 ? "" : value.slice(0, colon)
  const name = colon === -1 ? value : value.slice(colon + 1)
  const ns = element.scope[prefix]
  if (ns === undefined) {
    throw new Error(`line ${element.line}: namespace prefix "${prefix}" of "${value}" is not declared`)
  }
  return { ns, name }
}

/** Child elements with the given namespace and local name. */
export const childrenNamed = (element: XmlElement, uri: string, local: string): ReadonlyArray<XmlElement> =>
  element.children.filter((child) => child.uri === uri && child.local === local)

/** The first child element with the given namespace and local name, if any. */
export const childNamed = (element: XmlElement, uri: string, local: string): XmlElement | undefined =>
  element.children.find((child) => child.uri === uri && child.local === local)
