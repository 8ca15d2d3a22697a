/**
 * Validates XML documents against the extracted XSD with xmllint (Debian's libxml2-utils). Used by tests to prove
 * that every envelope shape Uplink sends or the emulator answers is valid for the WSDL.
 */
import { spawnSync } from "node:child_process"
import { type ExtractedXsd, extractXsd } from "./extract.js"

export interface ValidationResult {
  readonly valid: boolean
  /** xmllint's messages (empty when valid). */
  readonly errors: ReadonlyArray<string>
}

let cached: ExtractedXsd | undefined

/** The extracted envelope schema, extracted once per process. */
const envelopeSchema = (): string => {
  if (cached === undefined) cached = extractXsd()
  return cached.envelope
}

/** Validates a document with `xmllint --noout --schema`; by default against the SOAP envelope schema. */
export const validateXml = (xml: string, schemaPath?: string): ValidationResult => {
  const schema = schemaPath ?? envelopeSchema()
  const run = spawnSync("xmllint", ["--noout", "--nonet", "--schema", schema, "-"], {
    input: xml,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024
  })
  if (run.error !== undefined) {
    throw new Error(`xmllint could not run (${run.error.message}); install it with: apt-get install libxml2-utils`)
  }
  const errors = run.stderr.split("\n").filter((line) => line.trim() !== "" && !/ validates$/.test(line.trim()))
  return { valid: run.status === 0, errors }
}

/** Like {@link validateXml} but throws with xmllint's messages when the document is invalid. */
export const assertValidXml = (xml: string, schemaPath?: string): void => {
  const result = validateXml(xml, schemaPath)
  if (!result.valid) throw new Error(`XML does not validate against the WSDL's XSD:\n${result.errors.join("\n")}`)
}
