/**
 * What importing @uplink/core costs in contracts: no contract barrel and no operation is loaded at import (a call
 * loads its operation when it is made); of the generated type modules, only the fault details every call may answer
 * with. Runs the built package in a child process (as users and the apps import it).
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
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
})
