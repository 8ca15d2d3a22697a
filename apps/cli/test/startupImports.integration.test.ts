/**
 * The built `uplink` is an esbuild bundle (dist/bin.js and dist/chunks/); these tests read what it loads through the
 * source maps of the files node loads, so they name TypeScript sources and packages, not chunk hashes.
 *
 * - What `uplink --version` costs (the start-up path every command takes): the command definitions only — no command's
 *   run (`src/run/`), no emulator, no contract barrel and of the generated operations only the one a command
 *   definition reads (AddConversionGoals: the goal categories of `goals create`), and none of the heavy modules a run
 *   needs (libphonenumber-js, csv-parse, the progress bar), nor fast-check or undici.
 * - A command's run is loaded when it runs (`apply --dry-run` loads `src/run/apply.ts` and the `--wait-for-report`
 *   part it imports, nothing of the ledger's better-sqlite3).
 * - The source maps point at the TypeScript, and `--verbose` turns them on (so its stack traces name `.ts` lines).
 */
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { SourceMap } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { bin, hoursAgo } from "./support.js"

const HOOK = `import { appendFileSync } from "node:fs"
export async function load(url, context, nextLoad) {
  appendFileSync(process.env.UPLINK_MODULE_LOG, url + "\\n")
  return nextLoad(url, context)
}
`

const scratch = mkdtempSync(join(tmpdir(), "uplink-startup-"))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const dist = dirname(bin)
const workspace = resolve(dist, "..", "..", "..")

/** Runs `node [nodeArgs] <args>` and resolves to its standard output, standard error and the modules it loaded. */
const runLogged = (
  args: ReadonlyArray<string>,
  nodeArgs: ReadonlyArray<string> = []
): Promise<{ readonly stdout: string; readonly stderr: string; readonly modules: ReadonlyArray<string> }> => {
  const dir = mkdtempSync(join(scratch, "run-"))
  const hook = join(dir, "hook.mjs")
  const register = join(dir, "register.mjs")
  const log = join(dir, "modules.log")
  writeFileSync(hook, HOOK)
  writeFileSync(log, "")
  writeFileSync(
    register,
    `import { register } from "node:module"\nregister(${JSON.stringify(pathToFileURL(hook).href)})\n`
  )
  return new Promise((resolvePromise, reject) => {
    execFile(
      process.execPath,
      ["--import", pathToFileURL(register).href, ...nodeArgs, ...args],
      { env: { ...process.env, UPLINK_MODULE_LOG: log }, encoding: "utf8", timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error !== null) return reject(new Error(`node ${args.join(" ")} failed: ${stderr}`))
        const modules = readFileSync(log, "utf8")
          .split("\n")
          .filter((line) => line !== "")
        resolvePromise({ stdout, stderr, modules })
      }
    )
  })
}

/** A CSV file with one valid record. */
const oneRecord = (): string => {
  const input = join(mkdtempSync(join(scratch, "input-")), "one.csv")
  writeFileSync(
    input,
    "Microsoft Click Id,Conversion Name,Conversion Time,Conversion Value,Conversion Currency Code\n" +
      `${"a".repeat(32)},Offline Purchase,${hoursAgo(3)},10,USD\n`
  )
  return input
}

/** The bundle's files among loaded module URLs. */
const bundleFiles = (modules: ReadonlyArray<string>): ReadonlyArray<string> =>
  modules
    .filter((url) => url.startsWith("file:"))
    .map((url) => fileURLToPath(url))
    .filter((path) => path.startsWith(`${dist}/`))

/** The sources (workspace-relative paths) that went into the given bundle files, read from their source maps. */
const sourcesOf = (files: ReadonlyArray<string>): ReadonlyArray<string> =>
  files.flatMap((file) => {
    const map = JSON.parse(readFileSync(`${file}.map`, "utf8")) as { sources: ReadonlyArray<string> }
    return map.sources.map((source) => resolve(dirname(file), source).slice(workspace.length + 1))
  })

/** The package a source belongs to: `@uplink/<dir>` for the workspace, else its npm name. */
const packageOf = (source: string): string => {
  const dependency = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(source)
  return dependency !== null ? dependency[1]! : source.split("/").slice(0, 2).join("/")
}

