import { execFile } from "node:child_process"
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { packageDir, realWsdlPath, workspaceRoot } from "./helpers.js"

/** A throwaway workspace with its own wsdl/ folder, so --update never touches the real source.json. */
const scratchWorkspace = () => {
  const root = mkdtempSync(join(tmpdir(), "uplink-pull-"))
  writeFileSync(join(root, "pnpm-workspace.yaml"), "packages: []\n")
  mkdirSync(join(root, "wsdl"), { recursive: true })
  cpSync(join(workspaceRoot, "wsdl", "campaign-management"), join(root, "wsdl", "campaign-management"), {
    recursive: true
  })
  return root
}
/** Runs the built wsdl-pull without blocking the test worker. */
const pull = (root: string, args: ReadonlyArray<string>) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [join(packageDir, "dist", "wsdl-pull.js"), ...args],
      { cwd: root, encoding: "utf8" },
      (error, stdout, stderr) =>
        resolve({ status: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr })
    )
  })

describe("wsdl:pull --from", () => {
  it("caches a local copy with its sha256 and confirms it matches source.json", async () => {
    const root = scratchWorkspace()
    const run = await pull(root, ["--from", realWsdlPath])
    expect(run.status).toBe(0)
    expect(run.stdout).toContain("178 operations")
    expect(run.stdout).toContain("matches source.json")
    const cached = join(root, ".cache", "wsdl", "campaign-management", "v13", "CampaignManagementService.wsdl")
    expect(readFileSync(cached, "utf8")).toBe(readFileSync(realWsdlPath, "utf8"))
    expect(readFileSync(`${cached}.sha256`, "utf8")).toMatch(
      /^ba8ffe14[0-9a-f]{56}  CampaignManagementService\.wsdl\n$/
    )
  })

  it("reports a changed WSDL (exit 1) and records it with --update", async () => {
    const root = scratchWorkspace()
    const changed = join(root, "changed.wsdl")
    writeFileSync(changed, readFileSync(realWsdlPath, "utf8").replace("<wsdl:types>", "<wsdl:types><!-- new -->"))
    const run = await pull(root, ["--from", "changed.wsdl"])
    expect(run.status).toBe(1)
    expect(run.stdout).toContain("differs from source.json")
    const updated = await pull(root, ["--from", "changed.wsdl", "--update"])
    expect(updated.status).toBe(0)
    const source = JSON.parse(readFileSync(join(root, "wsdl", "campaign-management", "v13", "source.json"), "utf8"))
    expect(source.sha256).not.toBe("ba8ffe145ebb7d426574316cbb9f8e94b5e7809a181bf64aef378995203ca35a")
    expect(source.sha256).toMatch(/^[0-9a-f]{64}$/)
  })

  it("refuses a file that is not a WSDL (exit 2) and caches nothing", async () => {
    const root = scratchWorkspace()
    writeFileSync(join(root, "not.wsdl"), "<html/>")
    const run = await pull(root, ["--from", "not.wsdl"])
    expect(run.status).toBe(2)
    expect(run.stderr).toContain("not a WSDL 1.1 document")
    expect(existsSync(join(root, ".cache"))).toBe(false)
  })
})
