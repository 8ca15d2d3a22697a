/**
 * `uplink apply` and `uplink adjust` in-process against a demo emulator: what is sent, the summary, the results file,
 * the exit codes, standard input, dry runs, refused credentials and settings, and retries. The bin's own smoke tests
 * (a dry run, standard input, signals) are in `bin.integration.test.ts`.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import type { RunningEmulator } from "@uplink/emulator"
import { clickId, emulatorEnv, startEmulator, writeInput } from "@uplink/emulator/testing"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type CliRun, HEADER, hoursAgo, runInProcess, scratch } from "./support.js"

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

const write = (name: string, text: string) => writeInput(dir, name, text)

/** Three valid rows (lines 2–4), one invalid row (line 5: no click id), one duplicate of line 2 (line 6). */
const mixedCsv = () =>
  [
    HEADER,
    `${clickId(1)},Offline Purchase,${hoursAgo(3)},10.5,USD`,
    `${clickId(2)},"Offline Purchase",${hoursAgo(4)},20,EUR`,
    `${clickId(3)},Offline Lead,${hoursAgo(5)},,`,
    `,Offline Purchase,${hoursAgo(5)},1,USD`,
    `${clickId(1)},Offline Purchase,${hoursAgo(3)},10.5,USD`
  ].join("\n")

const noStackTrace = (run: CliRun) => {
  expect(run.stderr).not.toMatch(/\n\s+at /)
  expect(run.stdout).not.toMatch(/\n\s+at /)
}

describe.each(["rest", "soap"] as const)("uplink apply over %s", (transport) => {
  it("sends the valid records, reports the rest, writes the results file and exits 2", async () => {
    const file = write(`mixed-${transport}.csv`, mixedCsv())
    const results = join(dir, `results-${transport}.csv`)
    const run = await runInProcess(["apply", file, "--transport", transport, "--results", results], env)
    noStackTrace(run)
    expect(run.code).toBe(2)
    expect(run.stdout).toMatch(/accepted\s+3/)
    expect(run.stdout).toMatch(/invalid\s+1/)
    expect(run.stdout).toMatch(/duplicate\s+1/)
    expect(run.stdout).toContain("5603")
    const state = emulator.state()
    expect(state.accepted.map((a) => a.transport)).toEqual([transport, transport, transport])
    expect(state.accepted.map((a) => a.MicrosoftClickId).sort()).toEqual([clickId(1), clickId(2), clickId(3)])
    const lines = readFileSync(results, "utf8").trimEnd().split("\n")
    expect(lines[0]).toBe("line,status,code,error_code,message,microsoft_click_id,conversion_name,conversion_time")
    const byLine = new Map(lines.slice(1).map((row) => [Number(row.split(",")[0]), row]))
    expect([...byLine.keys()].sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6])
    expect(byLine.get(2)).toMatch(new RegExp(`^2,accepted,,,,${clickId(1)},Offline Purchase,`))
    expect(byLine.get(4)).toMatch(new RegExp(`^4,accepted,,,,${clickId(3)},Offline Lead,`))
    expect(byLine.get(5)).toMatch(/^5,invalid,5603,OfflineConversionMicrosoftClickIdNullOrEmpty,/)
    expect(byLine.get(6)).toMatch(/^6,duplicate,,,duplicate of line 2,/)
  })
})

