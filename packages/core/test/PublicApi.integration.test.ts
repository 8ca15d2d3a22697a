/**
 * The public API of `@uplink/core` stays small and written down: the built entry point exports at most 70 names
 * (runtime names, each member of a namespace counted), and the package README's list is exactly those names (and
 * the list of `@uplink/core/reconciliation`, an entry point of its own, is exactly its names). Runs
 * `tools/scripts/count-exports.mjs` on the built package, as `pnpm --filter @uplink/core api` does.
 */
import { execFile } from "node:child_process"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const packageDir = join(import.meta.dirname, "..")
const script = join(packageDir, "..", "..", "tools", "scripts", "count-exports.mjs")

const countExports = (...args: ReadonlyArray<string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [script, ...args], { cwd: packageDir }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr })
    })
  })

describe("the public API of @uplink/core", () => {
  it("is at most 70 names, namespace members counted, and the README lists exactly them", async () => {
    const run = await countExports("dist/index.js", "--max", "70", "--readme", "README.md")
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const total = Number(/^(\d+) names in/m.exec(run.stdout)?.[1])
    expect(total).toBeGreaterThan(0)
    expect(total).toBeLessThanOrEqual(70)
  })

  it("@uplink/core/reconciliation: the README lists exactly its names", async () => {
    const run = await countExports(
      "dist/reconciliation/index.js",
      "--readme",
      "README.md",
      "--marker",
      "reconciliation-api"
    )
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
  })

  it("the check fails when the entry exports more names than allowed", async () => {
    const run = await countExports("dist/index.js", "--max", "10")
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/exports \d+ names, more than 10/)
  })

  it("keeps what is not API out of the entry point", async () => {
    const run = await countExports("dist/index.js")
    for (const internal of ["KeyUnits", "DedupeTable", "murmur128", "CsvRecordScanner", "BodyBufferPool", "emptied"]) {
      expect(run.stdout).not.toMatch(new RegExp(`\\b${internal}\\b`))
    }
  })
})
