import { execFile } from "node:child_process"
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

/** Runs the built CLI without blocking the test worker (a blocked worker misses vitest's RPC deadlines under load). */
const runCli = (args: ReadonlyArray<string>) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: contracts, encoding: "utf8" }, (error, stdout, stderr) =>
      resolve({ status: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr })
    )
  })
const check = (dir: string) => runCli(["--check", dir])

describe("codegen:check (drift)", () => {
  it("the built CLI exists (turbo builds codegen before its tests)", () => {
    expect(existsSync(cli)).toBe(true)
  })

  it("passes on the committed contracts", async () => {
    const run = await check(generated)
    expect(run.stderr).toBe("")
    expect(run.status).toBe(0)
  })

  it("fails and names the file when a generated file is edited, added or removed", async () => {
    const copy = join(scratch, "generated")
    cpSync(generated, copy, { recursive: true })
    appendFileSync(join(copy, "schemas.ts"), "// a hand edit\n")
    writeFileSync(join(copy, "extra.ts"), "export {}\n")
    rmSync(join(copy, "soap-client", "definitions", "OfflineConversion.ts"))
    const run = await check(copy)
    expect(run.status).toBe(1)
    expect(run.stderr).toContain("changed: schemas.ts")
    expect(run.stderr).toContain("extra:   extra.ts")
    expect(run.stderr).toContain("missing: soap-client/definitions/OfflineConversion.ts")
  })

  it("regenerates with --out into an empty folder identical to the committed contracts", async () => {
    const out = join(scratch, "fresh")
    expect((await runCli(["--out", out])).status).toBe(0)
    expect((await check(out)).status).toBe(0)
  })

  it("records in source.json the sha256 the committed contracts were generated from", () => {
    const source = JSON.parse(
      readFileSync(join(workspaceRoot, "wsdl", "campaign-management", "v13", "source.json"), "utf8")
    )
    const header = readFileSync(join(generated, "schemas.ts"), "utf8").split("\n")[0]
    expect(header).toContain(`(sha256 ${source.sha256})`)
  })

  it("covers the REST overlay: a changed overlay is drift (its hash is in every header), a missing one exit 2", async () => {
    const overlay = JSON.parse(
      readFileSync(join(workspaceRoot, "wsdl", "campaign-management", "v13", "rest-overlay.json"), "utf8")
    )
    overlay.extend[1].addValues = [...overlay.extend[1].addValues, "Hypothetical"]
    const edited = join(scratch, "rest-overlay.json")
    writeFileSync(edited, JSON.stringify(overlay))
    const run = await runCli(["--check", generated, "--overlay", edited])
    expect(run.status).toBe(1)
    expect(run.stderr).toContain("differs from what the WSDL and the REST overlay generate")
    expect(run.stderr).toContain("changed: types/ConversionGoalType.ts")
    const missing = await runCli(["--check", generated, "--overlay", join(scratch, "none.json")])
    expect(missing.status).toBe(2)
    expect(missing.stderr).toMatch(/cannot read the REST overlay at .*none\.json/)
  })

  it("exits 2 with a clear message when the WSDL cannot be read", async () => {
    const run = await runCli(["--check", generated, "--wsdl", join(scratch, "missing.wsdl")])
    expect(run.status).toBe(2)
    expect(run.stderr).toMatch(/cannot read the WSDL at .*missing\.wsdl/)
  })
})
