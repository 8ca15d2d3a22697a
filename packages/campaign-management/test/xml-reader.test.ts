/**
 * The safe XML reader: well-formedness (every truncation of a document is NotWellFormed), no DTDs and no entity
 * expansion, references and line ends decoded as XML 1.0 says, namespaces resolved with scoping, size and depth limits.
 */
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { DecodeFailure } from "../src/codec/errors.js"
import { decodeSoapResponse, type WireDecodeError } from "../src/index.js"
import { XmlReader, XmlSyntaxError } from "../src/xml/reader.js"

const read = (xml: string): { name: string; ns: string; text: string } => {
  const r = new XmlReader(xml, false)
  r.openRoot()
  const name = r.localName
  const ns = r.ns
  const text = r.readText(true)
  r.finish()
  return { name, ns, text }
}

const failure = (xml: string): XmlSyntaxError => {
  try {
    read(xml)
  } catch (e) {
    if (e instanceof XmlSyntaxError) return e
    throw e
  }
  throw new Error("expected the reader to refuse the document")
}

const response = `<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
  <s:Header><h:TrackingId xmlns:h="https://bingads.microsoft.com/CampaignManagement/v13">0a1b</h:TrackingId></s:Header>
  <s:Body>
    <ApplyOfflineConversionsResponse xmlns="https://bingads.microsoft.com/CampaignManagement/v13" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
      <PartialErrors>
        <BatchError><Code>5604</Code><Details i:nil="true"/><ErrorCode>OfflineConversionMicrosoftClickIdInvalid</ErrorCode><Index>3</Index><Message>M &amp; N</Message></BatchError>
      </PartialErrors>
    </ApplyOfflineConversionsResponse>
  </s:Body>
</s:Envelope>`

describe("XmlReader", () => {
  it("decodes the predefined entities and character references, and nothing else", () => {
    expect(read("<a>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#x1F600;</a>").text).toBe(`<>&"'AB😀`)
    expect(failure("<a>&nbsp;</a>").message).toMatch(/undefined entity &nbsp;/)
    expect(failure("<a>&#0;</a>").message).toMatch(/not an XML 1.0 character/)
    expect(failure("<a>a & b</a>").message).toMatch(/bare '&'/)
  })

  it("refuses a DTD, so entity expansion (billion laughs, external entities) cannot happen", () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><a>&lol2;</a>`
    const error = failure(laughs)
    expect(error.reason).toBe("SchemaMismatch")
    expect(error.message).toMatch(/DTD/)
    const external = `<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><a>&xxe;</a>`
    expect(failure(external).message).toMatch(/DTD/)
  })

  it("normalises CR LF and lone CR to LF in text, keeps escaped CR, and reads CDATA verbatim", () => {
    expect(read("<a>x\r\ny\rz&#13;</a>").text).toBe("x\ny\nz\r")
    expect(read("<a>1<![CDATA[<b>&amp;</b>]]>2</a>").text).toBe("1<b>&amp;</b>2")
    expect(read("<a><!-- c --><?pi x?>t</a>").text).toBe("t")
  })

  it("refuses characters XML 1.0 does not allow", () => {
    expect(failure("<a>x\u0001y</a>").reason).toBe("NotWellFormed")
  })

  it("resolves namespaces with scoping and refuses undeclared prefixes", () => {
    expect(read(`<p:a xmlns:p="urn:p">x</p:a>`)).toMatchObject({ name: "a", ns: "urn:p" })
    expect(read(`<a xmlns="urn:d">x</a>`)).toMatchObject({ ns: "urn:d" })
    const r = new XmlReader(`<a xmlns="urn:1"><b xmlns="urn:2"/><c/></a>`, false)
    r.openRoot()
    expect(r.nextChild()).toBe(true)
    expect(r.ns).toBe("urn:2")
    r.skip()
    expect(r.nextChild()).toBe(true)
    expect(r.ns).toBe("urn:1")
    expect(failure(`<q:a>x</q:a>`).message).toMatch(/undeclared namespace prefix/)
  })

  it.each([
    ["<a><b></a>", /expected <\/b> but found <\/a>/],
    ["<a x=1></a>", /not quoted/],
    [`<a x="1" x="2"></a>`, /duplicate attribute/],
    ["<a></a><b></b>", /second root/],
    ["<a></a>text", /after the root/],
    ["text<a></a>", /before the root/],
    ["", /empty/]
  ])("refuses %j", (xml, message) => {
    const error = failure(xml)
    expect(error.reason).toBe("NotWellFormed")
    expect(error.message).toMatch(message)
  })

  it("limits the nesting depth", () => {
    const r = new XmlReader("<a>".repeat(300) + "</a>".repeat(300), false)
    r.openRoot()
    expect(() => r.skip()).toThrow(/nested deeper than 256/)
  })

  it("is an XmlSyntaxError that carries a DecodeFailure reason", () => {
    expect(failure("<a>")).toBeInstanceOf(DecodeFailure)
  })
})

describe("a truncated response (a cut connection)", () => {
  it("decodes the complete document", () => {
    const decoded = decodeSoapResponse("ApplyOfflineConversions", response)
    expect(Either.isRight(decoded)).toBe(true)
  })

  it("is NotWellFormed at every cut point", () => {
    const reasons = new Set<string>()
    for (let cut = 0; cut < response.length - 1; cut++) {
      const decoded = decodeSoapResponse("ApplyOfflineConversions", response.slice(0, cut))
      expect(Either.isLeft(decoded)).toBe(true)
      const error = Either.getLeft(decoded).pipe((o) => (o._tag === "Some" ? o.value : undefined)) as WireDecodeError
      reasons.add(error.reason)
    }
    expect([...reasons]).toEqual(["NotWellFormed"])
  })

  it("is TooLarge above the size limit", () => {
    const decoded = decodeSoapResponse("ApplyOfflineConversions", response, { maxBytes: 100 })
    expect(
      Either.getLeft(decoded).pipe((o) => (o._tag === "Some" ? (o.value as WireDecodeError).reason : undefined))
    ).toBe("TooLarge")
  })

  it("reports line and column of a syntax error", () => {
    const broken = response.replace("</Message>", "</Mesage>")
    const decoded = decodeSoapResponse("ApplyOfflineConversions", broken)
    const error = Either.getLeft(decoded).pipe((o) => (o._tag === "Some" ? (o.value as WireDecodeError) : undefined))!
    expect(error.reason).toBe("NotWellFormed")
    expect(error.message).toMatch(/line 7, column \d+/)
  })
})
