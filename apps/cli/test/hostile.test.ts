/**
 * The CLI against hostile input and a hostile world (issue 16): a results path that is the input, formula injection
 * through the results file, nonsense and out-of-range numbers in flags and variables, an unreadable input, a results
 * file that cannot be written mid-run, an endpoint that refuses or never answers, Microsoft's rate limit and
 * failures (waits must be visible), a refused access token, and Ctrl-C. They run the CLI in-process (Ctrl-C through
 * a signal source of the test's own); the Ctrl-C cases that need a real process and its SIGINT are in
 * `bin.integration.test.ts`.
 */
import { EventEmitter } from "node:events"
import { existsSync, linkSync, mkdirSync, readFileSync, symlinkSync } from "node:fs"
import { createServer, type Server, type Socket } from "node:net"
import { join } from "node:path"
import type { RunningEmulator } from "@uplink/emulator"
import { clickId, emulatorEnv, startEmulator, waitFor, writeInput } from "@uplink/emulator/testing"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type CliRun, HEADER, hoursAgo, resultRows, runInProcess, scratch, validCsv } from "./support.js"

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

let files = 0
const write = (text: string, name = `in-${++files}.csv`) => writeInput(dir, name, text)

const noStackTrace = (run: CliRun) => expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /)

describe("a results path that is the input file", () => {
  it("is refused before anything is written, however it is spelled (path, ./, symlink, hard link)", async () => {
    const text = validCsv(2, 100)
    const input = write(text, "same.csv")
    symlinkSync(input, join(dir, "same-symlink.csv"))
    linkSync(input, join(dir, "same-hardlink.csv"))
    for (const results of [
      input,
      join(dir, ".", "same.csv"),
      join(dir, "same-symlink.csv"),
      join(dir, "same-hardlink.csv")
    ]) {
      const run = await runInProcess(["apply", input, "--results", results], env)
      expect(run.code, results).toBe(1)
      expect(run.stderr).toMatch(/--results .* is the input file .*same\.csv: writing the results there would destroy/)
      expect(readFileSync(input, "utf8")).toBe(text)
      noStackTrace(run)
    }
    expect(emulator.state().requests).toBe(0)
  })

  it("is fine when the input is standard input", async () => {
    const results = join(dir, "stdin-results.csv")
    const run = await runInProcess(["apply", "-", "--format", "csv", "--results", results], env, {
      input: validCsv(1, 110)
    })
    expect(run.code).toBe(0)
    expect(resultRows(results).map((row) => [row.line, row.status])).toEqual([["2", "accepted"]])
  })
})

describe("an input that cannot be read", () => {
  it("leaves no results file behind, and an existing one untouched", async () => {
    const folder = join(dir, "a-folder.csv")
    mkdirSync(folder)
    const fresh = join(dir, "never-written.csv")
    const run = await runInProcess(["apply", folder, "--results", fresh], env)
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/cannot read .*a-folder\.csv/)
    expect(existsSync(fresh)).toBe(false)
    const old = write("line,status\n2,accepted\n", "old-results.csv")
    const headerless = write("just some text\nand more\n")
    const again = await runInProcess(["apply", headerless, "--results", old], env)
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/header row/)
    expect(readFileSync(old, "utf8")).toBe("line,status\n2,accepted\n")
  })
})

describe("spreadsheet formula injection", () => {
  it("every text cell of the results file that would start a formula is prefixed with '", async () => {
    const hostile = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
    const rows = hostile.flatMap((value, i) => {
      const quoted = `"${value.replace(/"/g, '""')}"`
      return [
        // sent, rejected by the service (unknown click): the click id comes back in the row
        `${quoted},Offline Purchase,${hoursAgo(3)},5,USD`,
        // sent, rejected by the service (no such goal): the conversion name comes back
        `${clickId(200 + i)},${quoted},${hoursAgo(3)},5,USD`,
        // invalid before sending (not a time): the time text comes back
        `${clickId(300 + i)},Offline Purchase,${quoted},5,USD`
      ]
    })
    const input = write([HEADER, ...rows].join("\n") + "\n")
    const results = join(dir, "injection-results.csv")
    const run = await runInProcess(["apply", input, "--results", results], env)
    expect(run.code).toBe(2)
    const written = resultRows(results)
    expect(written).toHaveLength(rows.length)
    const textColumns = ["status", "error_code", "message", "microsoft_click_id", "conversion_name", "conversion_time"]
    for (const row of written) {
      for (const column of textColumns) {
        expect(row[column], `${column} of line ${row.line}`).not.toMatch(/^[=+\-@\t\r]/)
      }
      // Numbers stay numbers.
      expect(row.line).toMatch(/^\d+$/)
      expect(row.code).toMatch(/^(\d+)?$/)
    }
    for (const value of hostile) {
      // The reader trims the white space around a field; what is left still starts a formula.
      const echoed = written.filter((row) =>
        [row.microsoft_click_id, row.conversion_name, row.conversion_time].some((cell) =>
          [`'${value}`, `'${value.trim()}`].includes(cell)
        )
      )
      expect(echoed.length, JSON.stringify(value)).toBeGreaterThanOrEqual(2)
    }
  })
})

