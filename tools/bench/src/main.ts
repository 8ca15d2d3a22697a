/**
 * `pnpm bench [--only <suite>] [--quick] [--no-write]`: runs the benchmark suites, prints a table per suite and
 * writes each suite's section of BENCHMARKS.md at the repository root. `--quick` takes fewer samples (a smoke run);
 * `--no-write` leaves BENCHMARKS.md alone. Exits 1 when a suite fails to run; a missed target is reported, not
 * fatal (absolute speed on a shared machine varies).
 */
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { defaultMeasureOptions, type MeasureOptions } from "./harness.js"
import { environment, renderConsole, renderSection, updateDocument } from "./report.js"
import { meetsTarget } from "./suite.js"
import { suites } from "./suites/index.js"
import { workspaceRoot } from "./workspace.js"

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    quick: { type: "boolean", default: false },
    "no-write": { type: "boolean", default: false }
  }
})

const selected = values.only === undefined ? suites : suites.filter((suite) => suite.name === values.only)
if (selected.length === 0) {
  console.error(`unknown suite "${values.only}"; suites: ${suites.map((suite) => suite.name).join(", ")}`)
  process.exit(2)
}

const options: MeasureOptions = values.quick ? { samples: 7, warmup: 5, minSampleMs: 5 } : defaultMeasureOptions
const file = join(workspaceRoot(), "BENCHMARKS.md")

let missed = 0
for (const suite of selected) {
  const result = await suite.run(options)
  console.log(renderConsole(suite, result))
  console.log("")
  missed += result.rows.filter((row) => !meetsTarget(row)).length
  if (!values["no-write"]) {
    let current: string | undefined
    try {
      current = readFileSync(file, "utf8")
    } catch {
      current = undefined
    }
    writeFileSync(file, updateDocument(current, suite.name, renderSection(suite, result, environment())))
  }
}
if (!values["no-write"]) console.log(`wrote ${file}`)
if (missed > 0) console.log(`${missed} target(s) missed in this run`)
