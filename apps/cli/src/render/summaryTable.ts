/**
 * The human summary printed at the end of a run: counts by status, then the most frequent error codes with the
 * documented message and what to do about them (failures without a code are listed by their kind: `Timeout`,
 * `ConnectionFailed`, `NotSent`, …), then notes on how the run ended when it stopped early, then where the results
 * file is.
 */
import { ServiceCodes, type Summary as SummaryModule } from "@uplink/core"
import { hintFor } from "./hints.js"

type Summary = SummaryModule.Summary

const STATUS_ORDER = ["accepted", "ready", "duplicate", "invalid", "rejected", "failed"] as const

/** The documented message of a numeric 56xx code the pipeline knows. */
const documentedMessage = (code: string): string | undefined =>
  Object.values(ServiceCodes).find((entry) => String(entry.code) === code)?.message

export interface SummaryContext {
  readonly title: string
  readonly resultsPath?: string | undefined
  readonly elapsedMs: number
  /** Messages seen per code during the run, for codes the pipeline has no documented message for. */
  readonly messages: ReadonlyMap<string, string>
  /** How the run ended when it stopped early (interrupted, results file not writable, credentials refused). */
  readonly notes?: ReadonlyArray<string> | undefined
}

export const renderSummary = (summary: Summary, context: SummaryContext, topCodes = 5): string => {
  const lines: Array<string> = []
  const seconds = context.elapsedMs / 1000
  const rate = seconds > 0 ? Math.round(summary.total / seconds) : summary.total
  lines.push(
    `${context.title}: ${summary.total} record${summary.total === 1 ? "" : "s"} in ${seconds.toFixed(1)} s (${rate}/s)`
  )
  const width = Math.max(...STATUS_ORDER.map((s) => s.length))
  for (const status of STATUS_ORDER) {
    const count = summary.byStatus[status]
    if (count === 0 && (status === "ready" || status === "duplicate")) continue
    lines.push(`  ${status.padEnd(width)}  ${String(count).padStart(8)}`)
  }
  const codes = Object.entries(summary.byCode)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, topCodes)
  if (codes.length > 0) {
    lines.push("", "Top errors:")
    for (const [code, count] of codes) {
      const message = documentedMessage(code) ?? context.messages.get(code) ?? ""
      lines.push(`  ${code.padEnd(6)} ×${count}  ${message}`.trimEnd())
      const hint = hintFor(code)
      if (hint !== undefined) lines.push(`         → ${hint}`)
    }
  }
  if (context.notes !== undefined && context.notes.length > 0) lines.push("", ...context.notes)
  if (context.resultsPath !== undefined) lines.push("", `Results: ${context.resultsPath}`)
  return lines.join("\n")
}
