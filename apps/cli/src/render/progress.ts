/**
 * The progress bar shown on a terminal during a run (records done, rate, ETA when the total is known from the file
 * size). Nothing is drawn when stderr is not a TTY or with `--json`, so scripts and logs stay clean.
 */
import { SingleBar } from "cli-progress"

export interface Progress {
  readonly update: (records: number, bytesRead?: number) => void
  readonly stop: () => void
}

const silent: Progress = { update: () => {}, stop: () => {} }

/** A bar over the input's bytes when its size is known, else a plain counter. */
export const makeProgress = (options: {
  readonly enabled: boolean
  readonly totalBytes?: number | undefined
}): Progress => {
  if (!options.enabled || !process.stderr.isTTY) return silent
  const total = options.totalBytes ?? 0
  const bar = new SingleBar({
    stream: process.stderr,
    format:
      total > 0
        ? "uplink |{bar}| {percentage}% | {records} records | {rate}/s | ETA {eta_formatted}"
        : "uplink | {records} records | {rate}/s",
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50
  })
  const started = Date.now()
  bar.start(total > 0 ? total : 1, 0, { records: 0, rate: 0 })
  return {
    update: (records, bytesRead) => {
      const seconds = (Date.now() - started) / 1000
      bar.update(total > 0 ? Math.min(bytesRead ?? 0, total) : 0, {
        records,
        rate: seconds > 0 ? Math.round(records / seconds) : 0
      })
    },
    stop: () => bar.stop()
  }
}
