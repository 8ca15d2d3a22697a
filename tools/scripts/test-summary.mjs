#!/usr/bin/env node
/**
 * Adds up the vitest JSON reports of every package after `pnpm check` under CI — `.vitest-results.json` of the unit
 * gate (`test` script), `.vitest-integration-results.json` of the integration gate (`test:integration` script) — and
 * prints one line per gate, `unit: N passed, N failed[, N skipped]`, then the closing `Tests: …` line for both, plus
 * the packages whose reports are missing. Exits 1 when any test failed, when a package with tests of a gate wrote no
 * report for it, or when no test ran at all.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

const root = new URL("../..", import.meta.url).pathname
const gates = [
  { name: "unit", script: "test", report: ".vitest-results.json" },
  { name: "integration", script: "test:integration", report: ".vitest-integration-results.json" }
]
const totals = new Map(gates.map((gate) => [gate.name, { passed: 0, failed: 0, skipped: 0 }]))
const missing = []
for (const group of ["packages", "apps", "tools"]) {
  const dir = join(root, group)
  if (!existsSync(dir)) continue
  for (const name of readdirSync(dir)) {
    const pkgDir = join(dir, name)
    const pkgJson = join(pkgDir, "package.json")
    if (!existsSync(pkgJson)) continue
    const scripts = JSON.parse(readFileSync(pkgJson, "utf8")).scripts ?? {}
    for (const gate of gates) {
      if (!scripts[gate.script]) continue
      const report = join(pkgDir, gate.report)
      if (!existsSync(report)) {
        missing.push(`${group}/${name} (${gate.name})`)
        continue
      }
      const json = JSON.parse(readFileSync(report, "utf8"))
      const total = totals.get(gate.name)
      total.passed += json.numPassedTests ?? 0
      total.failed += json.numFailedTests ?? 0
      total.skipped += (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0)
    }
  }
}
const line = ({ passed, failed, skipped }) =>
  `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`
const all = { passed: 0, failed: 0, skipped: 0 }
for (const [name, total] of totals) {
  console.log(`${name}: ${line(total)}`)
  for (const key of Object.keys(all)) all[key] += total[key]
}
if (missing.length > 0) console.log(`packages without a test report: ${missing.join(", ")}`)
console.log(`Tests: ${line(all)}`)
process.exit(all.failed > 0 || missing.length > 0 || all.passed === 0 ? 1 : 0)
