/**
 * Measuring: every case of a comparison is sampled round-robin (ours, baseline, ours, baseline, …) so that load from
 * other processes on a shared machine hits all cases alike, and the median per case is reported. One sample times a
 * batch of calls long enough to be well above timer resolution.
 */

/** One thing to time. `run` is called many times; it must do the whole work each time. */
export interface BenchCase {
  readonly label: string
  readonly run: () => unknown
}

export interface Measurement {
  readonly label: string
  /** Median time of one call, in milliseconds. */
  readonly medianMs: number
  /** 10th and 90th percentile of one call, in milliseconds. */
  readonly p10Ms: number
  readonly p90Ms: number
  readonly samples: number
}

export interface MeasureOptions {
  /** Samples per case. */
  readonly samples: number
  /** Warm-up calls per case before sampling (JIT). */
  readonly warmup: number
  /** Minimum duration of one sample; calls are batched to reach it. */
  readonly minSampleMs: number
}

export const defaultMeasureOptions: MeasureOptions = { samples: 41, warmup: 30, minSampleMs: 20 }

/** The value at quantile `q` (0..1) of sorted numbers (nearest rank). */
export const quantile = (sorted: ReadonlyArray<number>, q: number): number => {
  if (sorted.length === 0) throw new Error("no samples")
  const index = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))
  return sorted[index]!
}

/** The median of numbers. */
export const median = (values: ReadonlyArray<number>): number =>
  quantile(
    [...values].sort((a, b) => a - b),
    0.5
  )

const timeBatch = (run: () => unknown, calls: number): number => {
  let sink: unknown
  const start = performance.now()
  for (let i = 0; i < calls; i++) sink = run()
  const elapsed = performance.now() - start
  if (sink === Symbol.for("never")) console.log(sink)
  return elapsed / calls
}

/** Times every case, interleaved, and returns one measurement per case in the order given. */
export const measure = (
  cases: ReadonlyArray<BenchCase>,
  options: MeasureOptions = defaultMeasureOptions
): Array<Measurement> => {
  const batches = cases.map((c) => {
    for (let i = 0; i < options.warmup; i++) c.run()
    const once = timeBatch(c.run, 1)
    return Math.max(1, Math.ceil(options.minSampleMs / Math.max(once, 0.001)))
  })
  const samples: Array<Array<number>> = cases.map(() => [])
  for (let round = 0; round < options.samples; round++) {
    for (let i = 0; i < cases.length; i++) samples[i]!.push(timeBatch(cases[i]!.run, batches[i]!))
  }
  return cases.map((c, i) => {
    const sorted = samples[i]!.sort((a, b) => a - b)
    return {
      label: c.label,
      medianMs: quantile(sorted, 0.5),
      p10Ms: quantile(sorted, 0.1),
      p90Ms: quantile(sorted, 0.9),
      samples: sorted.length
    }
  })
}
