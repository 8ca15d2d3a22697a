/**
 * `uplink goals`, `report`, `auth` and `demo` in-process against a demo emulator. `uplink emulator` (a server that
 * stops on SIGTERM) is spawned in `bin.integration.test.ts`.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import type { RunningEmulator } from "@uplink/emulator"
import { clickId, emulatorEnv, startEmulator } from "@uplink/emulator/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { hoursAgo, runInProcess, scratch } from "./support.js"

let emulator: RunningEmulator
let dir: string
let env: Record<string, string>

beforeAll(async () => {
  emulator = await startEmulator({ demo: true })
  dir = scratch()
  env = emulatorEnv(emulator, dir)
})
afterAll(() => emulator.stop())

describe("uplink goals", () => {
  it("creates a goal, records its creation time, and lists it", async () => {
    const created = await runInProcess(
      [
        "goals",
        "create",
        "--name",
        "CLI Test Goal",
        "--conversion-window-days",
        "45",
        "--value",
        "12.5",
        "--currency",
        "USD"
      ],
      env
    )
    expect(created.stderr).toBe("")
    expect(created.code).toBe(0)
    expect(created.stdout).toMatch(/Created offline conversion goal "CLI Test Goal" \(id \d+\)/)
    const times = JSON.parse(readFileSync(join(dir, "config", "uplink", "goals.json"), "utf8"))
    expect(Object.keys(times[env.MSADS_ACCOUNT_ID!])).toContain("CLI Test Goal")
    const listed = await runInProcess(["goals", "list", "--transport", "soap"], env)
    expect(listed.code).toBe(0)
    expect(listed.stdout).toMatch(/CLI Test Goal\s+Active\s+All\s+64800\s+FixedValue 12\.5 USD\s+Account/)
    expect(listed.stdout).toContain("Offline Purchase")
    const json = JSON.parse((await runInProcess(["goals", "list", "--json"], env)).stdout)
    expect(json.map((g: { name: string }) => g.name)).toContain("CLI Test Goal")
  })

  it("--goal-check marks unknown goal names invalid 5606 and refuses records of the goal created just now (5615)", async () => {
    // Its own goal, created now (the warning needs the creation time `goals create` records).
    const created = await runInProcess(["goals", "create", "--name", "Goal Check Goal"], env)
    expect(created.code).toBe(0)
    const file = join(dir, "goalcheck.csv")
    writeFileSync(
      file,
      `Microsoft Click Id,Conversion Name,Conversion Time\n${clickId(1)},Offline Purchse,${hoursAgo(2)}\n${clickId(2)},Goal Check Goal,${hoursAgo(1)}\n`
    )
    const before = emulator.state().accepted.length
    const run = await runInProcess(["apply", file, "--goal-check", "--results", join(dir, "gc.csv")], env)
    expect(run.code).toBe(2)
    const results = readFileSync(join(dir, "gc.csv"), "utf8")
    expect(results).toMatch(/\n2,invalid,5606,OfflineConversionNameInvalid,/)
    expect(results).toMatch(
      /\n3,invalid,5615,OfflineConversionNotAcceptedForGoal,"Not sent: goal ""Goal Check Goal"" was created at .* takes its conversions from .*--hold/
    )
    expect(emulator.state().accepted.length).toBe(before)
  })
})

describe("uplink report", () => {
  it("prints daily success and failure counts of what the service received", async () => {
    const file = join(dir, "report.csv")
    writeFileSync(
      file,
      `Microsoft Click Id,Conversion Name,Conversion Time\n${clickId(9)},Offline Purchase,${hoursAgo(2)}\n${clickId(8)},No Such Goal,${hoursAgo(2)}\n`
    )
    // The days around the run, taken before and after it: the run may cross midnight (UTC).
    const first = new Date().toISOString().slice(0, 10)
    await runInProcess(["apply", file], env)
    const last = new Date().toISOString().slice(0, 10)
    const run = await runInProcess(["report", "--from", first, "--to", last, "--json"], env)
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout) as { days: ReadonlyArray<{ date: string; success: number; failure: number }> }
    expect(report.days.length).toBeGreaterThanOrEqual(1)
    for (const day of report.days) expect(day.date >= first && day.date <= last).toBe(true)
    expect(report.days.reduce((sum, day) => sum + day.success, 0)).toBeGreaterThanOrEqual(1)
    expect(report.days.reduce((sum, day) => sum + day.failure, 0)).toBeGreaterThanOrEqual(1)
    const table = await runInProcess(["report", "--from", first, "--to", last], env)
    expect(table.stdout).toMatch(new RegExp(`${report.days[0]!.date}\\s+\\d+\\s+\\d+`))
  })

  it("exits 1 with a clear message for a bad date", async () => {
    const run = await runInProcess(["report", "--from", "yesterday", "--to", "2026-01-01"], env)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("--from must be a date like 2026-11-01")
  })
})

describe("uplink auth", () => {
  it("logs in with the device code flow, stores the refresh token 0600, shows status without secrets, logs out", async () => {
    const authEnv: Record<string, string> = {
      ...env,
      MSADS_CLIENT_ID: "cli-test-client",
      MSADS_AUTHORITY: `${emulator.url}/common`
    }
    delete authEnv.MSADS_ACCESS_TOKEN
    const login = await runInProcess(["auth", "login"], authEnv)
    expect(login.stderr).toBe("")
    expect(login.code).toBe(0)
    expect(login.stdout).toMatch(/enter the code|code/i)
    const tokenFile = authEnv.UPLINK_TOKEN_FILE!
    expect(existsSync(tokenFile)).toBe(true)
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600)
    const stored = JSON.parse(readFileSync(tokenFile, "utf8"))
    const refreshToken: string = stored.tokens[0].refreshToken
    expect(stored.tokens[0]).toMatchObject({ clientId: "cli-test-client", environment: "production" })
    expect(login.stdout).not.toContain(refreshToken)

    const status = await runInProcess(["auth", "status"], authEnv)
    expect(status.code).toBe(0)
    expect(status.stdout).toMatch(/environment\s+production/)
    expect(status.stdout).toMatch(/refresh token stored in/)
    expect(status.stdout).not.toContain(refreshToken)
    expect(status.stdout).not.toContain(env.MSADS_DEVELOPER_TOKEN)

    // The stored token works: apply with no access token refreshes through the emulator's token endpoint.
    const file = join(dir, "oauth.csv")
    writeFileSync(
      file,
      `Microsoft Click Id,Conversion Name,Conversion Time\n${clickId(77)},Offline Purchase,${hoursAgo(2)}\n`
    )
    const applied = await runInProcess(["apply", file], authEnv)
    expect(applied.code).toBe(0)

    const logout = await runInProcess(["auth", "logout"], authEnv)
    expect(logout.code).toBe(0)
    expect(readFileSync(tokenFile, "utf8")).not.toContain(refreshToken)
  })

  it("login without a client id says which variable to set", async () => {
    const run = await runInProcess(["auth", "login"], env)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("MSADS_CLIENT_ID is not set")
  })
})

describe("uplink demo", () => {
  it("demo applies the sample file to an in-process emulator and prints the summary and the results file", async () => {
    const run = await runInProcess(["demo"], { HOME: dir })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/accepted\s+12/)
    expect(run.stdout).toMatch(/invalid\s+5/)
    expect(run.stdout).toMatch(/rejected\s+2/)
    const results = /Results: (\S+)/.exec(run.stdout)?.[1]
    expect(results).toBeDefined()
    expect(readFileSync(results!, "utf8").trimEnd().split("\n")).toHaveLength(21)
  })
})
