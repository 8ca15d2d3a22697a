/**
 * The offline conversion pipeline end to end, file → emulator, against the script a user would write with the
 * generated node-soap client (`pipelineRunnerBaseline.ts`), on the same CSV files and the same emulator in one run:
 * records per second for 100,000 records (no target: a regression guard) and 1,000,000 records (target: at least 5×
 * the baseline) and the peak RSS of the pipeline for 1,000,000 records against 100,000 (target: at most 1.25×).
 *
 * Every case runs in a child process of its own (`node <runner>.mjs`), so its peak RSS (`process.resourceUsage()
 * .maxRSS`, read by the runner when it is done) is its own and cases cannot pollute each other; the emulator runs in
 * another child process (`packages/emulator/dist/bin.js --demo`) and is reset before each case, so its memory counts
 * for no one. Runners are TypeScript modules of this folder, transpiled once per run into `tools/bench/.cache/` and
 * run by plain `node` (no loader in the measured process). Time is measured inside the runner, from opening the file to
 * the last answer: module loading, the node-soap client's WSDL parsing and layer construction are not counted.
 *
 * Two diagnostics, without targets, say where the time of the small case goes: both clients on a tenth of the small
 * file (what a run costs whatever its size, and the rate after that), and ours against a null server that answers at
 * once (what the emulator's own CPU, on the same cores, costs ours).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { type Measurement, median, quantile } from "../harness.js"
import { compare, type Suite } from "../suite.js"
import { workspaceRoot, wsdlPath } from "../workspace.js"

/** The emulator's default credentials (packages/emulator README). */
export const credentials = {
  accessToken: "emulator-access-token",
  developerToken: "BBD37VB98",
  customerId: "1000001",
  accountId: "2000002"
}

/**
 * Requests in flight for the pipeline: a fixed 2, the default before the adaptive limit (issue 20), kept so that this
 * suite stays a regression guard of the pipeline's own speed. With one emulator process on the other core, 4
 * measured no faster here and held more batches in memory.
 */
export const CONCURRENCY = 2
/** The pipeline's transport: REST, Uplink's default (MSADS_TRANSPORT). */
export const TRANSPORT = "rest" as const
/** Above this estimated duration the baseline is not run on the large file (its rate is the same shape). */
const BASELINE_LIMIT_MS = 180_000

const benchRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..")

// ===== Data =====

/** 32-hex click ids, unique per record (demo mode: any 32-hex id is a click one minute before its conversion). */
const clickId = (i: number): string => `b0${i.toString(16).padStart(30, "0")}`

/**
 * Writes a CSV of `records` valid, distinct conversions for the demo goal "Offline Purchase": times within the last
 * day (well inside the 90-day window), values with cents, USD. About 110 bytes per line.
 */
export const writeCsv = (path: string, records: number, now: number = Date.now()): Promise<void> =>
  new Promise((resolve, reject) => {
    const out = createWriteStream(path)
    out.on("error", reject)
    out.write("Microsoft Click Id,Conversion Name,Conversion Time,Conversion Value,Conversion Currency Code\n")
    let i = 0
    const writeSome = () => {
      while (i < records) {
        const block: Array<string> = []
        for (const end = Math.min(i + 10_000, records); i < end; i++) {
          const time = new Date(now - 2 * 3_600_000 - (i % 80_000) * 1000).toISOString()
          block.push(`${clickId(i + 1)},Offline Purchase,${time},${(i % 500) + 0.25},USD\n`)
        }
        if (!out.write(block.join(""))) return void out.once("drain", writeSome)
      }
      out.end(() => resolve())
    }
    writeSome()
  })

// ===== Child processes =====

/** Transpiles a runner module of this folder to plain ESM in tools/bench/.cache (bare imports resolve from there). */
export const prepareRunner = (name: string): string => {
  const source = readFileSync(join(benchRoot, "src", "suites", `${name}.ts`), "utf8")
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false }
  })
  const dir = join(benchRoot, ".cache", "pipeline")
  mkdirSync(dir, { recursive: true })
  const path = join(dir, `${name}.mjs`)
  writeFileSync(path, outputText)
  return path
}

export interface Emulator {
  readonly url: string
  readonly reset: () => Promise<void>
  /** CPU time the emulator process has used so far, in ms (Linux `/proc`; undefined elsewhere). */
  readonly cpuMs: () => number | undefined
  readonly stop: () => Promise<void>
}

/** User + system CPU time of process `pid` in ms, from `/proc/<pid>/stat` (clock ticks of 10 ms). */
const processCpuMs = (pid: number | undefined): number | undefined => {
  if (pid === undefined) return undefined
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8")
      .replace(/^.*\) /, "")
      .split(" ")
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return undefined
  }
}

