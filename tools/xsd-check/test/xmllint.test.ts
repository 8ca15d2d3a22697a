import { describe, expect, it } from "vitest"
import { extractXsd, validateXml } from "../src/index.js"

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
