import { describe, expect, it } from "@effect/vitest"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { EmulatorConfigError, makeEmulatedService, parseCommandLine } from "../src/Options.js"

describe("command line and environment", () => {
  it("reads flags and UPLINK_EMULATOR_* variables; flags win", () => {
    const env = {
      UPLINK_EMULATOR_PORT: "9000",
      UPLINK_EMULATOR_HOST: "0.0.0.0",
      UPLINK_EMULATOR_DEMO: "1",
      UPLINK_EMULATOR_DEVELOPER_TOKEN: "ENVTOKEN",
      UPLINK_EMULATOR_ACCOUNT_ID: "777",
      UPLINK_EMULATOR_ROTATE_REFRESH_TOKENS: "true",
      UPLINK_EMULATOR_FAULTS: '{"failEvery": 3}'
    }
    const parsed = parseCommandLine(["--port", "0", "--developer-token", "FLAGTOKEN", "--seed", "seed.json"], env)
    expect(parsed).toEqual({
      _tag: "Run",
      options: {
        port: 0,
        host: "0.0.0.0",
        demo: true,
        seed: "seed.json",
        faults: { failEvery: 3 },
        credentials: { developerToken: "FLAGTOKEN", accountId: "777" },
        oauth: { rotateRefreshTokens: true }
      }
    })
  })

  it("has defaults when nothing is given, and a help flag", () => {
    expect(parseCommandLine([], {})).toEqual({
      _tag: "Run",
      options: {
        port: undefined,
        host: undefined,
        demo: false,
        seed: undefined,
        faults: undefined,
        credentials: {},
        oauth: {}
      }
    })
    expect(parseCommandLine(["--help"], {})).toEqual({ _tag: "Help" })
  })

  it("refuses unknown flags, bad ports and a fault plan that is not JSON", () => {
    expect(() => parseCommandLine(["--prot", "1"], {})).toThrow(EmulatorConfigError)
    expect(() => parseCommandLine(["--port", "http"], {})).toThrow(/not a TCP port/)
    expect(() => parseCommandLine([], { UPLINK_EMULATOR_PORT: "70000" })).toThrow(/UPLINK_EMULATOR_PORT/)
    expect(() => parseCommandLine(["--faults", "{"], {})).toThrow(/not JSON/)
  })
})

describe("building the service from options", () => {
  it("loads a seed file with clicks and goals", () => {
    const dir = mkdtempSync(join(tmpdir(), "uplink-emulator-"))
    const file = join(dir, "seed.json")
    writeFileSync(
      file,
      JSON.stringify({
        clicks: { abc: "2026-07-31T10:00:00Z" },
        goals: [{ name: "Seeded", createdAt: "2026-07-01T00:00:00Z", countType: "Unique", scope: "Customer" }]
      })
    )
    const service = makeEmulatedService({ seed: file })
    expect(service.clicks.clickTime("abc", 0)).toBe(Date.parse("2026-07-31T10:00:00Z"))
    expect(service.goals.byName("Seeded")).toMatchObject({ countType: "Unique", scope: "Customer" })
  })

  it("names the problem of a bad seed file or fault plan", () => {
    expect(() => makeEmulatedService({ seed: "/nonexistent/seed.json" })).toThrow(/seed file \/nonexistent/)
    expect(() => makeEmulatedService({ seed: { goals: [{ name: "x", countType: "Some" }] } as never })).toThrow(
      /countType/
    )
    expect(() => makeEmulatedService({ faults: { failEvery: -1 } })).toThrow(EmulatorConfigError)
  })

  it("demo mode seeds its goals three hours old and accepts any 32-hex click", () => {
    const now = Date.parse("2026-08-01T12:00:00Z")
    const service = makeEmulatedService({ demo: true, clock: () => new Date(now) })
    expect(service.goals.byName("Offline Purchase")?.createdAt).toBe(now - 3 * 3600_000)
    expect(service.clicks.clickTime("0123456789abcdef0123456789ABCDEF", now)).toBe(now - 60_000)
  })

  it("accepts credential overrides", () => {
    const service = makeEmulatedService({ credentials: { developerToken: "OTHER" } })
    expect(service.settings.credentials).toMatchObject({ developerToken: "OTHER", customerId: "1000001" })
  })
})
