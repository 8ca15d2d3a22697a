#!/usr/bin/env node
/**
 * Adds up the vitest JSON reports (`.vitest-results.json`) of every package after `pnpm test` under CI and prints
 * one closing line, `Tests: N passed, N failed[, N skipped]`, plus the packages whose reports are missing.
 * Exits 1 when any test failed, when a package with tests wrote no report, or when no test ran at all.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

const root = new URL("../..", import.meta.url).pathname
let passed = 0
let failed = 0
let skipped = 0
const missing = []
for (const group of ["packages", "apps", "tools"]) {
  const dir = join(root, group)
  if (!existsSync(dir)) continue
  for (const name of readdirSync(dir)) {
    const pkgDir = join(dir, name)
    const pkgJson = join(pkgDir, "package.json")
    if (!existsSync(pkgJson)) continue
    const scripts = JSON.parse(readFileSync(pkgJson, "utf8")).scripts ?? {}
    if (!scripts.test) continue
    const report = join(pkgDir, ".vitest-results.json")
    if (!existsSync(report)) {
      missing.push(`${group}/${name}`)
      continue
    }
    const json = JSON.parse(readFileSync(report, "utf8"))
    passed += json.numPassedTests ?? 0
    failed += json.numFailedTests ?? 0
    skipped += (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0)
  }
}
if (missing.length > 0) console.log(`packages without a test report: ${missing.join(", ")}`)
console.log(`Tests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`)
process.exit(failed > 0 || missing.length > 0 || passed === 0 ? 1 : 0)
