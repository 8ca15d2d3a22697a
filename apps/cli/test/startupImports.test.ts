/**
 * What `uplink --version` costs in contracts (the start-up path every command takes): no contract barrel, no emulator
 * (which serves every operation), and of the generated operations only the one a command definition reads
 * (AddConversionGoals: the goal categories of `goals create`). Runs the built bin with a module loader hook that logs
 * every module loaded.
 */
import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { describe, expect, it } from "vitest"
import { bin } from "./support.js"

const HOOK = `import { appendFileSync } from "node:fs"
export async function load(url, context, nextLoad) {
  appendFileSync(process.env.UPLINK_MODULE_LOG, url + "\\n")
  return nextLoad(url, context)
}
`

/** The URLs of the modules `node <args>` loads. */
const loadedModules = (args: ReadonlyArray<string>): Promise<ReadonlyArray<string>> => {
  const dir = mkdtempSync(join(tmpdir(), "uplink-module-log-"))
  const hook = join(dir, "hook.mjs")
  const register = join(dir, "register.mjs")
  const log = join(dir, "modules.log")
  writeFileSync(hook, HOOK)
  writeFileSync(log, "")
  writeFileSync(
    register,
    `import { register } from "node:module"\nregister(${JSON.stringify(pathToFileURL(hook).href)})\n`
  )
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", pathToFileURL(register).href, ...args],
      { env: { ...process.env, UPLINK_MODULE_LOG: log }, encoding: "utf8" },
      (error, _stdout, stderr) => {
        try {
          if (error !== null) reject(new Error(`node ${args.join(" ")} failed: ${stderr}`))
          else
            resolve(
              readFileSync(log, "utf8")
                .split("\n")
                .filter((line) => line !== "")
            )
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      }
    )
  })
}

describe("uplink --version", () => {
  it("loads no contract barrel, no emulator and no operation but the one a command definition reads", async () => {
    const modules = await loadedModules([bin, "--version"])
    const contracts = modules.flatMap((url) => {
      const match = /\/campaign-management\/dist\/(.+)$/.exec(url)
      return match === null ? [] : [match[1]!]
    })
    expect(contracts.length).toBeGreaterThan(0)
    for (const barrel of ["index.js", "generated/operations.js", "generated/schemas.js", "generated/wire.js"]) {
      expect(contracts).not.toContain(barrel)
    }
    expect(modules.filter((url) => url.includes("/emulator/dist/"))).toEqual([])
    expect(contracts.filter((path) => path.startsWith("generated/operations/"))).toEqual([
      "generated/operations/AddConversionGoals.js"
    ])
  })
})
