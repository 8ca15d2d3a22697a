/**
 * A safe, fast pull reader for the SOAP documents the codecs decode. It never reads a DTD or expands an entity other
 * than the five predefined ones and character references (a document with `<!DOCTYPE` is refused), checks
 * well-formedness as it goes (matching tags, quoted attributes, declared prefixes, valid references and characters, a
 * single root, nothing after it) and resolves namespaces. It is specialised for data documents: the caller walks
 * element by element (`nextChild`, `readText`, `skip`), so no tree and no event objects are built.
 *
 * Errors are thrown as `XmlSyntaxError`; a truncated document is always `NotWellFormed`.
 */
import { DecodeFailure } from "../codec/errors.js"
import { SOAP_ENV, XML_NS, XSI } from "./namespaces.js"

/**
 * Why the reader refused a document: not well-formed (or cut off), too deep, or well-formed but outside what the
 * codecs accept (a DTD: `SchemaMismatch`; text or elements where the contract has none: `UnknownElement`).
 */
export type XmlSyntaxKind = "NotWellFormed" | "TooLarge" | "SchemaMismatch" | "UnknownElement"

/** A document the reader refuses; `offset` is where the problem was found. */
export class XmlSyntaxError extends DecodeFailure {
  constructor(
    kind: XmlSyntaxKind,
    message: string,
    readonly offset: number
  ) {
    super(kind, message)
  }
}

/** The deepest element nesting accepted (the service's documents nest about 12 levels). */
export const MAX_DEPTH = 256

