/**
 * What starting Uplink costs, paired in the same run with what starting Node costs (`node -e 0`): wall time and peak
 * RSS of the built bins and of importing @uplink/core, each in a child process of its own, sampled round-robin
 * (node, then every case, again and again) so that load from other processes hits every case alike.
 *
 * - `uplink --version`: the start-up path every command takes (the whole command tree is built; nothing answers
 *   before it). Target: at most 4× `node -e 0`, peak RSS under 80 MB.
 * - `uplink apply <20 rows> --dry-run`: the path of a real command (its run, core's pipeline, validation, hashing),
 *   no network. Target: at most 6× `node -e 0`.
 * - `import("@uplink/core")`: a library user's import, unbundled (Node loads core's and its dependencies' modules one
 *   by one). Target: peak RSS under 100 MB.
 * - `uplink-server`: from spawning it (a new SQLite outbox each time) to a 200 on `/healthz`.
 * - `uplink apply` of 100,000 and of 1,000,000 rows to the emulator (its own process, `--demo`, reset before each
 *   run): the pipeline's memory through the CLI. Target: 1,000,000 rows under 150 MB, at most 60 MB above 100,000
 *   (that growth is the dedupe table; nothing else may be held per record).
 *
 * Peak RSS is the process's own peak (`VmHWM`; see PROBE for why not `process.resourceUsage().maxRSS`), written by a
 * probe module loaded with `node --import` into every measured process (the baseline's too) when it exits. MB here
 * are 10^6 bytes.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { type Measurement, median, quantile } from "../harness.js"
import { compare, type Suite } from "../suite.js"
import { workspaceRoot } from "../workspace.js"
import { startEmulator, writeCsv } from "./pipeline.js"

const benchRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..")

/** The emulator's default credentials (packages/emulator README). */
const emulatorCredentials = {
  MSADS_DEVELOPER_TOKEN: "BBD37VB98",
  MSADS_CUSTOMER_ID: "1000001",
  MSADS_ACCOUNT_ID: "2000002",
  MSADS_ACCESS_TOKEN: "emulator-access-token"
}

/**
 * The probe every measured process loads first: on exit, it writes the process's peak RSS (KiB) to a file. On Linux
 * that is `VmHWM` of /proc/self/status, the peak of the process's own memory: `process.resourceUsage().maxRSS`
 * (getrusage) keeps the peak of the process that spawned it across fork and exec, so a child of this bench process
 * would report at least the bench's own size. Elsewhere it falls back to `maxRSS`.
 */
const PROBE = `import { readFileSync, writeFileSync } from "node:fs"
const peakKib = () => {
  try {
    const match = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))
    if (match !== null) return Number(match[1])
  } catch {}
  return process.resourceUsage().maxRSS
}
process.on("exit", () => {
  if (process.env.BENCH_MAXRSS_FILE) writeFileSync(process.env.BENCH_MAXRSS_FILE, String(peakKib()))
})
`

const kibToMB = (kib: number): number => (kib * 1024) / 1e6

/** One measured run: its wall time from spawn to the end (or to readiness), and its peak RSS. */
interface Sample {
  readonly ms: number
  readonly maxRssKib: number
}

/** The environment of a measured process: the bench's, without settings Uplink would read. */
const baseEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(MSADS_|UPLINK_|NODE_OPTIONS$)/.test(key)) env[key] = value
  }
  return env
}

interface Probe {
  readonly args: ReadonlyArray<string>
  readonly rssFile: () => string
}

const makeProbe = (dir: string): Probe => {
  const path = join(dir, "probe.mjs")
  writeFileSync(path, PROBE)
  let n = 0
  return { args: ["--import", pathToFileURL(path).href], rssFile: () => join(dir, `rss-${n++}`) }
}

const readRss = (file: string, what: string): number => {
  try {
    return Number(readFileSync(file, "utf8"))
  } catch {
    throw new Error(`${what} wrote no peak RSS (did it exit normally?)`)
  }
}

/**
 * Runs `node <probe> <args>` to its end: wall time from spawn to exit, peak RSS. Fails unless it exits with
 * `expectedCode`; `check` looks at its standard output.
 */