/** Starts `packages/emulator/dist/bin.js --port 0 --demo` and waits for its URL. */
export const startEmulator = (): Promise<Emulator> =>
  new Promise((resolve, reject) => {
    const bin = join(workspaceRoot(), "packages", "emulator", "dist", "bin.js")
    const child: ChildProcess = spawn(process.execPath, [bin, "--port", "0", "--demo"], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    let output = ""
    const onData = (data: Buffer) => {
      output += data.toString()
      const match = /emulator listening on (\S+)/.exec(output)
      if (match === null) return
      child.stdout?.off("data", onData)
      child.stdout?.resume()
      const url = match[1]!
      resolve({
        url,
        cpuMs: () => processCpuMs(child.pid),
        reset: async () => {
          const response = await fetch(`${url}/__emulator/reset`, { method: "POST" })
          if (!response.ok) throw new Error(`emulator reset: HTTP ${response.status}`)
        },
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done()
            child.once("exit", () => done())
            child.kill("SIGTERM")
          })
      })
    }
    child.stdout?.on("data", onData)
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`the emulator exited (${code}) before listening: ${output}`)))
  })

/**
 * A server that answers every call at once with an empty `PartialErrors` list, without reading the items: the
 * diagnostic of what the emulator's own CPU costs a client on the same cores. Runs in the bench process, which is
 * idle while a case runs.
 */
const startNullServer = (): Promise<{ readonly url: string; readonly stop: () => Promise<void> }> =>
  new Promise((resolve, reject) => {
    const server: Server = createServer((request, response) => {
      request.resume()
      request.on("end", () => {
        response.writeHead(200, { "content-type": "application/json; charset=utf-8", trackingid: "null-server" })
        response.end('{"PartialErrors":[]}')
      })
    })
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        stop: () =>
          new Promise((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })

/** What a runner prints when done. */
export interface RunnerResult {
  readonly records: number
  readonly accepted: number
  readonly elapsedMs: number
  readonly maxRssKb: number
}

/** Runs `node <runner> <args>` and reads its result line; fails unless every record was sent and accepted. */
export const runCase = (runner: string, args: object, records: number): Promise<RunnerResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runner, JSON.stringify(args)], { stdio: ["ignore", "pipe", "inherit"] })
    let output = ""
    child.stdout.on("data", (data: Buffer) => {
      output += data.toString()
    })
    child.once("error", reject)
    child.once("exit", (code) => {
      const last = output.trim().split("\n").pop() ?? ""
      if (code !== 0) return reject(new Error(`${runner} exited with ${code}: ${last}`))
      const result = JSON.parse(last) as RunnerResult
      if (result.records !== records || result.accepted !== records) {
        return reject(new Error(`${runner}: ${result.accepted} of ${result.records} accepted, expected ${records}`))
      }
      resolve(result)
    })
  })

// ===== Measuring =====

interface Samples {
  readonly label: string
  readonly elapsedMs: Array<number>
  readonly maxRssKb: Array<number>
  /** The emulator's CPU time per record during each case, in µs. */
  readonly emulatorUsPerRecord: Array<number>
}

const samples = (label: string): Samples => ({ label, elapsedMs: [], maxRssKb: [], emulatorUsPerRecord: [] })

const measurement = (s: Samples): Measurement => {
  const sorted = [...s.elapsedMs].sort((a, b) => a - b)
  return {
    label: s.label,
    medianMs: quantile(sorted, 0.5),
    p10Ms: quantile(sorted, 0.1),
    p90Ms: quantile(sorted, 0.9),
    samples: sorted.length
  }
}

/**
 * A client's time on `small` records split, from its time on `tenth` of them, into what a run costs whatever its size
 * (`fixedMs`: compiling the hot code, first connections) and its rate after that; undefined when noise makes the
 * larger run no slower.
 */
const splitFixed = (
  tenth: number,
  tenthMs: number,
  small: number,
  smallMs: number
): { readonly fixedMs: number; readonly recordsPerMs: number } | undefined => {
  if (smallMs <= tenthMs) return undefined
  const recordsPerMs = (small - tenth) / (smallMs - tenthMs)
  return { fixedMs: tenthMs - tenth / recordsPerMs, recordsPerMs }
}

const perSecond = (records: number, ms: number): string =>
  `${Math.round((records * 1000) / ms).toLocaleString("en-US")} records/s`
const mib = (kb: number): string => `${(kb / 1024).toFixed(0)} MiB`
const count = (n: number): string => n.toLocaleString("en-US")

