#!/usr/bin/env node
/**
 * `uplink-xsd-extract [--wsdl <path>] --out <dir>`: writes schema0..5.xsd and envelope.xsd for use with
 * `xmllint --schema <dir>/envelope.xsd`.
 */
import { resolve } from "node:path"
import { parseArgs } from "node:util"
import { defaultWsdl, extractXsd } from "./extract.js"

const { values } = parseArgs({ options: { wsdl: { type: "string" }, out: { type: "string" } } })
if (values.out === undefined) {
  console.error("usage: uplink-xsd-extract [--wsdl <path>] --out <dir>")
  process.exit(2)
}
const result = extractXsd(values.wsdl === undefined ? defaultWsdl() : resolve(values.wsdl), resolve(values.out))
console.log(`wrote ${result.schemas.size} schemas and ${result.envelope}`)
