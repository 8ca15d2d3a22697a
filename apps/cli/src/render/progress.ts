/**
 * The progress bar shown on a terminal during a run (records done, rate, ETA when the total is known from the file
 * size, the delivery status — "concurrency 6", and "throttled, resuming in 12 s" while a 117 pauses the run — and a
 * note while a request waits to be retried: "retrying in 2 s"). The status is read at every redraw and at least once
 * a second, so a countdown counts down while no outcome arrives. Nothing is drawn when stderr is not a TTY or with
 * `--json`, so scripts and logs stay clean. `log` prints a line above the bar without garbling it.
 */
import { SingleBar } from "cli-progress"

export interface Progress {
  /** Whether a bar is drawn (then stderr lines must go through `log`). */
  readonly active: boolean
  readonly update: (records: number, bytesRead?: number) => void
  /** Shows `text` beside the bar until `untilMs` (ms since the epoch), or clears the note (undefined). */
  readonly note: (text: string | undefined, untilMs?: number) => void
  /** Prints a line on stderr (above the bar when one is drawn). */
  readonly log: (line: string) => void
  readonly stop: () => void
}

const plain: Progress = {
  active: false,
  update: () => {},
  note: () => {},
  log: (line) => process.stderr.write(`${line}\n`),
  stop: () => {}
}

/** A bar over the input's bytes when its size is known, else a plain counter. */
export const makeProgress = (options: {
  readonly enabled: boolean
  readonly totalBytes?: number | undefined
  /** The delivery status shown beside the counts (read at each redraw). */
  readonly status?: (() => string) | undefined
  /** Where the bar is drawn (default standard error). */
  readonly stream?: NodeJS.WriteStream | undefined
}): Progress => {
  const stream = options.stream ?? process.stderr
  if (!options.enabled || !stream.isTTY) return plain
  const total = options.totalBytes ?? 0
  const bar = new SingleBar({
    stream,
    format:
      total > 0
        ? "uplink |{bar}| {percentage}% | {records} records | {rate}/s | ETA {eta_formatted}{status}{note}"
        : "uplink | {records} records | {rate}/s{status}{note}",
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50
  })
  const started = Date.now()
  let records = 0
  let bytes = 0
  let note = ""
  let noteUntil = Number.POSITIVE_INFINITY
  const payload = () => {
    if (note !== "" && Date.now() > noteUntil) note = ""
    const seconds = (Date.now() - started) / 1000
    const status = options.status === undefined ? "" : ` | ${options.status()}`
    return { records, rate: seconds > 0 ? Math.round(records / seconds) : 0, status, note }
  }
  bar.start(total > 0 ? total : 1, 0, { records: 0, rate: 0, status: "", note: "" })
  // A countdown must move while no outcome comes (a pause after a 117 lasts up to the whole window).
  const ticker =
    options.status === undefined
      ? undefined
      : setInterval(() => bar.update(total > 0 ? Math.min(bytes, total) : 0, payload()), 1000)
  ticker?.unref()
  return {
    active: true,
    update: (done, bytesRead) => {
      records = done
      bytes = bytesRead ?? bytes
      bar.update(total > 0 ? Math.min(bytes, total) : 0, payload())
    },
    note: (text, untilMs) => {
      note = text === undefined ? "" : ` | ${text}`
      noteUntil = untilMs ?? Number.POSITIVE_INFINITY
      bar.update(total > 0 ? Math.min(bytes, total) : 0, payload())
    },
    log: (line) => {
      stream.write(`\r\x1b[2K${line}\n`)
      // SingleBar's own render skips a frame that did not change; its base class's can be forced (the line above
      // was just wiped). The base class is not exported, hence the prototype walk.
      const base = Object.getPrototypeOf(SingleBar.prototype) as { render: (this: SingleBar, force: boolean) => void }
      base.render.call(bar, true)
    },
    stop: () => {
      if (ticker !== undefined) clearInterval(ticker)
      bar.stop()
    }
  }
}
