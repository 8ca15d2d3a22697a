import { execFile } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"
import { defaultWsdl, extractXsd, validateXml } from "../src/index.js"

const execFileAsync = promisify(execFile)

const V13 = "https://bingads.microsoft.com/CampaignManagement/v13"
const envelope = (conversion: string) => `<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
<s:Header><AuthenticationToken xmlns="${V13}">t</AuthenticationToken><CustomerAccountId xmlns="${V13}">2</CustomerAccountId><CustomerId xmlns="${V13}">1</CustomerId><DeveloperToken xmlns="${V13}">d</DeveloperToken></s:Header>
<s:Body><ApplyOfflineConversionsRequest xmlns="${V13}"><OfflineConversions><OfflineConversion>${conversion}</OfflineConversion></OfflineConversions></ApplyOfflineConversionsRequest></s:Body></s:Envelope>`

describe("xsd extraction + xmllint", () => {
  it("extracts the six schemas and the envelope schema", () => {
    const xsd = extractXsd()
    expect(xsd.schemas.size).toBe(6)
    expect(xsd.schemas.has("https://adapi.microsoft.com")).toBe(true)
  })

  it("accepts a valid envelope", () => {
    const result = validateXml(
      envelope(
        "<ConversionName>Sale</ConversionName><ConversionTime>2026-11-01T10:00:00Z</ConversionTime><MicrosoftClickId>abc</MicrosoftClickId>"
      )
    )
    expect(result.errors).toEqual([])
    expect(result.valid).toBe(true)
  })

  it("rejects swapped elements, an empty dateTime and nil on a non-nillable element", () => {
    const swapped = validateXml(
      envelope("<ConversionTime>2026-11-01T10:00:00Z</ConversionTime><ConversionName>Sale</ConversionName>")
    )
    expect(swapped.valid).toBe(false)
    expect(swapped.errors.join("\n")).toMatch(/ConversionName.*not expected/)
    expect(validateXml(envelope("<ConversionTime></ConversionTime>")).valid).toBe(false)
    expect(validateXml(envelope('<ConversionTime i:nil="true"/>')).valid).toBe(false)
  })

  it("rejects an unknown header", () => {
    const xml = envelope("").replace("<s:Header>", `<s:Header><Bogus xmlns="${V13}">x</Bogus>`)
    expect(validateXml(xml).valid).toBe(false)
  })
})

describe("the shared schema folder", () => {
  it("is keyed by what the extractor writes, so a folder an older extractor left for the same WSDL is not reused", () => {
    const fresh = extractXsd()
    const wsdl = readFileSync(defaultWsdl(), "utf8")
    // The folder name the extractor used when it was keyed by the WSDL's hash alone, holding an outdated envelope.
    const stale = join(tmpdir(), `uplink-xsd-${createHash("sha256").update(wsdl).digest("hex").slice(0, 16)}`)
    mkdirSync(stale, { recursive: true })
    writeFileSync(join(stale, "envelope.xsd"), "<stale/>")
    const again = extractXsd()
    expect(again.dir).not.toBe(stale)
    expect(again.dir).toBe(fresh.dir)
    expect(readFileSync(again.envelope, "utf8")).toContain('<xs:element name="Envelope">')
    rmSync(stale, { recursive: true, force: true })
  })

  it("is published whole: processes extracting at once all end with complete folders and no staging left", async () => {
    const script = `import { extractXsd } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)}
const xsd = extractXsd(); console.log(xsd.dir)`
    const { dir } = extractXsd()
    rmSync(dir, { recursive: true, force: true })
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => execFileAsync(process.execPath, ["--input-type=module", "-e", script]))
    )
    const dirs = new Set(runs.map((run) => run.stdout.trim()))
    expect([...dirs]).toEqual([dir])
    for (const file of ["envelope.xsd", "schema0.xsd", "schema5.xsd"]) expect(existsSync(join(dir, file))).toBe(true)
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith(`${basename(dir)}.tmp-`))).toEqual([])
  })
})
