/**
 * The report: a Markdown section per suite, written into BENCHMARKS.md at the repository root between
 * `<!-- bench:<suite>:start -->` and `<!-- bench:<suite>:end -->`. Other sections of the file are kept as they are.
 */
import { cpus, loadavg } from "node:os"
import { type ComparisonRow, meetsMemory, type Suite, type SuiteResult, times } from "./suite.js"

const HEADER = `# Benchmarks

Written by \`pnpm bench\` (tools/bench): every number is a median of interleaved samples, ours against a baseline on
the same data in the same run, so ratios hold even on a loaded machine where absolute times do not. Each suite
replaces only its own section (\`pnpm --filter @uplink/bench bench --only <suite>\`).
`

const ms = (value: number): string =>
  value >= 10 ? value.toFixed(1) : value >= 1 ? value.toFixed(2) : value.toFixed(3)

/** The environment line of a section. */
export const environment = (date: Date = new Date()): string => {
  const cpu = cpus()
  return `Run ${date.toISOString().slice(0, 16)}Z · Node ${process.version} · ${process.platform} ${process.arch} · ${cpu.length} × ${cpu[0]?.model.trim() ?? "CPU"} · load average ${loadavg()[0]!.toFixed(1)} at the end`
}

const mark = (ok: boolean): string => (ok ? "✓" : "✗")

/** The targets of a row, each with its ✓ or ✗. */
const status = (row: ComparisonRow): string => {
  const parts: Array<string> = []
  if (row.minRatio !== undefined) parts.push(`${mark(row.ratio >= row.minRatio)} ≥ ${row.minRatio}×`)
  if (row.maxTimes !== undefined) parts.push(`${mark(times(row) <= row.maxTimes)} ≤ ${row.maxTimes}× its time`)
  const memory = row.memory
  if (memory?.maxMB !== undefined) parts.push(`${mark(memory.oursMB < memory.maxMB)} RSS < ${memory.maxMB} MB`)
  if (memory?.maxAboveBaselineMB !== undefined) {
    parts.push(
      `${mark(meetsMemory({ ...row, memory: { ...memory, maxMB: undefined } }))} RSS ≤ baseline + ${memory.maxAboveBaselineMB} MB`
    )
  }
  return parts.join(", ")
}

/** Baseline ÷ ours when ours is faster ("5.3×"), else how many times the baseline's time ours took ("3.7× slower"). */
const ratioText = (row: ComparisonRow): string =>
  row.ratio >= 1 ? `${row.ratio.toFixed(1)}×` : `${times(row).toFixed(1)}× slower`

const mb = (value: number): string => `${value.toFixed(0)} MB`

/** Peak RSS of ours, and of the baseline when known. */
const memoryText = (row: ComparisonRow): string =>
  row.memory === undefined
    ? ""
    : `${mb(row.memory.oursMB)}${row.memory.baselineMB === undefined ? "" : ` (baseline ${mb(row.memory.baselineMB)})`}`

/** The Markdown section of one suite. */
export const renderSection = (suite: Suite, result: SuiteResult, env: string): string => {
  const withMemory = result.rows.some((row) => row.memory !== undefined)
  const lines = [
    `<!-- bench:${suite.name}:start -->`,
    `## ${suite.title}`,
    "",
    env,
    "",
    `| case | ours (median) | baseline | baseline (median) | ratio |${withMemory ? " peak RSS |" : ""} target |`,
    `|---|---:|---|---:|---:|${withMemory ? "---:|" : ""}---|`
  ]
  for (const row of result.rows) {
    lines.push(
      `| ${row.subject} | ${ms(row.ours.medianMs)} ms | ${row.baseline.label} | ${ms(row.baseline.medianMs)} ms | ${ratioText(row)} |${withMemory ? ` ${memoryText(row)} |` : ""} ${status(row)} |`
    )
  }
  if (result.notes.length > 0) lines.push("", ...result.notes.map((note) => `- ${note}`))
  lines.push(`<!-- bench:${suite.name}:end -->`)
  return lines.join("\n")
}

/** The file with the section of `suiteName` replaced (or appended, in suite order, when new). */
export const updateDocument = (document: string | undefined, suiteName: string, section: string): string => {
  const base = document === undefined || document.trim() === "" ? HEADER : document
  const start = `<!-- bench:${suiteName}:start -->`
  const end = `<!-- bench:${suiteName}:end -->`
  const from = base.indexOf(start)
  const to = base.indexOf(end)
  if (from !== -1 && to > from) return base.slice(0, from) + section + base.slice(to + end.length)
  return `${base.trimEnd()}\n\n${section}\n`
}

/** A plain-text table for the terminal. */
export const renderConsole = (suite: Suite, result: SuiteResult): string => {
  const rows = result.rows.map((row) => [
    row.subject,
    `${ms(row.ours.medianMs)} ms`,
    `${row.baseline.label} ${ms(row.baseline.medianMs)} ms`,
    ratioText(row),
    memoryText(row),
    status(row)
  ])
  const widths = [0, 1, 2, 3, 4, 5].map((i) => Math.max(...rows.map((r) => r[i]!.length)))
  return [`${suite.title}`, ...rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  "))].join("\n")
}
