/**
 * The contracts tree-shake under a bundler (esbuild): a program that encodes ApplyOfflineConversions with the codec
 * entry point bundles the type modules that operation reaches and no others, and none of the full-table barrels;
 * one that uses the package root bundles every type module.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { build } from "esbuild"
import { afterAll, describe, expect, it } from "vitest"

const src = join(import.meta.dirname, "..", "src")
const scratch = mkdtempSync(join(tmpdir(), "uplink-bundle-"))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** The source files of the package that end up in a bundle of `program`, with their bytes in the output. */
const bundled = async (name: string, program: string): Promise<ReadonlyMap<string, number>> => {
  const entry = join(scratch, `${name}.ts`)
  writeFileSync(entry, program)
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "node",
    write: false,
    metafile: true,
    logLevel: "silent",
    external: ["effect", "soap"]
  })
  const output = Object.values(result.metafile.outputs)[0]!
  const files = new Map<string, number>()
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const inSrc = /(?:^|\/)src\/(.+)$/.exec(path.replaceAll("\\", "/"))?.[1]
    if (inSrc !== undefined && bytesInOutput > 0) files.set(inSrc, bytesInOutput)
  }
  return files
}

const typeModules = (files: ReadonlyMap<string, number>) =>
  [...files.keys()].filter((path) => path.startsWith("generated/types/")).sort()

describe("bundled with esbuild", () => {
  it("one operation's entry point and the codecs bring that operation's type modules and nothing else", async () => {
    const files = await bundled(
      "one",
      [
        `import { encodeRestRequest } from ${JSON.stringify(join(src, "wire.ts"))}`,
        `import { ApplyOfflineConversions } from ${JSON.stringify(join(src, "generated/operations/ApplyOfflineConversions.ts"))}`,
        "console.log(encodeRestRequest(ApplyOfflineConversions, { OfflineConversions: [] }))"
      ].join("\n")
    )
    const entryPoint = readFileSync(join(src, "generated/operations/ApplyOfflineConversions.ts"), "utf8")
    const reached = [...entryPoint.matchAll(/from "\.\.\/(types\/[^"]+)\.js"/g)].map((m) => `generated/${m[1]}.ts`)
    expect(reached.length).toBeGreaterThan(0)
    expect(typeModules(files)).toEqual([...new Set(reached)].sort())
    for (const barrel of ["index.ts", "generated/operations.ts", "generated/schemas.ts", "generated/wire.ts"]) {
      expect(files.has(barrel), barrel).toBe(false)
    }
    expect(files.has("rest/writer-runtime.ts")).toBe(true)
  })

  it("the package root brings every type module (the full table)", async () => {
    const files = await bundled(
      "root",
      [
        `import { encodeRestRequest } from ${JSON.stringify(join(src, "index.ts"))}`,
        `console.log(encodeRestRequest("ApplyOfflineConversions", { OfflineConversions: [] }))`
      ].join("\n")
    )
    expect(typeModules(files).length).toBeGreaterThan(250)
  })
})
