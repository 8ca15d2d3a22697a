#!/usr/bin/env node
/**
 * `uplink-codegen`: regenerates the contracts (`--out <dir>`) or checks a folder for drift (`--check <dir>`).
 *
 *   uplink-codegen --out src/generated [--wsdl <path>] [--overlay <path>] [--routes <path>] [--no-soap-client]
 *   uplink-codegen --check src/generated [...same options]
 *
 * The WSDL is `--wsdl`, else `UPLINK_WSDL`, else `../shared/wsdl/v13/CampaignManagementService.wsdl` beside the
 * workspace; the REST overlay `--overlay`, else `wsdl/campaign-management/v13/rest-overlay.json` (`--no-overlay`: the
 * WSDL alone). Exit codes: 0 ok, 1 drift found, 2 usage or input error.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"
import type { RoutesFile } from "./emit-operations.js"
import { diffFiles, hasDrift, writeFiles } from "./files.js"
import { generate } from "./generate.js"
import { defaultOverlayPath, defaultRoutesPath, defaultWsdlPath, findWorkspaceRoot, userPath } from "./paths.js"

const main = async (): Promise<number> => {
  const { values } = parseArgs({
    options: {
      out: { type: "string" },
      check: { type: "string" },
      wsdl: { type: "string" },
      routes: { type: "string" },
      overlay: { type: "string" },
      "no-overlay": { type: "boolean", default: false },
      "no-soap-client": { type: "boolean", default: false },
      help: { type: "boolean", default: false }
    }
  })
  if (values.help || (values.out === undefined) === (values.check === undefined)) {
    console.error(
      "usage: uplink-codegen (--out <dir> | --check <dir>) [--wsdl <path>] [--overlay <path> | --no-overlay] [--routes <path>] [--no-soap-client]"
    )
    return 2
  }
  const root = findWorkspaceRoot()
  const wsdlPath = values.wsdl !== undefined ? userPath(values.wsdl) : defaultWsdlPath(root)
  const routesPath = values.routes !== undefined ? userPath(values.routes) : defaultRoutesPath(root)
  const wsdlText = await readFile(wsdlPath, "utf8").catch(() => {
    throw new Error(`cannot read the WSDL at ${wsdlPath}: pass --wsdl <path>, set UPLINK_WSDL, or run pnpm wsdl:pull`)
  })
  const routes = JSON.parse(await readFile(routesPath, "utf8")) as RoutesFile
  let overlay: { path: string; text: string } | undefined
  if (!values["no-overlay"]) {
    const overlayPath = values.overlay !== undefined ? userPath(values.overlay) : defaultOverlayPath(root)
    const text = await readFile(overlayPath, "utf8").catch(() => {
      throw new Error(`cannot read the REST overlay at ${overlayPath}: pass --overlay <path> (or --no-overlay)`)
    })
    overlay = { path: overlayPath, text }
  }
  const started = Date.now()
  const files = await generate({ wsdlPath, wsdlText, overlay, routes, soapClient: !values["no-soap-client"] })
  if (values.out !== undefined) {
    await writeFiles(resolve(values.out), files)
    console.log(`uplink-codegen: wrote ${files.size} files to ${values.out} in ${Date.now() - started} ms`)
    return 0
  }
  const temp = await mkdtemp(join(tmpdir(), "uplink-codegen-check-"))
  try {
    await writeFiles(temp, files)
    const drift = await diffFiles(temp, resolve(values.check!))
    if (!hasDrift(drift)) {
      console.log(`uplink-codegen: ${values.check} is up to date (${files.size} files)`)
      return 0
    }
    console.error(
      `uplink-codegen: ${values.check} differs from what the WSDL and the REST overlay generate. Run pnpm codegen and review the diff.`
    )
    for (const path of drift.changed) console.error(`  changed: ${path}`)
    for (const path of drift.missing) console.error(`  missing: ${path}`)
    for (const path of drift.extra) console.error(`  extra:   ${path}`)
    return 1
  } finally {
    await rm(temp, { recursive: true, force: true })
  }
}

// exitCode, not exit(): a long drift list written to a pipe must be flushed before the process ends.
main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(`uplink-codegen: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 2
  }
)
