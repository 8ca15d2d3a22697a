/**
 * Generates the typed node-soap client with wsdl-tsclient and post-processes it so that it compiles under
 * `verbatimModuleSyntax` and cannot fall into node-soap's Date trap:
 * - `import` / `export` of interfaces become `import type` / `export type`;
 * - `xs:dateTime` fields are typed as ISO 8601 strings, because node-soap serialises a `Date` as an empty element;
 * - every file gets the generated-code header.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { parseAndGenerate } from "wsdl-tsclient"

const listFiles = async (dir: string): Promise<Array<string>> => {
  const entries = await readdir(dir, { withFileTypes: true })
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory() ? listFiles(join(dir, entry.name)) : Promise.resolve([join(dir, entry.name)])
    )
  )
  return nested.flat()
}

/** Rewrites one generated file; exported for tests. */
export const postProcessSoapClientFile = (path: string, text: string, header: string): string => {
  let out = text
    .replace(/^import \{ ([^}]+) \} from "(\.{1,2}\/[^"]+)";$/gm, 'import type { $1 } from "$2";')
    .replace(
      /^import \{ Client as SoapClient, createClientAsync as soapCreateClientAsync, IExOptions as ISoapExOptions \} from "soap";$/m,
      'import { type Client as SoapClient, createClientAsync as soapCreateClientAsync, type IExOptions as ISoapExOptions } from "soap";'
    )
    .replace(
      /^( +)\/\*\* xs:dateTime \*\/\n( +)(\w+)\?: Date;$/gm,
      "$1/** xs:dateTime as an ISO 8601 string in UTC, e.g. `2026-11-01T10:00:00Z` (node-soap sends a Date as an empty element). */\n$2$3?: string;"
    )
  if (path === "index.ts") {
    out = out
      .replace(
        /^export \{ ([^}]+) \} from "\.\/(definitions|services|ports)\/([^"]+)";$/gm,
        'export type { $1 } from "./$2/$3";'
      )
      .replace(
        /^export \{ createClientAsync, (\w+) \} from "\.\/client\.js";$/m,
        'export { createClientAsync, type $1 } from "./client.js";'
      )
  }
  if (/\?: Date;/.test(out)) throw new Error(`soap client ${path}: a Date-typed field was left after post-processing`)
  return `${header}${out.endsWith("\n") ? out : `${out}\n`}`
}

/** Runs wsdl-tsclient on the WSDL and returns the post-processed files by path relative to the client folder. */
export const generateSoapClient = async (wsdlPath: string, header: string): Promise<Map<string, string>> => {
  const dir = await mkdtemp(join(tmpdir(), "uplink-soap-client-"))
  try {
    await parseAndGenerate(wsdlPath, dir, { esm: true, quiet: true, colors: false })
    const [serviceDir] = await readdir(dir)
    if (serviceDir === undefined) throw new Error("wsdl-tsclient produced no output")
    const root = join(dir, serviceDir)
    const files = new Map<string, string>()
    for (const file of (await listFiles(root)).sort()) {
      const path = relative(root, file).split("\\").join("/")
      files.set(path, postProcessSoapClientFile(path, await readFile(file, "utf8"), header))
    }
    return files
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