// Characters XML 1.0 forbids in content (surrogates are not checked: a decoded JS string cannot carry bad UTF-8).
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 forbids
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 forbids
const NEEDS_DECODING = /[&\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/

const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13

// Name characters are checked loosely: the first one may not be a digit, '-', '.' or a delimiter.
const isNameStart = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58 || c >= 0xc0

const isNameEnd = (c: number): boolean =>
  c === 32 || c === 10 || c === 9 || c === 13 || c === 62 || c === 47 || c === 61 || Number.isNaN(c) || c === 60

const isXmlChar = (code: number): boolean =>
  code === 9 ||
  code === 10 ||
  code === 13 ||
  (code >= 0x20 && code <= 0xd7ff) ||
  (code >= 0xe000 && code <= 0xfffd) ||
  (code >= 0x10000 && code <= 0x10ffff)

export class XmlReader {
  private pos = 0
  private readonly src: string
  // open elements
  private readonly openNames: Array<string> = []
  private readonly openMarks: Array<number> = []
  // namespace bindings in scope (prefix "" is the default namespace)
  private readonly bindPrefix: Array<string> = ["xml", "xmlns"]
  private readonly bindUri: Array<string> = [XML_NS, "http://www.w3.org/2000/xmlns/"]
  private bindCount = 2
  // the element opened last
  private pendingEmpty = false
  private readonly attrNames: Array<string> = []
  private readonly attrValues: Array<string> = []
  private attrCount = 0
  private rootClosed = false

  /** Local name of the element opened last. */
  localName = ""
  /** Namespace URI of the element opened last ("" when none). */
  ns = ""
  /** Qualified name (as written) of the element opened last. */
  qname = ""

  /**
   * @param rejectText when true, non-whitespace character data where elements are expected is an error (strict
   *   request decoding); when false it is ignored.
   */
  constructor(
    src: string,
    private readonly rejectText: boolean
  ) {
    this.src = src
  }

  // ===== document level =====

  /** Reads the prolog and opens the root element. */
  openRoot(): void {
    const src = this.src
    let p = src.charCodeAt(0) === 0xfeff ? 1 : 0
    if (src.startsWith("<?xml", p) && isSpace(src.charCodeAt(p + 5))) {
      const end = src.indexOf("?>", p)
      if (end === -1) this.fail("NotWellFormed", "unterminated XML declaration", p)
      p = end + 2
    }
    this.pos = p
    for (;;) {
      p = this.skipSpace(this.pos)
      if (p >= src.length) this.fail("NotWellFormed", "the document is empty or has no root element", p)
      if (src.charCodeAt(p) !== 60) this.fail("NotWellFormed", "text before the root element", p)
      this.pos = p
      if (this.skipMarkup(true)) continue
      this.readStartTag()
      return
    }
  }

  /** Checks that nothing but comments, processing instructions and whitespace follows the root element. */
  finish(): void {
    if (!this.rootClosed) this.fail("NotWellFormed", "the root element is not closed", this.pos)
    const src = this.src
    for (;;) {
      const p = this.skipSpace(this.pos)
      if (p >= src.length) return
      if (src.charCodeAt(p) !== 60) this.fail("NotWellFormed", "content after the root element", p)
      this.pos = p
      if (!this.skipMarkup(false)) this.fail("NotWellFormed", "a second root element", p)
    }
  }

  /** The nesting depth of the element opened last (root = 1). */
  get depth(): number {
    return this.openNames.length
  }

  // ===== element level =====

  /**
   * Moves to the next child element of the element opened last (or of the current parent after `skip`/`readText`
   * of a child). Returns false, having consumed the parent's end tag, when there is none.
   */
  nextChild(): boolean {
    if (this.pendingEmpty) {
      this.pendingEmpty = false
      this.closeTop()
      return false
    }
    const src = this.src
    for (;;) {
      const lt = src.indexOf("<", this.pos)
      if (lt === -1) this.fail("NotWellFormed", `the document ends inside <${this.topName()}>`, src.length)
      if (lt > this.pos) this.strayText(this.pos, lt)
      this.pos = lt
      const c = src.charCodeAt(lt + 1)
      if (c === 47) {
        this.readEndTag()
        return false
      }
      if (c === 33 || c === 63) {
        if (src.startsWith("<![CDATA[", lt)) {
          const end = src.indexOf("]]>", lt + 9)
          if (end === -1) this.fail("NotWellFormed", "unterminated CDATA section", lt)
          this.strayText(lt + 9, end)
          this.pos = end + 3
          continue
        }
        this.skipMarkup(false)
        continue
      }
      this.readStartTag()
      return true
    }
  }

  /**
   * Reads the character data of the element opened last and closes it. A child element is an error when
   * `allowChildren` is false; otherwise it is skipped.
   */
  readText(allowChildren: boolean): string {
    if (this.pendingEmpty) {
      this.pendingEmpty = false
      this.closeTop()
      return ""
    }
    const src = this.src
    let text = ""
    for (;;) {
      const lt = src.indexOf("<", this.pos)
      if (lt === -1) this.fail("NotWellFormed", `the document ends inside <${this.topName()}>`, src.length)
      if (lt > this.pos) text += this.decodeText(this.pos, lt)
      this.pos = lt
      const c = src.charCodeAt(lt + 1)
      if (c === 47) {
        this.readEndTag()
        return text
      }
      if (c === 33 && src.startsWith("<![CDATA[", lt)) {
        const end = src.indexOf("]]>", lt + 9)
        if (end === -1) this.fail("NotWellFormed", "unterminated CDATA section", lt)
        const raw = src.slice(lt + 9, end)
        if (FORBIDDEN_CHAR.test(raw)) this.fail("NotWellFormed", "a character XML 1.0 does not allow", lt)
        text += raw.indexOf("\r") === -1 ? raw : raw.replace(/\r\n?/g, "\n")
        this.pos = end + 3
        continue
      }
      if (c === 33 || c === 63) {
        this.skipMarkup(false)
        continue
      }
      const at = lt
      this.readStartTag()
      if (!allowChildren) {
        throw new XmlSyntaxError("UnknownElement", `unexpected element <${this.qname}> inside a simple value`, at)
      }
      this.skip()
    }
  }

  /** Skips the element opened last, with everything inside it, checking that it is well-formed. */
  skip(): void {
    const target = this.openNames.length - 1
    while (this.openNames.length > target) this.nextChildLoose()
  }

  // like nextChild, but never rejects text (used while skipping)
  private nextChildLoose(): boolean {
    if (this.pendingEmpty) {
      this.pendingEmpty = false
      this.closeTop()
      return false
    }
    const src = this.src
    for (;;) {
      const lt = src.indexOf("<", this.pos)
      if (lt === -1) this.fail("NotWellFormed", `the document ends inside <${this.topName()}>`, src.length)
      this.pos = lt
      const c = src.charCodeAt(lt + 1)
      if (c === 47) {
        this.readEndTag()
        return false
      }
      if (c === 33 && src.startsWith("<![CDATA[", lt)) {
        const end = src.indexOf("]]>", lt + 9)
        if (end === -1) this.fail("NotWellFormed", "unterminated CDATA section", lt)
        this.pos = end + 3
        continue
      }
      if (c === 33 || c === 63) {
        this.skipMarkup(false)
        continue
      }
      this.readStartTag()
      return true
    }
  }

  // ===== attributes of the element opened last =====

  /** The value of an attribute by namespace and local name (entities decoded, whitespace normalised). */
  attribute(ns: string, local: string): string | undefined {
    for (let i = 0; i < this.attrCount; i++) {
      const name = this.attrNames[i]!
      const colon = name.indexOf(":")
      if (colon === -1) {
        if (ns !== "" || name !== local) continue
      } else {
        if (name.length - colon - 1 !== local.length || !name.endsWith(local)) continue
        if (this.lookup(name.slice(0, colon)) !== ns) continue
      }
      return this.attributeValue(this.attrValues[i]!)
    }
    return undefined
  }

  /** True when the element opened last carries `xsi:nil="true"`. */
  isNil(): boolean {
    if (this.attrCount === 0) return false
    const nil = this.attribute(XSI, "nil")
    return nil !== undefined && (nil.trim() === "true" || nil.trim() === "1")
  }

  /** The `xsi:type` of the element opened last, resolved to namespace and local name. */
  xsiType(): { readonly ns: string; readonly local: string } | undefined {
    if (this.attrCount === 0) return undefined
    const value = this.attribute(XSI, "type")?.trim()
    if (value === undefined) return undefined
    const colon = value.indexOf(":")
    const prefix = colon === -1 ? "" : value.slice(0, colon)
    const uri = this.lookup(prefix)
    if (uri === undefined) this.fail("NotWellFormed", `xsi:type uses the undeclared prefix "${prefix}"`, this.pos)
    return { ns: uri, local: colon === -1 ? value : value.slice(colon + 1) }
  }

  /** True when the element opened last carries SOAP `mustUnderstand="1"` (or "true"). */
  mustUnderstand(): boolean {
    if (this.attrCount === 0) return false
    const value = this.attribute(SOAP_ENV, "mustUnderstand")?.trim()
    return value === "1" || value === "true"
  }

  /** Line and column (1-based) of an offset, for error messages. */
  position(offset: number): { readonly line: number; readonly column: number } {
    let line = 1
    let lineStart = 0
    const end = Math.min(offset, this.src.length)
    for (let i = this.src.indexOf("\n"); i !== -1 && i < end; i = this.src.indexOf("\n", i + 1)) {
      line++
      lineStart = i + 1
    }
    return { line, column: end - lineStart + 1 }
  }

  /** The current offset (for error messages of callers). */
  get offset(): number {
    return this.pos
  }

  // ===== internals =====

  private fail(kind: XmlSyntaxKind, message: string, offset: number): never {
    throw new XmlSyntaxError(kind, message, offset)
  }

  private topName(): string {
    return this.openNames[this.openNames.length - 1] ?? ""
  }

  private skipSpace(p: number): number {
    const src = this.src
    while (p < src.length && isSpace(src.charCodeAt(p))) p++
    return p
  }

  private strayText(from: number, to: number): void {
    const src = this.src
    for (let i = from; i < to; i++) {
      if (!isSpace(src.charCodeAt(i))) {
        if (this.rejectText) {
          throw new XmlSyntaxError("UnknownElement", `unexpected text inside <${this.topName()}>`, i)
        }
        return
      }
    }
  }

  /**
   * At '<': skips a comment or processing instruction (and refuses DOCTYPE). Returns false when the markup is an
   * element (or, in the prolog, anything else the caller must handle).
   */
  private skipMarkup(prolog: boolean): boolean {
    const src = this.src
    const p = this.pos
    if (src.startsWith("<!--", p)) {
      const end = src.indexOf("-->", p + 4)
      if (end === -1) this.fail("NotWellFormed", "unterminated comment", p)
      this.pos = end + 3
      return true
    }
    if (src.startsWith("<?", p)) {
      const end = src.indexOf("?>", p + 2)
      if (end === -1) this.fail("NotWellFormed", "unterminated processing instruction", p)
      this.pos = end + 2
      return true
    }
    if (src.startsWith("<!DOCTYPE", p)) {
      this.fail("SchemaMismatch", "document type declarations (DTDs) are not accepted", p)
    }
    if (src.charCodeAt(p + 1) === 33)
      this.fail("NotWellFormed", prolog ? "unexpected markup before the root" : "unexpected markup", p)
    return false
  }

  private readStartTag(): void {
    const src = this.src
    const start = this.pos
    if (this.rootClosed) this.fail("NotWellFormed", "a second root element", start)
    let p = start + 1
    if (!isNameStart(src.charCodeAt(p))) {
      this.fail("NotWellFormed", p >= src.length ? "the document ends inside a tag" : "invalid element name", p)
    }
    const nameStart = p
    while (!isNameEnd(src.charCodeAt(p))) p++
    const qname = src.slice(nameStart, p)
    const mark = this.bindCount
    let attrs = 0
    let selfClosing = false
    for (;;) {
      const before = p
      while (isSpace(src.charCodeAt(p))) p++
      const c = src.charCodeAt(p)
      if (c === 62) {
        p++
        break
      }
      if (c === 47) {
        if (src.charCodeAt(p + 1) !== 62) this.fail("NotWellFormed", "expected '>' after '/'", p)
        p += 2
        selfClosing = true
        break
      }
      if (Number.isNaN(c)) this.fail("NotWellFormed", "the document ends inside a tag", p)
      if (p === before || !isNameStart(c)) this.fail("NotWellFormed", `malformed attribute in <${qname}>`, p)
      const attrStart = p
      while (!isNameEnd(src.charCodeAt(p))) p++
      const attrName = src.slice(attrStart, p)
      while (isSpace(src.charCodeAt(p))) p++
      if (src.charCodeAt(p) !== 61) {
        this.fail(
          "NotWellFormed",
          Number.isNaN(src.charCodeAt(p)) ? "the document ends inside a tag" : `attribute ${attrName} has no value`,
          p
        )
      }
      p++
      while (isSpace(src.charCodeAt(p))) p++
      const quote = src.charCodeAt(p)
      if (quote !== 34 && quote !== 39) {
        this.fail(
          "NotWellFormed",
          Number.isNaN(quote) ? "the document ends inside a tag" : `attribute ${attrName} is not quoted`,
          p
        )
      }
      const valueEnd = src.indexOf(quote === 34 ? '"' : "'", p + 1)
      if (valueEnd === -1) this.fail("NotWellFormed", "the document ends inside an attribute value", p)
      const raw = src.slice(p + 1, valueEnd)
      if (raw.indexOf("<") !== -1) this.fail("NotWellFormed", `'<' in the value of attribute ${attrName}`, p)
      p = valueEnd + 1
      for (let i = 0; i < attrs; i++) {
        if (this.attrNames[i] === attrName) this.fail("NotWellFormed", `duplicate attribute ${attrName}`, attrStart)
      }
      if (attrName === "xmlns") {
        this.bind("", this.attributeValue(raw), mark, attrStart)
      } else if (attrName.startsWith("xmlns:")) {
        const uri = this.attributeValue(raw)
        if (uri === "") this.fail("NotWellFormed", `empty namespace for ${attrName}`, attrStart)
        this.bind(attrName.slice(6), uri, mark, attrStart)
      }
      this.attrNames[attrs] = attrName
      this.attrValues[attrs] = raw
      attrs++
    }
    this.attrCount = attrs
    const colon = qname.indexOf(":")
    let uri: string | undefined
    if (colon === -1) {
      uri = this.lookup("") ?? ""
      this.localName = qname
    } else {
      uri = this.lookup(qname.slice(0, colon))
      if (uri === undefined) this.fail("NotWellFormed", `undeclared namespace prefix in <${qname}>`, start)
      this.localName = qname.slice(colon + 1)
    }
    this.ns = uri
    this.qname = qname
    this.openNames.push(qname)
    this.openMarks.push(mark)
    if (this.openNames.length > MAX_DEPTH) this.fail("TooLarge", `elements nested deeper than ${MAX_DEPTH}`, start)
    this.pendingEmpty = selfClosing
    this.pos = p
  }

  private bind(prefix: string, uri: string, mark: number, at: number): void {
    for (let i = mark; i < this.bindCount; i++) {
      if (this.bindPrefix[i] === prefix) this.fail("NotWellFormed", "duplicate namespace declaration", at)
    }
    this.bindPrefix[this.bindCount] = prefix
    this.bindUri[this.bindCount] = uri
    this.bindCount++
  }

  private lookup(prefix: string): string | undefined {
    for (let i = this.bindCount - 1; i >= 0; i--) {
      if (this.bindPrefix[i] === prefix) return this.bindUri[i]
    }
    return undefined
  }

  private readEndTag(): void {
    const src = this.src
    const start = this.pos
    const top = this.openNames[this.openNames.length - 1]
    if (top !== undefined && src.startsWith(top, start + 2) && src.charCodeAt(start + 2 + top.length) === 62) {
      this.pos = start + 3 + top.length
      this.closeTop()
      return
    }
    let p = start + 2
    const nameStart = p
    while (!isNameEnd(src.charCodeAt(p))) p++
    const name = src.slice(nameStart, p)
    while (isSpace(src.charCodeAt(p))) p++
    if (src.charCodeAt(p) !== 62) {
      this.fail("NotWellFormed", p >= src.length ? "the document ends inside an end tag" : "malformed end tag", p)
    }
    const expected = this.topName()
    if (name !== expected) this.fail("NotWellFormed", `expected </${expected}> but found </${name}>`, start)
    this.pos = p + 1
    this.closeTop()
  }

  private closeTop(): void {
    this.openNames.pop()
    this.bindCount = this.openMarks.pop()!
    this.attrCount = 0
    if (this.openNames.length === 0) this.rootClosed = true
  }

  private attributeValue(raw: string): string {
    const decoded = raw.indexOf("&") === -1 ? raw : this.decodeReferences(raw, this.pos)
    return decoded.replace(/[\t\n\r]/g, " ")
  }

  /** Character data between two offsets: references decoded, CR LF normalised, characters checked. */
  private decodeText(from: number, to: number): string {
    const raw = this.src.slice(from, to)
    if (!NEEDS_DECODING.test(raw)) return raw
    if (FORBIDDEN_CHAR.test(raw)) this.fail("NotWellFormed", "a character XML 1.0 does not allow", from)
    const normalised = raw.indexOf("\r") === -1 ? raw : raw.replace(/\r\n?/g, "\n")
    return normalised.indexOf("&") === -1 ? normalised : this.decodeReferences(normalised, from)
  }

  private decodeReferences(raw: string, at: number): string {
    let out = ""
    let last = 0
    for (let amp = raw.indexOf("&"); amp !== -1; amp = raw.indexOf("&", last)) {
      const semi = raw.indexOf(";", amp + 1)
      if (semi === -1 || semi - amp > 12) this.fail("NotWellFormed", "a bare '&' (not a reference)", at + amp)
      const name = raw.slice(amp + 1, semi)
      let value: string
      switch (name) {
        case "lt":
          value = "<"
          break
        case "gt":
          value = ">"
          break
        case "amp":
          value = "&"
          break
        case "quot":
          value = '"'
          break
        case "apos":
          value = "'"
          break
        default: {
          let code = Number.NaN
          if (/^#[0-9]+$/.test(name)) code = Number(name.slice(1))
          else if (/^#x[0-9a-fA-F]+$/.test(name)) code = Number.parseInt(name.slice(2), 16)
          else this.fail("NotWellFormed", `undefined entity &${name}; (entities are not expanded)`, at + amp)
          if (!isXmlChar(code))
            this.fail("NotWellFormed", `character reference &${name}; is not an XML 1.0 character`, at + amp)
          value = String.fromCodePoint(code)
        }
      }
      out += raw.slice(last, amp) + value
      last = semi + 1
    }
    return out + raw.slice(last)
  }
}