const runToEnd = (
  probe: Probe,
  args: ReadonlyArray<string>,
  options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv; readonly check?: (stdout: string) => void } = {}
): Promise<Sample> =>
  new Promise((resolve, reject) => {
    const rssFile = probe.rssFile()
    const started = performance.now()
    const child = spawn(process.execPath, [...probe.args, ...args], {
      cwd: options.cwd,
      env: { ...(options.env ?? baseEnv()), BENCH_MAXRSS_FILE: rssFile },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.once("error", reject)
    child.once("exit", (code) => {
      const ms = performance.now() - started
      // "exit" can come before the pipes are drained: read the output once they close.
      child.once("close", () => {
        try {
          if (code !== 0) throw new Error(`node ${args.join(" ")} exited with ${code}: ${stderr.slice(-2000)}`)
          options.check?.(stdout)
          resolve({ ms, maxRssKib: readRss(rssFile, `node ${args.join(" ")}`) })
        } catch (error) {
          reject(error)
        }
      })
    })
  })

/**
 * Starts `uplink-server --port 0` on a new outbox and times spawn → first 200 on `/healthz`; then stops it (SIGTERM)
 * and reads its peak RSS.
 */
const serverToHealthy = (probe: Probe, bin: string, dir: string, round: number): Promise<Sample> =>
  new Promise((resolve, reject) => {
    const rssFile = probe.rssFile()
    const db = join(dir, `outbox-${round}.db`)
    const started = performance.now()
    const child: ChildProcess = spawn(process.execPath, [...probe.args, bin, "--port", "0"], {
      env: {
        ...baseEnv(),
        UPLINK_SERVER_TOKEN: "bench-startup-token-0123456789",
        UPLINK_DB: db,
        BENCH_MAXRSS_FILE: rssFile
      },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    let healthyMs: number | undefined
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /"uplink-server listening"[^\n]*"url":"(http:\/\/[^"]+)"/.exec(output)
      if (match === null || healthyMs !== undefined) return
      healthyMs = Number.NaN
      const poll = (): void => {
        fetch(`${match[1]}/healthz`).then(
          (response) => {
            void response.arrayBuffer()
            if (response.status !== 200) return void poll()
            healthyMs = performance.now() - started
            child.kill("SIGTERM")
          },
          (error: unknown) => {
            child.kill("SIGKILL")
            reject(error)
          }
        )
      }
      poll()
    }
    child.stdout?.on("data", onData)
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.once("error", reject)
    child.once("exit", (code) => {
      rmSync(db, { force: true })
      rmSync(`${db}-wal`, { force: true })
      rmSync(`${db}-shm`, { force: true })
      if (healthyMs === undefined || Number.isNaN(healthyMs)) {
        return reject(new Error(`uplink-server exited (${code}) before answering /healthz: ${output.slice(-2000)}`))
      }
      try {
        resolve({ ms: healthyMs, maxRssKib: readRss(rssFile, "uplink-server") })
      } catch (error) {
        reject(error)
      }
    })
  })

/** The measurement (wall time) of samples. */
const measurementOf = (label: string, samples: ReadonlyArray<Sample>): Measurement => {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b)
  return {
    label,
    medianMs: quantile(sorted, 0.5),
    p10Ms: quantile(sorted, 0.1),
    p90Ms: quantile(sorted, 0.9),
    samples: sorted.length
  }
}

const rssMB = (samples: ReadonlyArray<Sample>): number => kibToMB(median(samples.map((s) => s.maxRssKib)))

/** A CSV of `rows` valid conversions (for the dry run: nothing is sent). */
const writeSmallCsv = (path: string, rows: number): void => {
  const time = new Date(Date.now() - 3 * 3_600_000).toISOString()
  const lines = ["Microsoft Click Id,Conversion Name,Conversion Time,Conversion Value,Conversion Currency Code"]
  for (let i = 1; i <= rows; i++) lines.push(`${i.toString(16).padStart(32, "a")},Offline Purchase,${time},10.5,USD`)
  writeFileSync(path, `${lines.join("\n")}\n`)
}

/** Checks the `--json` summary of `uplink apply` (its last line): every one of `records` has `status`. */
const expectAll =
  (records: number, status: "ready" | "accepted") =>
  (stdout: string): void => {
    const summary = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as {
      total?: number
      byStatus?: Record<string, number>
    }
    if (summary.total !== records || summary.byStatus?.[status] !== records) {
      throw new Error(`uplink apply: expected ${records} ${status}, got ${JSON.stringify(summary.byStatus)}`)
    }
  }

const count = (n: number): string => n.toLocaleString("en-US")

