/**
 * Test support: run `uplink` in-process (`runInProcess`: the CLI's own runner with its own environment, standard input
 * and captured output — it starts in milliseconds instead of ~2 s, so most tests use it), or the built bin as a child
 * process with a clean environment (`uplink`, `spawnUplink`: the smoke tests of `*.integration.test.ts`, and what
 * needs a real process, such as signals); read CSV rows; and make input files with times relative to now. Click ids,
 * the emulator's environment, folders and waiting come from `@uplink/emulator/testing`.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { resolve } from "node:path"
import { clickId, HOUR, isoAgo, tempDir } from "@uplink/emulator/testing"
import { ConfigProvider, Console, Effect, Stream } from "effect"
import { type RunOptions, run } from "../src/cli.js"

export const bin = resolve(import.meta.dirname, "..", "dist", "bin.js")

export interface CliRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** A new folder for a test file's inputs, results and config (`emulatorEnv(emulator, dir)` keeps config there). */
export const scratch = () => tempDir("uplink-cli-test-")

/** Runs `uplink args…` with exactly `env` (plus PATH/HOME) and optional standard input. */
export const uplink = (args: ReadonlyArray<string>, env: Record<string, string>, input?: string): Promise<CliRun> =>
  new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: env.HOME ?? tmpdir(), ...env },
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }))
    child.stdin.end(input ?? "")
  })

/** An ISO time `hours` before now, at whole seconds. */
export const hoursAgo = (hours: number): string => isoAgo(hours * HOUR)

/** The header of Microsoft's conversion columns, as the input files of these tests start. */
export const HEADER = "Microsoft Click Id,Conversion Name,Conversion Time,Conversion Value,Conversion Currency Code"

/** `n` valid records (lines 2…n+1) with click ids from `first`. */
export const validCsv = (n: number, first = 1) =>
  [HEADER, ...Array.from({ length: n }, (_, i) => `${clickId(first + i)},Offline Purchase,${hoursAgo(3)},5,USD`)].join(
    "\n"
  ) + "\n"

/** Settings of an in-process run: the runner's own, and what `-` reads. */
export interface InProcessOptions extends RunOptions {
  /** The text standard input gives (default: none, as `uplink` spawned with an empty standard input). */
  readonly input?: string | undefined
}

/**
 * Runs `uplink args…` in this process as the bin would, with exactly `env` (plus `HOME`, as `uplink` spawns it) as its
 * environment and `input` as its standard input, capturing what it prints; resolves to its exit code and output.
 */
export const runInProcess = async (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  options: InProcessOptions = {}
): Promise<CliRun> => {
  const { input, ...runOptions } = options
  const stdin = Stream.make(new TextEncoder().encode(input ?? ""))
  const stdout: Array<string> = []
  const stderr: Array<string> = []
  const code = await Effect.runPromise(
    run(["node", "uplink", ...args], { ...runOptions, apply: { stdin, ...runOptions.apply } }).pipe(
      Effect.withConsole(captureConsole(stdout, stderr)),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries({ HOME: tmpdir(), ...env }))))
    )
  )
  return { code, stdout: stdout.join(""), stderr: stderr.join("") }
}

/** A Console that appends every line to `stdout` (log, info, …) or `stderr` (error, warn). */
const captureConsole = (stdout: Array<string>, stderr: Array<string>): Console.Console => {
  const line = (args: ReadonlyArray<unknown>) => `${args.map(String).join(" ")}\n`
  const unsafe: Console.UnsafeConsole = {
    assert: () => {},
    clear: () => {},
    count: () => {},
    countReset: () => {},
    debug: (...args) => stdout.push(line(args)),
    dir: (item) => stdout.push(line([item])),
    dirxml: (...args) => stdout.push(line(args)),
    error: (...args) => stderr.push(line(args)),
    group: () => {},
    groupCollapsed: () => {},
    groupEnd: () => {},
    info: (...args) => stdout.push(line(args)),
    log: (...args) => stdout.push(line(args)),
    table: (data) => stdout.push(line([JSON.stringify(data)])),
    time: () => {},
    timeEnd: () => {},
    timeLog: () => {},
    trace: (...args) => stderr.push(line(args)),
    warn: (...args) => stderr.push(line(args))
  }
  const effect =
    <A extends ReadonlyArray<unknown>>(f: (...args: A) => void) =>
    (...args: A) =>
      Effect.sync(() => f(...args))
  return {
    [Console.TypeId]: Console.TypeId,
    assert: effect(unsafe.assert),
    clear: Effect.void,
    count: effect(unsafe.count),
    countReset: effect(unsafe.countReset),
    debug: effect(unsafe.debug),
    dir: effect(unsafe.dir),
    dirxml: effect(unsafe.dirxml),
    error: effect(unsafe.error),
    group: () => Effect.void,
    groupEnd: Effect.void,
    info: effect(unsafe.info),
    log: effect(unsafe.log),
    table: effect(unsafe.table),
    time: effect(unsafe.time),
    timeEnd: effect(unsafe.timeEnd),
    timeLog: effect(unsafe.timeLog),
    trace: effect(unsafe.trace),
    warn: effect(unsafe.warn),
    unsafe
  }
}

/** A spawned `uplink` whose output can be watched while it runs (for signals). */
export interface SpawnedCli {
  readonly child: ChildProcess
  readonly output: () => { readonly stdout: string; readonly stderr: string }
  readonly done: Promise<CliRun>
}

const running = new Set<ChildProcess>()

/** Kills (SIGKILL) every process `spawnUplink` started that is still running: for an afterEach, after a failure. */
export const killSpawned = () => {
  for (const child of running) child.kill("SIGKILL")
  running.clear()
}

/** Spawns `uplink args…` with exactly `env` (plus PATH/HOME); `killSpawned` ends it if a test leaves it running. */
export const spawnUplink = (args: ReadonlyArray<string>, env: Record<string, string>): SpawnedCli => {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: env.HOME ?? tmpdir(), ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  running.add(child)
  child.on("exit", () => running.delete(child))
  let stdout = ""
  let stderr = ""
  child.stdout?.on("data", (chunk) => (stdout += chunk))
  child.stderr?.on("data", (chunk) => (stderr += chunk))
  const done = new Promise<CliRun>((resolvePromise, reject) => {
    child.on("error", reject)
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }))
  })
  return { child, output: () => ({ stdout, stderr }), done }
}

/** The rows of a CSV text (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes). */
export const csvRows = (text: string): Array<Array<string>> => {
  const rows: Array<Array<string>> = []
  let row: Array<string> = []
  let field = ""
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"' && field === "") quoted = true
    else if (c === ",") {
      row.push(field)
      field = ""
    } else if (c === "\n") {
      row.push(field)
      rows.push(row)
      row = []
      field = ""
    } else field += c
  }
  if (field !== "" || row.length > 0) rows.push([...row, field])
  return rows
}

/** The rows of a results file as objects keyed by column. */
export const resultRows = (path: string) => {
  const [header, ...rows] = csvRows(readFileSync(path, "utf8"))
  return rows.map((row) => Object.fromEntries(header!.map((column, i) => [column, row[i] ?? ""])))
}
