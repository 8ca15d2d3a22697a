/**
 * Test support: run the built `uplink` as a child process with a clean environment pointed at an emulator, and make
 * input files with times relative to now.
 */
import { spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { defaultCredentials, type RunningEmulator } from "@uplink/emulator"

export const bin = resolve(import.meta.dirname, "..", "dist", "bin.js")

export interface CliRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export const scratch = () => mkdtempSync(join(tmpdir(), "uplink-cli-test-"))

/** MSADS_* for the emulator, plus a private config folder so tests never touch the user's files. */
export const emulatorEnv = (emulator: RunningEmulator, dir: string): Record<string, string> => ({
  MSADS_ENDPOINT: emulator.url,
  MSADS_DEVELOPER_TOKEN: defaultCredentials.developerToken,
  MSADS_CUSTOMER_ID: defaultCredentials.customerId,
  MSADS_ACCOUNT_ID: defaultCredentials.accountId,
  MSADS_ACCESS_TOKEN: defaultCredentials.accessToken,
  XDG_CONFIG_HOME: join(dir, "config"),
  UPLINK_TOKEN_FILE: join(dir, "config", "uplink", "tokens.json")
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