export const pipelineSuite: Suite = {
  name: "pipeline",
  title: "Offline conversion pipeline: CSV file → emulator",
  run: async (options) => {
    const quick = options.samples < 10
    const small = quick ? 10_000 : 100_000
    const large = quick ? 100_000 : 1_000_000
    const smallRounds = quick ? 1 : 3
    const largeRounds = quick ? 1 : 3

    const tenth = small / 10

    const dir = mkdtempSync(join(tmpdir(), "uplink-bench-pipeline-"))
    const emulator = await startEmulator()
    const nullServer = await startNullServer()
    try {
      const now = Date.now()
      const files = { tenth: join(dir, "tenth.csv"), small: join(dir, "small.csv"), large: join(dir, "large.csv") }
      await writeCsv(files.tenth, tenth, now)
      await writeCsv(files.small, small, now)
      await writeCsv(files.large, large, now)
      const ours = prepareRunner("pipelineRunnerOurs")
      const baseline = prepareRunner("pipelineRunnerBaseline")
      const oursArgs = (file: string, url = emulator.url) => ({
        file,
        url,
        transport: TRANSPORT,
        concurrency: CONCURRENCY,
        credentials
      })
      const baselineArgs = (file: string) => ({ file, url: emulator.url, wsdl: wsdlPath(), credentials })
      /** Runs one case; `emulated` false: against the null server (no emulator reset or CPU reading). */
      const run = async (into: Samples, runner: string, args: object, records: number, emulated = true) => {
        if (emulated) await emulator.reset()
        const cpuBefore = emulated ? emulator.cpuMs() : undefined
        const result = await runCase(runner, args, records)
        const cpuAfter = emulated ? emulator.cpuMs() : undefined
        into.elapsedMs.push(result.elapsedMs)
        into.maxRssKb.push(result.maxRssKb)
        if (cpuBefore !== undefined && cpuAfter !== undefined) {
          into.emulatorUsPerRecord.push(((cpuAfter - cpuBefore) * 1000) / records)
        }
        const seconds = (result.elapsedMs / 1000).toFixed(1)
        const rate = perSecond(records, result.elapsedMs)
        console.log(`  ${into.label} ${count(records)}: ${seconds} s, ${rate}, peak RSS ${mib(result.maxRssKb)}`)
      }

      const oursSmall = samples("ours")
      const baseSmall = samples("node-soap script")
      const oursTenth = samples("ours")
      const baseTenth = samples("node-soap script")
      const oursNull = samples("ours, null server")
      for (let round = 0; round < smallRounds; round++) {
        await run(oursSmall, ours, oursArgs(files.small), small)
        await run(baseSmall, baseline, baselineArgs(files.small), small)
        await run(oursTenth, ours, oursArgs(files.tenth), tenth)
        await run(baseTenth, baseline, baselineArgs(files.tenth), tenth)
        await run(oursNull, ours, oursArgs(files.small, nullServer.url), small, false)
      }
      const baselineLargeEstimate = (median(baseSmall.elapsedMs) * large) / small
      const runBaselineLarge = baselineLargeEstimate <= BASELINE_LIMIT_MS
      const oursLarge = samples("ours")
      const baseLarge = samples("node-soap script")
      for (let round = 0; round < largeRounds; round++) {
        await run(oursLarge, ours, oursArgs(files.large), large)
        if (runBaselineLarge && round === 0) await run(baseLarge, baseline, baselineArgs(files.large), large)
      }

      const rssSmall = median(oursSmall.maxRssKb)
      const rssLarge = median(oursLarge.maxRssKb)
      const rssRatio = rssLarge / rssSmall
      const a = measurement(oursSmall)
      const b = measurement(baseSmall)
      const c = measurement(oursLarge)
      // Without a large baseline run, the baseline's large time is its small median scaled by the record count.
      const d: Measurement = runBaselineLarge
        ? measurement(baseLarge)
        : {
            ...b,
            label: `node-soap script (${count(small)} × ${large / small})`,
            medianMs: b.medianMs * (large / small)
          }
      const emulatorUs = (s: Samples) =>
        s.emulatorUsPerRecord.length === 0 ? undefined : median(s.emulatorUsPerRecord)
      const emulatorOurs = emulatorUs(oursLarge)
      const emulatorBase = emulatorUs(runBaselineLarge ? baseLarge : baseSmall)
      const emulatorNote =
        emulatorOurs === undefined || emulatorBase === undefined
          ? []
          : [
              `The emulator (one process, measured from /proc in this run) used ${emulatorOurs.toFixed(1)} µs of CPU per record serving ours over REST and ${emulatorBase.toFixed(1)} µs serving the baseline over SOAP: no client can go faster than about ${perSecond(1, emulatorOurs / 1000)} against it over REST.`
            ]
      const oursTenthMs = median(oursTenth.elapsedMs)
      const baseTenthMs = median(baseTenth.elapsedMs)
      const oursSplit = splitFixed(tenth, oursTenthMs, small, a.medianMs)
      const baseSplit = splitFixed(tenth, baseTenthMs, small, b.medianMs)
      const fixedNote =
        oursSplit === undefined || baseSplit === undefined
          ? `Fixed cost of a run: not derived (a ${count(tenth)}-record run was no faster than a ${count(small)}-record one).`
          : `Fixed cost of a run (diagnostic): ${count(tenth)} records took ours ${oursTenthMs.toFixed(0)} ms and the node-soap script ${baseTenthMs.toFixed(0)} ms (medians of ${smallRounds}). From the two sizes, ours costs about ${oursSplit.fixedMs.toFixed(0)} ms per run whatever its size (V8 compiling the hot code, first connections) and then runs at ${perSecond(1, 1 / oursSplit.recordsPerMs)}; the script ${baseSplit.fixedMs.toFixed(0)} ms, then ${perSecond(1, 1 / baseSplit.recordsPerMs)}: ${(oursSplit.recordsPerMs / baseSplit.recordsPerMs).toFixed(1)}× on the records after the first ${count(tenth)}.`
      const nullMs = median(oursNull.elapsedMs)
      const nullNote = `Against a null server (diagnostic; it answers every call at once without reading the items, so no emulator CPU shares the two cores): ours took ${nullMs.toFixed(0)} ms for ${count(small)} records (${perSecond(small, nullMs)}, ${(b.medianMs / nullMs).toFixed(1)}× the script against the emulator; median of ${oursNull.elapsedMs.length}). ${a.medianMs > nullMs ? `The emulator's CPU on the same machine costs ours about ${(a.medianMs - nullMs).toFixed(0)} ms of the ${a.medianMs.toFixed(0)}.` : "Ours was no faster against the null server in this run: the emulator's CPU did not measurably slow it down."}`
      const largeBaselineNote = runBaselineLarge
        ? `The baseline ran on ${count(large)} records once (${perSecond(large, d.medianMs)}).`
        : `The baseline was estimated at ${(baselineLargeEstimate / 1000).toFixed(0)} s for ${count(large)} records, so it was measured on ${count(small)} only and its ${count(large)} time is that ×${large / small}: it sends one call after the other, so its rate does not depend on the file size.`
      return {
        rows: [
          // The former 100k ≥ 5× target is retired (issue 20): on 2 cores it measures the emulator's CPU as much as ours.
          compare(`${count(small)} records, file → emulator (median of ${a.samples})`, a, b),
          compare(`${count(large)} records, file → emulator (median of ${c.samples})`, c, d, 5)
        ],
        notes: [
          `Records per second — ours: ${perSecond(small, a.medianMs)} (${count(small)}), ${perSecond(large, c.medianMs)} (${count(large)}); node-soap script: ${perSecond(small, b.medianMs)} (${count(small)}), ${perSecond(large, d.medianMs)} (${count(large)}).`,
          `Peak RSS of the pipeline process — ${count(small)}: ${mib(rssSmall)}, ${count(large)}: ${mib(rssLarge)}; ${count(large)} ÷ ${count(small)} = ${rssRatio.toFixed(2)}× (target ≤ 1.25×: ${rssRatio <= 1.25 ? "✓" : "✗"}). node-soap script: ${mib(median(baseSmall.maxRssKb))} (${count(small)})${runBaselineLarge ? `, ${mib(median(baseLarge.maxRssKb))} (${count(large)})` : ""}.`,
          `Ours: \`OfflineConversions.apply(file, { concurrency: ${CONCURRENCY} })\` over ${TRANSPORT.toUpperCase()} (Uplink's default transport) with a static token, outcomes counted with \`Summary.collect\` — reading, validation, dedupe, batching of 1,000, the rate limiter and one outcome per record included. Concurrency ${CONCURRENCY}, fixed: the former default, kept so that the suite guards the pipeline's own speed (4 was no faster against one emulator process; the delivery suite measures the adaptive default). The 100,000-record row has no target any more (issue 20).`,
          'Baseline: the generated node-soap client (`@uplink/campaign-management/soap-client`), `readline` over the same file, `split(",")`, 1,000 objects per `ApplyOfflineConversionsAsync`, sequential, no validation.',
          largeBaselineNote,
          ...emulatorNote,
          fixedNote,
          nullNote,
          `Each case is a child process (\`node\` on a transpiled runner; peak RSS = \`process.resourceUsage().maxRSS\` at its end); the emulator (\`--demo\`) is a separate child process, reset before each case. Time runs from opening the file to the last answer (no module loading, WSDL parsing or startup). At ${count(small)}: ${smallRounds} round(s), ours and the baseline alternating (each round also runs both on ${count(tenth)} records and ours against the null server); at ${count(large)}: ${largeRounds} of ours${runBaselineLarge ? ", the baseline once" : ""}. Data: ${count(large)} distinct valid records, ~110 bytes a line.`
        ]
      }
    } finally {
      await nullServer.stop()
      await emulator.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
