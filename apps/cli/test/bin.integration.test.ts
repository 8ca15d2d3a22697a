/**
 * Smoke tests of the built `uplink` (dist/bin.js) as a process of its own, for what in-process runs cannot show: that
 * the bundle starts and exits with the run's code once its output is flushed (`--version`, a dry run, a real apply
 * reading the process's standard input against the emulator), Ctrl-C as a real SIGINT (the first stops gently, a
 * second at once, exit 130), and `uplink emulator` stopping on SIGTERM. Every wait is for a signal of the process or
 * the emulator, never a fixed time.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import type { RunningEmulator } from "@uplink/emulator"
import { clickId, emulatorEnv, spawnEmulator, startEmulator, waitFor, writeInput } from "@uplink/emulator/testing"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import manifest from "../package.json" with { type: "json" }
import { bin, HEADER, hoursAgo, killSpawned, resultRows, scratch, spawnUplink, uplink, validCsv } from "./support.js"

let emulator: RunningEmulator
let dir: string
let env: Record<string, string>

beforeAll(async () => {
  emulator = await startEmulator({ demo: true })
  dir = scratch()
  env = emulatorEnv(emulator, dir)
})
afterAll(() => emulator.stop())
beforeEach(() => emulator.reset())
afterEach(killSpawned)

let files = 0
const write = (text: string) => writeInput(dir, `bin-${++files}.csv`, text)

describe("the uplink bin", () => {
  it("--version prints the package's version and exits 0", async () => {
    const run = await uplink(["--version"], env)
    expect(run.code).toBe(0)
    expect(run.stdout.trim()).toBe(manifest.version)
    expect(run.stderr).toBe("")
  })

  it("apply --dry-run validates and hashes without any request, and exits 0", async () => {
    const file = write(`${HEADER},Email\n${clickId(40)},Offline Purchase,${hoursAgo(2)},5,USD, Someone@Example.com \n`)
    const results = join(dir, "dry-results.csv")
    // Pointed at the emulator, which counts every request (API and OAuth): a dry run must make none.
    const before = emulator.state()
    const run = await uplink(["apply", file, "--dry-run", "--results", results], env)
    expect(run.code).toBe(0)
    const after = emulator.state()
    expect(after.requests).toBe(before.requests)
    expect(after.tokenRequests.length).toBe(before.tokenRequests.length)
    const rows = readFileSync(results, "utf8").trimEnd().split("\n")
    expect(rows[1]).toMatch(new RegExp(`^2,ready,,,,${clickId(40)},Offline Purchase,`))
    expect(readFileSync(results, "utf8")).not.toContain("someone@example.com")
    expect(run.stdout).not.toContain("omeone@")
  })

  it("apply - reads the process's standard input, sends to the emulator and exits 0", async () => {
    const results = join(dir, "stdin-results.csv")
    const run = await uplink(
      ["apply", "-", "--format", "csv", "--results", results],
      env,
      `${HEADER}\n${clickId(30)},Offline Purchase,${hoursAgo(2)},5,USD\n`
    )
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/accepted\s+1/)
    expect(emulator.state().accepted.map((a) => a.MicrosoftClickId)).toEqual([clickId(30)])
    expect(resultRows(results).map((row) => [row.line, row.status])).toEqual([["2", "accepted"]])
  })
})

describe("Ctrl-C (SIGINT) to the bin", () => {
  /** ~3,000 records in ~4 chunks of input: a first Ctrl-C leaves most of the file unread. */
  const bigCsv = (first: number) => validCsv(3000, first)

  it("the first stops reading, lets the request in flight finish, reports every record read, exit 130", async () => {
    emulator.setFaults({ latencyMs: 3000 })
    const input = write(bigCsv(10_000))
    const results = join(dir, "interrupted-results.csv")
    const cli = spawnUplink(["apply", input, "--batch-size", "10", "--concurrency", "1", "--results", results], env)
    await waitFor("a request in flight", () => emulator.state().faultsInjected.latency >= 1)
    cli.child.kill("SIGINT")
    const run = await cli.done
    expect(run.code).toBe(130)
    expect(run.stderr).toMatch(
      /uplink: interrupted: no more records are read; waiting up to 30 s for 1 request in flight/
    )
    const rows = resultRows(results)
    // One row per record read, in order, from line 2; the rest of the file was not read.
    const lines = rows.map((row) => Number(row.line))
    expect(lines).toEqual(Array.from({ length: lines.length }, (_, i) => i + 2))
    expect(lines.length).toBeLessThan(3000)
    expect(rows.slice(0, 10).map((row) => row.status)).toEqual(Array(10).fill("accepted"))
    expect(new Set(rows.slice(10).map((row) => `${row.status} ${row.error_code} ${row.message}`))).toEqual(
      new Set(["failed NotSent not sent: interrupted (Ctrl-C)"])
    )
    expect(emulator.state().accepted).toHaveLength(10)
    expect(run.stdout).toMatch(/accepted\s+10\n/)
    expect(run.stdout).toContain(
      `Interrupted (Ctrl-C): ${(lines.length - 10).toLocaleString("en-US")} records read but not sent (failed, NotSent); ` +
        `records after line ${lines.at(-1)!.toLocaleString("en-US")} were not read`
    )
  })

  it("a second one stops at once and names the lines whose outcome is unknown, exit 130", async () => {
    const slow = await startEmulator({ demo: true, faults: { latencyMs: 60_000 } })
    try {
      const cli = spawnUplink(
        ["apply", write(bigCsv(20_000)), "--batch-size", "10", "--concurrency", "1"],
        emulatorEnv(slow, dir)
      )
      await waitFor("a request in flight", () => slow.state().faultsInjected.latency >= 1)
      cli.child.kill("SIGINT")
      await waitFor("the first Ctrl-C's message", () => cli.output().stderr.includes("interrupted"))
      cli.child.kill("SIGINT")
      const run = await cli.done
      expect(run.code).toBe(130)
      expect(run.stdout).toContain("Stopped at once (second Ctrl-C).")
      expect(run.stdout).toContain("The outcome of lines 2–11 is unknown: sent to Microsoft, no answer recorded.")
    } finally {
      await slow.stop()
    }
  })
})

describe("uplink emulator", () => {
  it("starts, logs its URL, answers, and stops on SIGTERM", async () => {
    const running = await spawnEmulator([bin, "emulator", "--port", "0", "--demo"])
    const state = (await (await fetch(`${running.url}/__emulator/state`)).json()) as { demo: boolean }
    expect(state.demo).toBe(true)
    running.child.kill("SIGTERM")
    expect(await running.exited).toBe(0)
  })
})
