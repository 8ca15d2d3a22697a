/**
 * Test support: run the built `uplink` as a child process with a clean environment pointed at an emulator (or
 * in-process, which starts in milliseconds instead of ~2 s, with its own environment and captured output), watch a
 * spawned one to signal it, read CSV rows, and make input files with times relative to now.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { defaultCredentials, type RunningEmulator } from "@uplink/emulator"
import { ConfigProvider, Console, Effect } from "effect"
import { type RunOptions, run } from "../src/cli.js"

export const bin = resolve(import.meta.dirname, "..", "dist", "bin.js")

export interface CliRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export const scratch = () => mkdtempSync(join(tmpdir(), "uplink-cli-test-"))

/** MSADS_* for the emulator, plus a private config folder and ledger so tests never touch the user's files. */
export const emulatorEnv = (emulator: RunningEmulator, dir: string): Record<string, string> => ({
  MSADS_ENDPOINT: emulator.url,
  MSADS_DEVELOPER_TOKEN: defaultCredentials.developerToken,
  MSADS_CUSTOMER_ID: defaultCredentials.customerId,
  MSADS_ACCOUNT_ID: defaultCredentials.accountId,
  MSADS_ACCESS_TOKEN: defaultCredentials.accessToken,
  XDG_CONFIG_HOME: join(dir, "config"),
  UPLINK_TOKEN_FILE: join(dir, "config", "uplink", "tokens.json"),
  UPLINK_LEDGER: join(dir, "state", "ledger.db")
})

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
export const hoursAgo = (hours: number): string =>
  new Date(Math.floor((Date.now() - hours * 3_600_000) / 1000) * 1000).toISOString().replace(".000Z", "Z")

/** A 32-hex click id (demo mode knows every such id). */
export const click = (n: number): string => n.toString(16).padStart(32, "a")

/** Runs `uplink args…` in this process with exactly `env` as its environment, capturing what it prints. */
export const runInProcess = async (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  options: RunOptions = {}
): Promise<CliRun> => {
  const stdout: Array<string> = []
  const stderr: Array<string> = []
  const code = await Effect.runPromise(
    run(["node", "uplink", ...args], options).pipe(
      Effect.withConsole(captureConsole(stdout, stderr)),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
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

/** Resolves once `condition()` holds, checking every 20 ms; rejects with `what` after `timeoutMs`. */
export const waitFor = (condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> =>
  new Promise((resolvePromise, reject) => {
    const started = Date.now()
    const check = () => {
      if (condition()) return resolvePromise()
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`))
      setTimeout(check, 20)
    }
    check()
  })

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
