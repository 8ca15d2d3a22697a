/**
 * @uplink/emulator/testing: what the tests of every Uplink package share to work against the emulator, in one place —
 * well-formed click ids, one fixed "now", ISO times relative to the real clock, the environment that points the CLI,
 * the server or a client at a running emulator, an emulator on a free 127.0.0.1 port (in this process, or a process
 * whose URL is awaited), waiting for readiness, and input files in a temporary folder.
 *
 * Invariants: nothing here sleeps for a fixed time (every wait is for a condition, with a generous deadline for a
 * loaded 2-core machine); every folder and port is a fresh one, so tests never share state or touch the user's files;
 * the same key always gives the same click id. Loading this module does not load the emulator's server (`startEmulator`
 * imports it when called), so unit tests that only need ids and times stay cheap. The emulator itself never imports it.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createHash, randomBytes } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { defaultCredentials } from "./domain/Credentials.js"
import type { EmulatorOptions } from "./Options.js"
import type { RunningEmulator } from "./Server.js"

// ===== Click ids =====

/**
 * A well-formed Microsoft Click Id (32 lowercase hex digits, what the emulator's demo mode takes as a click) for `key`:
 * a number gives its hex digits padded with zeros (`clickId(1)` is `000…01`), a text the first 32 hex digits of its
 * SHA-256. The same key gives the same id; different keys give different ids.
 */
export const clickId = (key: number | string): string => {
  if (typeof key === "string") return createHash("sha256").update(key).digest("hex").slice(0, 32)
  if (!Number.isSafeInteger(key) || key < 0) throw new RangeError(`clickId: ${key} is not a whole number ≥ 0`)
  return key.toString(16).padStart(32, "0")
}

/** A random well-formed click id, for tests that must never meet an id an earlier test sent. */
export const randomClickId = (): string => randomBytes(16).toString("hex")

// ===== Time =====

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

/** The fixed "now" of tests that set the clock (TestClock, an emulator's `clock`): 2026-03-16T12:00:00Z. */
export const NOW = Date.UTC(2026, 2, 16, 12, 0, 0)

/** ISO 8601 text (UTC, milliseconds) of `ms`. */
export const iso = (ms: number): string => new Date(ms).toISOString()

/** An ISO 8601 UTC time `ms` before `now` (default: the real clock), at whole seconds: `2026-03-16T11:00:00Z`. */
export const isoAgo = (ms: number, now: number = Date.now()): string =>
  new Date(Math.floor((now - ms) / 1000) * 1000).toISOString().replace(".000Z", "Z")

// ===== The emulator =====

/**
 * The environment that points the CLI, the server or a client at `emulator` with its default credentials, and keeps
 * their files in `dir`: `XDG_CONFIG_HOME` is `dir/config`, the token file `dir/config/uplink/tokens.json` and the
 * CLI's ledger `dir/state/ledger.db`.
 */
export const emulatorEnv = (emulator: { readonly url: string } | string, dir: string): Record<string, string> => ({
  MSADS_ENDPOINT: typeof emulator === "string" ? emulator : emulator.url,
  MSADS_DEVELOPER_TOKEN: defaultCredentials.developerToken,
  MSADS_CUSTOMER_ID: defaultCredentials.customerId,
  MSADS_ACCOUNT_ID: defaultCredentials.accountId,
  MSADS_ACCESS_TOKEN: defaultCredentials.accessToken,
  XDG_CONFIG_HOME: join(dir, "config"),
  UPLINK_TOKEN_FILE: join(dir, "config", "uplink", "tokens.json"),
  UPLINK_LEDGER: join(dir, "state", "ledger.db")
})

/** Starts an emulator in this process on a free port of 127.0.0.1; it is listening when the promise resolves. */
export const startEmulator = async (options: EmulatorOptions = {}): Promise<RunningEmulator> => {
  const { start } = await import("./Server.js")
  return start({ ...options, host: "127.0.0.1", port: 0 })
}

/** A child process that printed `emulator listening on <url>` (the `uplink-emulator` bin, or `uplink emulator`). */
export interface EmulatorProcess {
  readonly url: string
  readonly child: ChildProcess
  /** Everything it printed so far, stdout and stderr. */
  readonly output: () => string
  /** Resolves with its exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>
}

/**
 * Runs `node ...args` (a bin that starts an emulator, with `--port 0`) and resolves once it prints the URL it listens
 * on; rejects with what it printed if it exits first or prints no URL within `timeoutMs`.
 */
export const spawnEmulator = (
  args: ReadonlyArray<string>,
  env: Record<string, string | undefined> = process.env,
  timeoutMs = 60_000
): Promise<EmulatorProcess> => {
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`no "emulator listening on" within ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    const onData = (chunk: Buffer) => {
      output += String(chunk)
      const match = /emulator listening on (http:\/\/\S+)/.exec(output)
      if (match === null) return
      clearTimeout(timer)
      resolve({ url: match[1]!, child, output: () => output, exited })
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", onData)
    child.once("error", reject)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`exited (${code}) before listening:\n${output}`))
    })
  })
}

// ===== Waiting =====

/**
 * Asks `probe` every 20 ms until it answers a value (not `undefined`; `false` counts as not yet) and resolves with it;
 * rejects naming `what` after `timeoutMs`.
 */
export const waitFor = async <A>(
  what: string,
  probe: () => Promise<A | undefined | false> | A | undefined | false,
  timeoutMs = 30_000
): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

// ===== Files =====

/** A new empty folder under the OS's temporary folder. */
export const tempDir = (prefix = "uplink-test-"): string => mkdtempSync(join(tmpdir(), prefix))

/** Writes `text` to `dir/name` and answers the path. */
export const writeInput = (dir: string, name: string, text: string): string => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

/** One CSV line from cells (RFC 4180: quoted only where needed, quotes doubled). */
export const csvLine = (cells: ReadonlyArray<string>): string =>
  cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(",")
