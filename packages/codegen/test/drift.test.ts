import { execFileSync, spawnSync } from "node:child_process"
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { packageDir, workspaceRoot } from "./helpers.js"

const cli = join(packageDir, "dist", "cli.js")
const contracts = join(workspaceRoot, "packages", "campaign-management")
const generated = join(contracts, "src", "generated")
const scratch = mkdtempSync(join(tmpdir(), "uplink-drift-"))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const check = (dir: string) => spawnSync(process.execPath, [cli, "--check", dir], { cwd: contracts, encoding: "utf8" })

describe("codegen:check (drift)", () => {
  it("the built CLI exists (turbo builds codegen before its tests)", () => {
    expect(existsSync(cli)).toBe(true)
  })

  it("passes on the committed contracts", () => {
    const run = check(generated)
    expect(run.stderr).toBe("")
    expect(run.status).toBe(0)
  })

  it("fails and names the file when a generated file is edited, added or removed", () => {
    const copy = join(scratch, "generated")
    cpSync(generated, copy, { recursive: true })
    appendFileSync(join(copy, "schemas.ts"), "// a hand edit\n")
    writeFileSync(join(copy, "extra.ts"), "export {}\n")
    rmSync(join(copy, "soap-client", "definitions", "OfflineConversion.ts"))
    const run = check(copy)
    expect(run.status).toBe(1)
    expect(run.stderr).toContain("changed: schemas.ts")
    expect(run.stderr).toContain("extra:   extra.ts")
    expect(run.stderr).toContain("missing: soap-client/definitions/OfflineConversion.ts")
  })

  it("regenerates with --out into an empty folder identical to the committed contracts", () => {
    const out = join(scratch, "fresh")
    execFileSync(process.execPath, [cli, "--out", out], { cwd: contracts })
    expect(check(out).status).toBe(0)
  })

  it("records in source.json the sha256 the committed contracts were generated from", () => {
    const source = JSON.parse(
      readFileSync(join(workspaceRoot, "wsdl", "campaign-management", "v13", "source.json"), "utf8")
    )
    const header = readFileSync(join(generated, "schemas.ts"), "utf8").split("\n")[0]
    expect(header).toContain(`(sha256 ${source.sha256})`)
  })

  it("exits 2 with a clear message when the WSDL cannot be read", () => {
    const run = spawnSync(process.execPath, [cli, "--check", generated, "--wsdl", join(scratch, "missing.wsdl")], {
      cwd: contracts,
      encoding: "utf8"
    })
    expect(run.status).toBe(2)
    expect(run.stderr).toMatch(/cannot read the WSDL at .*missing\.wsdl/)
  })
})
