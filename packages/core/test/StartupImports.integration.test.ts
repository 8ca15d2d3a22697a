/**
 * What importing @uplink/core costs: no contract barrel and no operation is loaded at import (a call loads its
 * operation when it is made); of the generated type modules, only the fault details every call may answer with; no
 * package root of effect or @effect/* (each loads every module of its package), not libphonenumber-js, which is
 * loaded when the first phone number or region is checked, and not undici (@effect/platform-node's client module loads
 * it; the HTTP client imports that module with the first request that needs it). Runs the built package in a child process (as users and
 * the apps import it).
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { execFile } from "node:child_process"
import { describe, expect, it } from "vitest"
import { contractModules, loadedModules } from "./support/ModuleLog.js"

const packageDir = join(import.meta.dirname, "..")

/** The type modules the generated fault table imports (the fault details), as paths inside the contracts' dist. */
const faultTypeModules = (): ReadonlyArray<string> => {
  const contracts = dirname(createRequire(join(packageDir, "package.json")).resolve("@uplink/campaign-management/wire"))
  const faults = readFileSync(join(contracts, "generated", "faults.js"), "utf8")
  return [...faults.matchAll(/from "\.\/(types\/[^"]+)"/g)].map((m) => `generated/${m[1]}`)
}

describe('import("@uplink/core")', () => {
  it("loads no contract barrel, no operation, and no type module but the fault details", async () => {
    const modules = contractModules(await loadedModules(packageDir, ["-e", 'await import("@uplink/core")']))
    expect(modules.length).toBeGreaterThan(0)
    expect(modules).not.toContain("index.js")
    for (const barrel of ["generated/operations.js", "generated/schemas.js", "generated/wire.js"]) {
      expect(modules).not.toContain(barrel)
    }
    expect(modules.filter((path) => path.startsWith("generated/operations/"))).toEqual([])
    const types = modules.filter((path) => path.startsWith("generated/types/"))
    expect(types.length).toBeGreaterThan(0)
    expect([...types].sort()).toEqual([...faultTypeModules()].sort())
  })

  it("loads no package root of effect or @effect/*, nor libphonenumber-js or undici", async () => {
    const modules = await loadedModules(packageDir, ["-e", 'await import("@uplink/core")'])
    const roots = modules.filter((url) => /\/node_modules\/(?:effect|@effect\/[^/]+)\/dist\/esm\/index\.js$/.test(url))
    expect(roots).toEqual([])
    expect(modules.filter((url) => url.includes("/libphonenumber-js/"))).toEqual([])
    expect(modules.filter((url) => url.includes("/undici/"))).toEqual([])
  })

  it("loads libphonenumber-js when a phone number is first checked", async () => {
    const script = [
      'const { createHash } = await import("node:crypto")',
      'const { checkJsonRecord, OfflineConversions } = await import("@uplink/core")',
      "const time = new Date(Date.now() - 3600000).toISOString()",
      'const record = { MicrosoftClickId: "c", ConversionName: "n", ConversionTime: time, Phone: "(425) 555-0100" }',
      'const checked = checkJsonRecord(record, "apply", { nowMs: Date.now(), time: {}, defaultRegion: "US" })',
      'const e164 = createHash("sha256").update("+14255550100").digest("hex")',
      "const region = (code) => OfflineConversions.resolveDefaultRegion(code)._tag",
      'console.log(checked.result.hashedPhone === e164, region("GB"), region("XX"))'
    ].join("\n")
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ["--input-type=module", "-e", script],
        { cwd: packageDir, encoding: "utf8" },
        (error, stdout, stderr) => (error === null ? resolve(stdout) : reject(new Error(stderr)))
      )
    )
    expect(output.trim()).toBe("true Right Left")
  })
})