describe("the bundled uplink", () => {
  it("--version loads the command definitions only: no run, no emulator, one operation, no heavy module", async () => {
    const { stdout, modules } = await runLogged([bin, "--version"])
    const manifest = JSON.parse(readFileSync(join(dist, "..", "package.json"), "utf8")) as { version: string }
    expect(stdout.trim()).toBe(manifest.version)
    const sources = sourcesOf(bundleFiles(modules))
    expect(sources).toContain("apps/cli/src/commands/apply.ts")
    expect(sources.filter((source) => source.startsWith("apps/cli/src/run/"))).toEqual([])
    expect(sources.filter((source) => source.startsWith("packages/emulator/"))).toEqual([])
    const contracts = sources.flatMap((source) => {
      const match = /^packages\/campaign-management\/src\/(.+)$/.exec(source)
      return match === null ? [] : [match[1]!]
    })
    expect(contracts.length).toBeGreaterThan(0)
    for (const barrel of ["index.ts", "generated/operations.ts", "generated/schemas.ts", "generated/wire.ts"]) {
      expect(contracts).not.toContain(barrel)
    }
    expect(contracts.filter((path) => path.startsWith("generated/operations/"))).toEqual([
      "generated/operations/AddConversionGoals.ts"
    ])
    const packages = new Set(sources.map(packageOf))
    for (const heavy of ["libphonenumber-js", "csv-parse", "cli-progress", "fast-check", "undici"]) {
      expect(packages.has(heavy), heavy).toBe(false)
    }
  })

  it("loads a command's run when the command runs", async () => {
    const { modules } = await runLogged([bin, "apply", oneRecord(), "--dry-run"])
    const sources = sourcesOf(bundleFiles(modules))
    expect(sources).toContain("apps/cli/src/run/apply.ts")
    expect(sources).toContain("packages/core/src/pipeline/offlineConversions.ts")
    expect(sources.filter((source) => source.startsWith("apps/cli/src/run/")).sort()).toEqual([
      "apps/cli/src/run/apply.ts",
      "apps/cli/src/run/attribution.ts"
    ])
    // A dry run keeps no ledger: the native SQLite module is not loaded.
    expect(modules.filter((url) => url.includes("better-sqlite3"))).toEqual([])
  })

  it("has a source map for every file, mapping the bundle back to the TypeScript sources", () => {
    const files = [
      bin,
      ...readdirSync(join(dist, "chunks")).flatMap((name) => (name.endsWith(".js") ? [join(dist, "chunks", name)] : []))
    ]
    for (const file of files) expect(existsSync(`${file}.map`), file).toBe(true)
    const text = "unexpected error (run with --verbose for details)"
    const file = files.find((candidate) => readFileSync(candidate, "utf8").includes(text))
    expect(file).toBeDefined()
    const code = readFileSync(file!, "utf8")
    const before = code.slice(0, code.indexOf(text))
    const line = before.split("\n").length - 1
    const column = before.length - (before.lastIndexOf("\n") + 1)
    const map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, "utf8")))
    const entry = map.findEntry(line, column) as { originalSource?: string; originalLine?: number }
    const original = resolve(dirname(file!), entry.originalSource ?? "")
    expect(original).toBe(join(workspace, "apps", "cli", "src", "userError.ts"))
    expect(readFileSync(original, "utf8").split("\n")[entry.originalLine ?? -1]).toContain(text)
  })

  it("turns source maps on with --verbose only", async () => {
    const probe = join(scratch, "probe.mjs")
    writeFileSync(
      probe,
      'process.on("exit", () => process.stderr.write("source maps: " + process.sourceMapsEnabled + "\\n"))\n'
    )
    const quiet = await runLogged([bin, "--version"], ["--import", pathToFileURL(probe).href])
    expect(quiet.stderr).toContain("source maps: false")
    const verbose = await runLogged(
      [bin, "apply", oneRecord(), "--dry-run", "--verbose"],
      ["--import", pathToFileURL(probe).href]
    )
    expect(verbose.stderr).toContain("source maps: true")
  })
})
