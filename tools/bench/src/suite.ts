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
  /**
   * For a cost paid on top of the baseline (start-up against `node -e 0`): the most times the baseline's time ours may
   * take (e.g. 4 for "at most 4× `node -e 0`").
   */
  readonly maxTimes?: number | undefined
  /** Peak resident memory (`process.resourceUsage().maxRSS`), in MB (10^6 bytes), and its limits if any. */
  readonly memory?: RowMemory | undefined
}

export interface RowMemory {
  readonly oursMB: number
  readonly baselineMB?: number | undefined
  /** Ours must stay under this. */
  readonly maxMB?: number | undefined
  /** Ours may be at most this much above the baseline's. */
  readonly maxAboveBaselineMB?: number | undefined
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

/** How many times the baseline's time ours took (the inverse of `ratio`). */
export const times = (row: ComparisonRow): number => row.ours.medianMs / row.baseline.medianMs

/** Whether the row's memory meets its limits (rows without memory limits always do). */
export const meetsMemory = (row: ComparisonRow): boolean => {
  const memory = row.memory
  if (memory === undefined) return true
  if (memory.maxMB !== undefined && !(memory.oursMB < memory.maxMB)) return false
  if (memory.maxAboveBaselineMB !== undefined) {
    if (memory.baselineMB === undefined || memory.oursMB - memory.baselineMB > memory.maxAboveBaselineMB) return false
  }
  return true
}

/** True when the row meets its targets (rows without a target always do). */
export const meetsTarget = (row: ComparisonRow): boolean =>
  (row.minRatio === undefined || row.ratio >= row.minRatio) &&
  (row.maxTimes === undefined || times(row) <= row.maxTimes) &&
  meetsMemory(row)
