/**
 * What a benchmark suite is: a named module that measures our implementation against a baseline in the same run and
 * returns rows for the report. Suites live in `src/suites/` and are listed in `src/suites/index.ts`.
 */
import type { MeasureOptions, Measurement } from "./harness.js"

/** One comparison: our implementation against a baseline, on the same data in the same run. */
export interface ComparisonRow {
  readonly subject: string
  readonly ours: Measurement
  readonly baseline: Measurement
  /** Baseline median ÷ our median: above 1 means we are faster. */
  readonly ratio: number
  /** The ratio the project requires, if any (e.g. 10 for "at least 10× faster", 1 for "no slower"). */
  readonly minRatio?: number | undefined
}

export interface SuiteResult {
  readonly rows: ReadonlyArray<ComparisonRow>
  /** Sentences printed under the table (data sizes, what exactly is timed). */
  readonly notes: ReadonlyArray<string>
}

export interface Suite {
  /** The name used with `--only` and in the BENCHMARKS.md section markers. */
  readonly name: string
  readonly title: string
  readonly run: (options: MeasureOptions) => Promise<SuiteResult>
}

/** Builds a row from two measurements. */
export const compare = (
  subject: string,
  ours: Measurement,
  baseline: Measurement,
  minRatio?: number
): ComparisonRow => ({ subject, ours, baseline, ratio: baseline.medianMs / ours.medianMs, minRatio })

/** True when the row meets its target (rows without a target always do). */
export const meetsTarget = (row: ComparisonRow): boolean => row.minRatio === undefined || row.ratio >= row.minRatio