describe("numeric flags and variables", () => {
  const input = () => write(validCsv(2, 400))

  it.each([
    [["--concurrency", "100000"], "--concurrency must be a whole number from 1 to 64, got 100000"],
    [["--concurrency", "0"], "--concurrency must be a whole number from 1 to 64, got 0"],
    [["--concurrency", "lots"], '--concurrency must be a whole number from 1 to 64, got "lots"'],
    [["--batch-size", "1001"], "--batch-size must be a whole number from 1 to 1000, got 1001"],
    [["--batch-size", "1e3"], '--batch-size must be a whole number from 1 to 1000, got "1e3"'],
    [["--rate-limit-window", "0 seconds"], "--rate-limit-window must be a duration from 100 ms to 10 minutes"],
    [["--rate-limit-window", "1 day"], "--rate-limit-window must be a duration from 100 ms to 10 minutes"],
    [["--max-concurrency", "0"], "--max-concurrency must be a whole number from 1 to 64, got 0"]
  ])("apply %j is refused with exit 1 and the flag's range", async (flags, message) => {
    const run = await runInProcess(["apply", input(), "--dry-run", ...flags], env)
    expect(run.code).toBe(1)
    expect(run.stdout + run.stderr).toContain(message)
    noStackTrace(run)
  })

  it.each([
    ["MSADS_REQUEST_TIMEOUT", "0", "MSADS_REQUEST_TIMEOUT must be a duration from 1 second to 1 hour"],
    ["MSADS_REQUEST_TIMEOUT", "99999999999", "MSADS_REQUEST_TIMEOUT must be a duration from 1 second to 1 hour"],
    ["UPLINK_RATE_LIMIT_WINDOW", "-3", "UPLINK_RATE_LIMIT_WINDOW must be a duration from 100 ms to 10 minutes"]
  ])("%s=%s is refused with exit 1 and its range", async (name, value, message) => {
    const run = await runInProcess(["apply", input()], { ...env, [name]: value })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(message)
    expect(emulator.state().requests).toBe(0)
  })

  it.each([
    [
      ["goals", "create", "--name", "G", "--conversion-window-days", "91"],
      "--conversion-window-days must be a whole number from 1 to 90, got 91"
    ],
    [["goals", "create", "--name", "G", "--value", "-5"], "--value must be a number from 0 to 9999999, got -5"],
    [["goals", "create", "--name", "G", "--value", "1e400"], '--value must be a number from 0 to 9999999, got "1e400"'],
    [["emulator", "--port", "99999"], '--port: "99999" is not a TCP port (a whole number from 0 to 65535)']
  ])("%j is refused with exit 1 and the range", async (args, message) => {
    const run = await runInProcess(args, env)
    expect(run.code).toBe(1)
    expect(run.stdout + run.stderr).toContain(message)
    expect(emulator.state().requests).toBe(0)
  })
})

