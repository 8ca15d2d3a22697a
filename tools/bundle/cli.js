#!/usr/bin/env node
/**
 * `uplink-bundle <entry> [--outdir dist] [--external <package>]… [--clean]`: an app's build step (see index.js).
 */
import { parseArgs } from "node:util"
import { bundleBin } from "./index.js"

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    outdir: { type: "string", default: "dist" },
    external: { type: "string", multiple: true, default: [] },
    clean: { type: "boolean", default: false }
  }
})
if (positionals.length !== 1) {
  console.error("usage: uplink-bundle <entry> [--outdir dist] [--external <package>]… [--clean]")
  process.exit(2)
}
try {
  const metafile = await bundleBin({ entry: positionals[0], ...values })
  const outputs = Object.entries(metafile.outputs).filter(([path]) => path.endsWith(".js"))
  const bytes = outputs.reduce((sum, [, output]) => sum + output.bytes, 0)
  console.log(`${positionals[0]} → ${values.outdir}: ${outputs.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB`)
} catch (error) {
  console.error(`uplink-bundle: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
}