export const startupSuite: Suite = {
  name: "startup",
  title: "Start-up and memory: the built bins and importing @uplink/core, against node -e 0",
  run: async (options) => {
    const quick = options.samples < 10
    const rounds = quick ? 3 : 15
    const small = quick ? 10_000 : 100_000
    const large = quick ? 100_000 : 1_000_000
    const memoryRounds = quick ? 1 : 3

    const root = workspaceRoot()
    const cli = join(root, "apps", "cli", "dist", "bin.js")
    const server = join(root, "apps", "server", "dist", "bin.js")
    const dir = mkdtempSync(join(tmpdir(), "uplink-bench-startup-"))
    const probe = makeProbe(dir)
    try {
      const twenty = join(dir, "twenty.csv")
      writeSmallCsv(twenty, 20)

      const cases = {
        node: [] as Array<Sample>,
        version: [] as Array<Sample>,
        dryRun: [] as Array<Sample>,
        importCore: [] as Array<Sample>,
        server: [] as Array<Sample>
      }
      const importArgs = ["--input-type=module", "-e", 'await import("@uplink/core")']
      // One untimed round first: the file system cache, not the first sample, pays for reading the files.
      const runRound = async (into: typeof cases | undefined, round: number) => {
        const node = await runToEnd(probe, ["-e", "0"])
        const version = await runToEnd(probe, [cli, "--version"])
        const dryRun = await runToEnd(probe, [cli, "apply", twenty, "--dry-run", "--json"], {
          check: expectAll(20, "ready")
        })
        // From the bench's folder, where @uplink/core resolves to packages/core (its built dist).
        const importCore = await runToEnd(probe, importArgs, { cwd: benchRoot })
        const healthy = await serverToHealthy(probe, server, dir, round)
        if (into === undefined) return
        into.node.push(node)
        into.version.push(version)
        into.dryRun.push(dryRun)
        into.importCore.push(importCore)
        into.server.push(healthy)
      }
      await runRound(undefined, -1)
      for (let round = 0; round < rounds; round++) await runRound(cases, round)

      // The CLI through the whole pipeline, 100k and 1M rows to the emulator: peak RSS.
      const emulator = await startEmulator()
      const memory = { small: [] as Array<Sample>, large: [] as Array<Sample> }
      try {
        const files = { small: join(dir, "small.csv"), large: join(dir, "large.csv") }
        const now = Date.now()
        await writeCsv(files.small, small, now)
        await writeCsv(files.large, large, now)
        const apply = async (file: string, records: number, into: Array<Sample>) => {
          await emulator.reset()
          const sample = await runToEnd(probe, [cli, "apply", file, "--json"], {
            env: { ...baseEnv(), ...emulatorCredentials, MSADS_ENDPOINT: emulator.url },
            check: expectAll(records, "accepted")
          })
          into.push(sample)
          console.log(
            `  uplink apply ${count(records)} rows: ${(sample.ms / 1000).toFixed(1)} s, peak RSS ${kibToMB(sample.maxRssKib).toFixed(0)} MB`
          )
        }
        for (let round = 0; round < memoryRounds; round++) {
          await apply(files.small, small, memory.small)
          await apply(files.large, large, memory.large)
        }
      } finally {
        await emulator.stop()
      }

      const node = measurementOf("node -e 0", cases.node)
      const nodeMB = rssMB(cases.node)
      const withNode = (label: string, samples: ReadonlyArray<Sample>) => ({
        ours: measurementOf(label, samples),
        memory: { oursMB: rssMB(samples), baselineMB: nodeMB }
      })
      const version = withNode("uplink --version", cases.version)
      const dryRun = withNode("uplink apply --dry-run", cases.dryRun)
      const importCore = withNode('import("@uplink/core")', cases.importCore)
      const healthy = withNode("uplink-server", cases.server)
      const smallMB = rssMB(memory.small)
      const largeMB = rssMB(memory.large)
      return {
        rows: [
          {
            ...compare(`\`uplink --version\` (median of ${rounds})`, version.ours, node),
            maxTimes: 4,
            memory: { ...version.memory, maxMB: 80 }
          },
          {
            ...compare(`\`uplink apply\` 20 rows \`--dry-run\` (median of ${rounds})`, dryRun.ours, node),
            maxTimes: 6,
            memory: dryRun.memory
          },
          {
            ...compare(`\`import("@uplink/core")\`, unbundled (median of ${rounds})`, importCore.ours, node),
            memory: { ...importCore.memory, maxMB: 100 }
          },
          {
            ...compare(`\`uplink-server\`: spawn → 200 on /healthz (median of ${rounds})`, healthy.ours, node),
            memory: healthy.memory
          },
          {
            ...compare(
              `\`uplink apply\` ${count(large)} rows → emulator, against ${count(small)} rows (median of ${memoryRounds})`,
              measurementOf(`uplink apply ${count(large)} rows`, memory.large),
              measurementOf(`uplink apply ${count(small)} rows`, memory.small)
            ),
            memory: { oursMB: largeMB, baselineMB: smallMB, maxMB: 150, maxAboveBaselineMB: 60 }
          }
        ],
        notes: [
          `Every case is a child process: \`node --import <probe> …\`, the probe writing the process's peak RSS at exit (VmHWM from /proc/self/status: getrusage's maxRSS would report at least the spawning bench process's own size, which Linux carries across fork and exec); wall time from spawn to exit (the server: to its first 200 on /healthz, on a new SQLite outbox). ${rounds} rounds, each running node -e 0 and then every case once, after one untimed round. MB = 10^6 bytes.`,
          `node -e 0 itself: ${node.medianMs.toFixed(0)} ms, ${nodeMB.toFixed(0)} MB. "N× slower" = the case's median time ÷ node -e 0's median in the same run.`,
          "The bins are the esbuild bundles `pnpm build` writes (apps/*/dist/bin.js and its chunks: a command's run, an operation's contract and the emulator are chunks loaded when used). `import(\"@uplink/core\")` is unbundled library use, run from tools/bench where @uplink/core resolves to packages/core/dist.",
          `\`uplink apply\` to the emulator (\`--demo\`, its own process, reset before each run): ${count(small)} and ${count(large)} distinct valid rows (~110 bytes a line), REST, the default concurrency; \`--json\` summary checked (every row accepted). Peak RSS: ${count(small)} rows ${smallMB.toFixed(0)} MB, ${count(large)} rows ${largeMB.toFixed(0)} MB (+${(largeMB - smallMB).toFixed(0)} MB).`
        ]
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
