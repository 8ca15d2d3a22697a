/**
 * Extracts the XML Schemas embedded in a WSDL into standalone `.xsd` files that xmllint can load.
 *
 * The WSDL's six inline `xs:schema` elements import each other by namespace only and rely on prefixes declared on
 * `wsdl:definitions`. Each extracted file therefore gets the root's namespace declarations it lacks, and each
 * `xs:import` a `schemaLocation` pointing at its sibling file. A small SOAP 1.1 envelope schema (`envelope.xsd`)
 * imports them all so whole envelopes (headers, body, faults) can be validated.
 */
import { createHash, randomBytes } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

export const SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"

export interface ExtractedXsd {
  readonly dir: string
  /** The envelope schema: validates a whole SOAP 1.1 envelope against the service's types. */
  readonly envelope: string
  /** targetNamespace → schema file. */
  readonly schemas: ReadonlyMap<string, string>
}

const envelopeXsd = (imports: ReadonlyArray<readonly [string, string]>) => `<?xml version="1.0" encoding="utf-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="${SOAP_ENV}" targetNamespace="${SOAP_ENV}">
${imports.map(([ns, file]) => `  <xs:import namespace="${ns}" schemaLocation="${file}"/>`).join("\n")}
  <xs:element name="Envelope">
    <xs:complexType>
      <xs:sequence>
        <xs:element ref="tns:Header" minOccurs="0"/>
        <xs:element ref="tns:Body"/>
      </xs:sequence>
      <xs:anyAttribute namespace="##other" processContents="lax"/>
    </xs:complexType>
  </xs:element>
  <xs:element name="Header">
    <xs:complexType>
      <xs:sequence>
        <xs:any namespace="##other" processContents="strict" minOccurs="0" maxOccurs="unbounded"/>
      </xs:sequence>
      <xs:anyAttribute namespace="##other" processContents="lax"/>
    </xs:complexType>
  </xs:element>
  <xs:element name="Body">
    <xs:complexType>
      <xs:sequence>
        <xs:any namespace="##any" processContents="strict" minOccurs="0" maxOccurs="unbounded"/>
      </xs:sequence>
      <xs:anyAttribute namespace="##any" processContents="lax"/>
    </xs:complexType>
  </xs:element>
  <xs:element name="Fault">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="faultcode" type="xs:QName" form="unqualified"/>
        <xs:element name="faultstring" type="xs:string" form="unqualified"/>
        <xs:element name="faultactor" type="xs:anyURI" form="unqualified" minOccurs="0"/>
        <xs:element name="detail" form="unqualified" minOccurs="0">
          <xs:complexType>
            <xs:sequence>
              <xs:any namespace="##any" processContents="strict" minOccurs="0" maxOccurs="unbounded"/>
            </xs:sequence>
            <xs:anyAttribute namespace="##any" processContents="lax"/>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
`

/** Splits the WSDL text into standalone schema documents (pure; exported for tests). */
export const extractSchemaTexts = (wsdl: string): Array<{ ns: string; file: string; text: string }> => {
  const root = /<wsdl:definitions\b([^>]*)>/.exec(wsdl)
  if (root === null) throw new Error("not a WSDL: no wsdl:definitions element")
  const rootDecls = [...root[1]!.matchAll(/\s(xmlns(?::[\w.-]+)?)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!] as const)
  const blocks = [...wsdl.matchAll(/<xs:schema\b([^>]*)>([\s\S]*?)<\/xs:schema>/g)]
  if (blocks.length === 0) throw new Error("the WSDL has no inline xs:schema")
  const files = new Map<string, string>()
  blocks.forEach((block, i) => {
    const ns = /targetNamespace="([^"]+)"/.exec(block[1]!)?.[1]
    if (ns === undefined) throw new Error(`schema ${i} has no targetNamespace`)
    files.set(ns, `schema${i}.xsd`)
  })
  return blocks.map((block) => {
    const attrs = block[1]!
    const ns = /targetNamespace="([^"]+)"/.exec(attrs)![1]!
    const missing = rootDecls.filter(([name]) => !new RegExp(`\\s${name}=`).test(attrs))
    const start = `<xs:schema${attrs}${missing.map(([name, value]) => ` ${name}="${value}"`).join("")}>`
    const body = block[2]!.replace(/<xs:import namespace="([^"]+)"\s*\/>/g, (_, importNs: string) => {
      const file = files.get(importNs)
      if (file === undefined) throw new Error(`schema ${ns} imports ${importNs}, which the WSDL does not contain`)
      return `<xs:import namespace="${importNs}" schemaLocation="${file}" />`
    })
    return { ns, file: files.get(ns)!, text: `<?xml version="1.0" encoding="utf-8"?>\n${start}${body}</xs:schema>\n` }
  })
}

/** The default WSDL: `UPLINK_WSDL`, else `../shared/wsdl/v13/CampaignManagementService.wsdl` beside the workspace. */
export const defaultWsdl = (): string => {
  if (process.env.UPLINK_WSDL) return resolve(process.env.UPLINK_WSDL)
  let dir = process.cwd()
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
    const parent = resolve(dir, "..")
    if (parent === dir) throw new Error("run inside the Uplink workspace or set UPLINK_WSDL")
    dir = parent
  }
  return resolve(dir, "..", "shared", "wsdl", "v13", "CampaignManagementService.wsdl")
}

/**
 * Extracts the schemas of a WSDL into `outDir`, or by default into a folder of the OS temp dir that is shared by test
 * files and runs. The shared folder is named after the sha256 of what this extractor writes (the schema files and the
 * envelope schema), not of the WSDL alone, so a changed extractor never reuses a folder an older one wrote. It is
 * published atomically: written as a sibling temp folder, then renamed into place; a process that loses the race
 * to rename keeps the winner's folder (same content) and removes its own.
 */
export const extractXsd = (wsdlPath: string = defaultWsdl(), outDir?: string): ExtractedXsd => {
  const wsdl = readFileSync(wsdlPath, "utf8")
  const parts = extractSchemaTexts(wsdl)
  const envelopeText = envelopeXsd(parts.map((p) => [p.ns, p.file] as const))
  const files: ReadonlyArray<readonly [string, string]> = [
    ...parts.map((part) => [part.file, part.text] as const),
    ["envelope.xsd", envelopeText] as const
  ]
  const write = (into: string) => {
    mkdirSync(into, { recursive: true })
    for (const [file, text] of files) writeFileSync(join(into, file), text)
  }
  let dir: string
  if (outDir !== undefined) {
    dir = outDir
    write(dir)
  } else {
    const hash = createHash("sha256")
    for (const [file, text] of files) hash.update(file).update("\0").update(text).update("\0")
    dir = join(tmpdir(), `uplink-xsd-${hash.digest("hex").slice(0, 16)}`)
    if (!existsSync(join(dir, "envelope.xsd"))) {
      const staging = `${dir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`
      write(staging)
      try {
        renameSync(staging, dir)
      } catch (error) {
        rmSync(staging, { recursive: true, force: true })
        if (!existsSync(join(dir, "envelope.xsd"))) throw error
      }
    }
  }
  return { dir, envelope: join(dir, "envelope.xsd"), schemas: new Map(parts.map((p) => [p.ns, join(dir, p.file)])) }
}