describe("uplink apply", () => {
  it("exits 0 when every record is accepted, and prints a JSON summary with --json", async () => {
    const file = write(
      "valid.jsonl",
      [1, 2]
        .map((n) =>
          JSON.stringify({
            MicrosoftClickId: clickId(10 + n),
            ConversionName: "Offline Purchase",
            ConversionTime: hoursAgo(3)
          })
        )
        .join("\n")
    )
    const run = await runInProcess(["apply", file, "--json"], env)
    expect(run.code).toBe(0)
    const summary = JSON.parse(run.stdout)
    expect(summary).toMatchObject({ command: "apply", total: 2, byStatus: { accepted: 2, failed: 0 }, exitCode: 0 })
    expect(run.stderr).toBe("")
  })

  it("reads standard input with -", async () => {
    const run = await runInProcess(["apply", "-", "--format", "csv"], env, {
      input: `${HEADER}\n${clickId(30)},Offline Purchase,${hoursAgo(2)},5,USD\n`
    })
    expect(run.code).toBe(0)
    expect(emulator.state().accepted.map((a) => a.MicrosoftClickId)).toEqual([clickId(30)])
  })

  it("--dry-run validates and hashes without any request", async () => {
    const file = write(
      "dry.csv",
      `${HEADER},Email\n${clickId(40)},Offline Purchase,${hoursAgo(2)},5,USD, Someone@Example.com \n`
    )
    const results = join(dir, "dry-results.csv")
    // Pointed at the emulator, which counts every request (API and OAuth): a dry run must make none.
    const before = emulator.state()
    const run = await runInProcess(["apply", file, "--dry-run", "--results", results], env)
    expect(run.code).toBe(0)
    const after = emulator.state()
    expect(after.requests).toBe(before.requests)
    expect(after.tokenRequests.length).toBe(before.tokenRequests.length)
    const rows = readFileSync(results, "utf8").trimEnd().split("\n")
    expect(rows[1]).toMatch(new RegExp(`^2,ready,,,,${clickId(40)},Offline Purchase,`))
    expect(readFileSync(results, "utf8")).not.toContain("someone@example.com")
    expect(run.stdout).not.toContain("omeone@")
  })

  it("--dry-run exits 2 when a record is invalid", async () => {
    const file = write("dry-bad.csv", `${HEADER}\n${clickId(41)},Offline Purchase,not a time,5,USD\n`)
    const run = await runInProcess(["apply", file, "--dry-run"], env)
    expect(run.code).toBe(2)
    expect(run.stdout).toContain("5607")
  })

  it("reports an unknown column once, as a warning, and still sends", async () => {
    const file = write(
      "unknown.csv",
      `${HEADER},Salesperson\n${clickId(50)},Offline Purchase,${hoursAgo(2)},5,USD,Ann\n${clickId(51)},Offline Purchase,${hoursAgo(2)},5,USD,Bob\n`
    )
    const run = await runInProcess(["apply", file], env)
    expect(run.code).toBe(0)
    expect(run.stderr.match(/unknown column/g)).toHaveLength(1)
    expect(run.stderr).toContain('"Salesperson"')
  })

  it("exits 1 naming the credentials when the developer token is refused (105), without a stack trace or the token", async () => {
    const file = write("t105.csv", `${HEADER}\n${clickId(60)},Offline Purchase,${hoursAgo(2)},5,USD\n`)
    const run = await runInProcess(["apply", file], { ...env, MSADS_DEVELOPER_TOKEN: "WRONG-TOKEN-123" })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/failed\s+1/)
    expect(run.stdout).toContain("105")
    expect(run.stderr).toMatch(
      /the developer token \(MSADS_DEVELOPER_TOKEN\) is not valid for the production environment/
    )
    expect(run.stdout + run.stderr).not.toContain("WRONG-TOKEN-123")
    expect(run.stdout + run.stderr).not.toContain(env.MSADS_ACCESS_TOKEN)
    noStackTrace(run)
  })

  it("exits 1 naming the ids when the account is not accessible (106)", async () => {
    const file = write("t106.csv", `${HEADER}\n${clickId(61)},Offline Purchase,${hoursAgo(2)},5,USD\n`)
    const run = await runInProcess(["apply", file], { ...env, MSADS_ACCOUNT_ID: "999999" })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain("106")
    expect(run.stdout).toMatch(/no access to MSADS_ACCOUNT_ID/)
    expect(run.stderr).toMatch(/cannot manage account 999999 of customer 1000001/)
  })

  it("exits 1 naming the variable when MSADS_DEVELOPER_TOKEN is missing", async () => {
    const file = write("nodev.csv", `${HEADER}\n${clickId(62)},Offline Purchase,${hoursAgo(2)},5,USD\n`)
    const { MSADS_DEVELOPER_TOKEN: _, ...rest } = env
    const run = await runInProcess(["apply", file], rest)
    expect(run.code).toBe(1)
    expect(run.stderr.trim().split("\n").length).toBeLessThanOrEqual(2)
    expect(run.stderr).toContain("MSADS_DEVELOPER_TOKEN is not set")
    noStackTrace(run)
    expect(emulator.state().requests).toBe(0)
  })

  it("exits 1 with a clear message for a file that cannot be read", async () => {
    const run = await runInProcess(["apply", join(dir, "missing.csv")], env)
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/cannot read .*missing\.csv/)
    noStackTrace(run)
  })

  it("exits 1 for an unknown flag, with usage from the parser", async () => {
    const run = await runInProcess(["apply", "x.csv", "--no-such-flag"], env)
    expect(run.code).toBe(1)
    expect(run.stdout + run.stderr).toMatch(/no-such-flag/)
  })

  it("retries transient failures (code 0) and still delivers everything", async () => {
    emulator.setFaults({ failFirst: 2 })
    const file = write("flaky.csv", `${HEADER}\n${clickId(70)},Offline Purchase,${hoursAgo(2)},5,USD\n`)
    // Waits of 10 ms instead of the default backoff (1 s, 2 s): what is checked is that the run retries and delivers.
    const run = await runInProcess(["apply", file, "--transport", "soap"], env, {
      apply: { retry: { base: "10 millis" } }
    })
    expect(run.code).toBe(0)
    expect(emulator.state().accepted).toHaveLength(1)
    expect(emulator.state().requests).toBeGreaterThanOrEqual(3)
  })
})

describe("uplink adjust", () => {
  it("restates and retracts accepted conversions", async () => {
    const time = hoursAgo(6)
    const conversions = write(
      "to-adjust.csv",
      `${HEADER}\n${clickId(80)},Offline Purchase,${time},50,USD\n${clickId(81)},Offline Purchase,${time},60,USD\n`
    )
    expect((await runInProcess(["apply", conversions], env)).code).toBe(0)
    const adjustments = write(
      "adjust.csv",
      [
        "Microsoft Click Id,Conversion Name,Conversion Time,Adjustment Type,Adjustment Time,Adjustment Value,Adjustment Currency Code",
        `${clickId(80)},Offline Purchase,${time},Restate,${hoursAgo(1)},75,USD`,
        `${clickId(81)},Offline Purchase,${time},Retract,${hoursAgo(1)},,`
      ].join("\n")
    )
    const run = await runInProcess(["adjust", adjustments, "--transport", "soap"], env)
    expect(run.stdout).toMatch(/accepted\s+2/)
    expect(run.code).toBe(0)
    expect(emulator.state().adjustments).toHaveLength(2)
  })
})