/** A local port that refuses connections: a server was bound to it and closed. */
const refusingPort = async (): Promise<number> => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** A server that accepts connections and never answers (every request times out). */
const silentServer = async (): Promise<{ readonly url: string; readonly close: () => Promise<void> }> => {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    socket.resume()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

describe("failures without a code are named in the summary", () => {
  it("a refused connection shows as ConnectionFailed among the top errors, with what to check", async () => {
    const port = await refusingPort()
    const run = await runInProcess(
      ["apply", write(validCsv(2, 500))],
      { ...env, MSADS_ENDPOINT: `http://127.0.0.1:${port}` },
      { apply: { retry: { maxRetries: 1, base: "10 millis" } } }
    )
    expect(run.code).toBe(3)
    expect(run.stdout).toMatch(/failed\s+2/)
    expect(run.stdout).toMatch(/Top errors:\n\s+ConnectionFailed\s+×2\s+ApplyOfflineConversions failed: TransportError/)
    expect(run.stdout).toContain("check MSADS_ENDPOINT")
  })

  it("a request that gets no answer shows as Timeout among the top errors", async () => {
    const silent = await silentServer()
    try {
      const run = await runInProcess(
        ["apply", write(validCsv(1, 510)), "--json"],
        { ...env, MSADS_ENDPOINT: silent.url, MSADS_REQUEST_TIMEOUT: "1 second" },
        { apply: { retry: { maxRetries: 0 } } }
      )
      expect(run.code).toBe(3)
      expect(JSON.parse(run.stdout)).toMatchObject({ byStatus: { failed: 1 }, byCode: { Timeout: 1 } })
    } finally {
      await silent.close()
    }
  })
})

describe("waits are visible", () => {
  it("a 117 says that Microsoft rate-limited the run and how long it waits, then the run goes on", async () => {
    emulator.setFaults({ rateLimit: { calls: 1, windowMs: 1000 } })
    const run = await runInProcess(["apply", write(validCsv(2, 600)), "--batch-size", "1", "--concurrency", "1"], {
      ...env,
      UPLINK_RATE_LIMIT_WINDOW: "1 second"
    })
    expect(run.code).toBe(0)
    // The wait is what remains of the 1 s window after the call it admitted.
    expect(run.stderr).toMatch(/uplink: rate limited by Microsoft \(117\), waiting (\d+ ms|1 s)\n/)
    expect(emulator.state().accepted).toHaveLength(2)
  })

  it("--rate-limit-window sets the window; with --json nothing is printed and the summary counts the waits", async () => {
    emulator.setFaults({ rateLimit: { calls: 1, windowMs: 1000 } })
    const run = await runInProcess(
      [
        "apply",
        write(validCsv(2, 610)),
        "--batch-size",
        "1",
        "--concurrency",
        "1",
        "--rate-limit-window",
        "1s",
        "--json"
      ],
      { ...env, UPLINK_RATE_LIMIT_WINDOW: "5 minutes" }
    )
    // The flag wins over the variable: the run waited at most the rest of a 1 s window, not 5 minutes.
    expect(run.code).toBe(0)
    expect(run.stderr).toBe("")
    const { waits, delivery } = JSON.parse(run.stdout)
    expect(waits.rateLimited.count).toBe(1)
    expect(waits.rateLimited.seconds).toBeLessThanOrEqual(1.1)
    expect(delivery.windowSeconds).toBe(1)
  }, 15_000)

  it("a failure says which request failed and when it is retried, attempt by attempt", async () => {
    emulator.setFaults({ failFirst: 1 })
    const run = await runInProcess(["apply", write(validCsv(1, 620))], env)
    expect(run.code).toBe(0)
    expect(run.stderr).toMatch(/uplink: request for lines 2–2 failed \(0\), retrying in \d+ (ms|s) \(attempt 2 of 6\)/)
  })
})

describe("a results file that cannot be written mid-run", () => {
  it("stops like Ctrl-C: what was sent is summarised, the rest is not sent, exit 3", async () => {
    const run = await runInProcess(
      ["apply", write(validCsv(50, 700)), "--results", "/dev/full", "--batch-size", "1", "--concurrency", "1"],
      env
    )
    expect(run.code).toBe(3)
    expect(run.stdout).toContain("The results file could not be written: cannot write the results file /dev/full")
    expect(run.stdout).toContain("ENOSPC")
    const accepted = Number(/accepted\s+(\d+)/.exec(run.stdout)?.[1])
    const failed = Number(/failed\s+(\d+)/.exec(run.stdout)?.[1])
    expect(accepted).toBeGreaterThanOrEqual(1)
    expect(failed).toBeGreaterThanOrEqual(1)
    expect(accepted + failed).toBe(50)
    expect(run.stdout).toMatch(/NotSent\s+×\d+\s+not sent: the results file could not be written/)
    expect(emulator.state().accepted).toHaveLength(accepted)
  })
})

describe("credentials Microsoft refuses", () => {
  it("a wrong access token is named, exits 1, and stops the run after the first refusal", async () => {
    const run = await runInProcess(["apply", write(validCsv(3, 800)), "--batch-size", "1", "--concurrency", "1"], {
      ...env,
      MSADS_ACCESS_TOKEN: "not-the-token-12345"
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("uplink: Microsoft refused the credentials (105 InvalidCredentials)")
    expect(run.stderr).toContain("the access token in MSADS_ACCESS_TOKEN is not valid")
    expect(run.stdout + run.stderr).not.toContain("not-the-token-12345")
    expect(run.stdout).toMatch(/failed\s+3/)
    expect(emulator.state().requests).toBe(1)
  })
})

describe("Ctrl-C", () => {
  it("requests still in flight when the grace period ends are abandoned, and their lines named", async () => {
    const slow = await startEmulator({ demo: true, faults: { latencyMs: 60_000 } })
    try {
      const signals = new EventEmitter()
      const running = runInProcess(
        ["apply", write(validCsv(30, 30_000)), "--batch-size", "10", "--concurrency", "2", "--json"],
        emulatorEnv(slow, dir),
        { apply: { grace: "300 millis", signals } }
      )
      await waitFor("two requests in flight", () => slow.state().faultsInjected.latency >= 2)
      signals.emit("SIGINT")
      const run = await running
      expect(run.code).toBe(130)
      expect(run.stderr).toContain("waiting up to 300 ms for 2 requests in flight")
      expect(JSON.parse(run.stdout)).toMatchObject({
        interrupted: true,
        abandoned: "grace-expired",
        unknown: [
          { firstLine: 2, lastLine: 11 },
          { firstLine: 12, lastLine: 21 }
        ],
        total: 0
      })
      expect(signals.listenerCount("SIGINT")).toBe(0)
    } finally {
      await slow.stop()
    }
  })
})
