#!/usr/bin/env node
/**
 * `uplink-wsdl-pull [--from <path>] [--sandbox] [--update]`: fetches the Campaign Management WSDL (Microsoft's
 * `?singleWsdl` URL from wsdl/campaign-management/v13/source.json, or a local copy with --from), checks that it is a
 * WSDL codegen can read, and records it with its sha256 in the git-ignored cache `.cache/wsdl/campaign-management/v13/`.
 * It reports whether the sha256 matches the one the committed contracts were generated from; `--update` records the
 * new sha256 and date in source.json. Then `pnpm codegen -- --wsdl <cached file>` regenerates and git shows the diff.
 */
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { sha256 } from "./generate.js"
import { findWorkspaceRoot, sourceJsonPath, userPath, wsdlCacheDir } from "./paths.js"
import { readWsdl } from "./read-wsdl.js"

interface SourceJson {
  readonly file: string
  readonly production: string
  readonly sandbox: string
  readonly sha256: string
  readonly date: string
  readonly [key: string]: unknown
}

const main = async (): Promise<number> => {
  const { values } = parseArgs({
    options: {
      from: { type: "string" },
      sandbox: { type: "boolean", default: false },
      update: { type: "boolean", default: false }
    }
  })
  const root = findWorkspaceRoot()
  const source = JSON.parse(await readFile(sourceJsonPath(root), "utf8")) as SourceJson
  let text: string
  if (values.from !== undefined) {
    text = await readFile(userPath(values.from), "utf8")
  } else {
    const url = values.sandbox ? source.sandbox : source.production
    const response = await fetch(url).catch((error: unknown) => {
      throw new Error(`cannot download ${url} (${String(error)}); use --from <path> with a local copy`)
    })
    if (!response.ok) throw new Error(`downloading ${url} answered HTTP ${response.status}`)
    text = await response.text()
  }
  const model = readWsdl(text)
  const hash = sha256(text)
  const dir = wsdlCacheDir(root)
  await mkdir(dir, { recursive: true })
  const target = join(dir, values.sandbox ? source.file.replace(/\.wsdl$/, ".sandbox.wsdl") : source.file)
  if (values.from !== undefined && userPath(values.from) !== target) await copyFile(userPath(values.from), target)
  else await writeFile(target, text)
  await writeFile(`${target}.sha256`, `${hash}  ${source.file}\n`)
  console.log(`wsdl:pull: ${model.operations.length} operations, sha256 ${hash}`)
  console.log(`wsdl:pull: cached at ${target}`)
  if (hash === source.sha256) {
    console.log("wsdl:pull: matches source.json: the committed contracts were generated from this file")
    return 0
  }
  if (values.update) {
    const updated = { ...source, sha256: hash, date: new Date().toISOString().slice(0, 10) }
    await writeFile(sourceJsonPath(root), `${JSON.stringify(updated, null, 2)}\n`)
    console.log(`wsdl:pull: recorded the new sha256 in source.json; now run: pnpm codegen -- --wsdl ${target}`)
    return 0
  }
  console.log(`wsdl:pull: differs from source.json (${source.sha256}): the service changed. Review with`)
  console.log(`  pnpm codegen -- --wsdl ${target} && git diff`)
  console.log("and record it with --update.")
  return 1
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`wsdl:pull: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(2)
  }
)
