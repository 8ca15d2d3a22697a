/**
 * `@uplink/emulator/testing`, the helpers the other packages' tests share: click ids the emulator takes as clicks,
 * times at whole seconds, the environment that points a run at an emulator, an emulator on a free loopback port, and
 * waiting for a condition.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { isWellFormedClickId } from "../src/domain/Clicks.js"
import { defaultCredentials } from "../src/domain/Credentials.js"
import {
  clickId,
  csvLine,
  emulatorEnv,
  HOUR,
  isoAgo,
  NOW,
  randomClickId,
  startEmulator,
  tempDir,
  waitFor,
  writeInput
} from "../src/testing.js"

describe("clickId", () => {
  it("is well formed, the same for the same key and different for different keys, numbers and texts alike", () => {
    const keys = [0, 1, 255, Number.MAX_SAFE_INTEGER, "a", "b", "unknown-999"]
    const ids = keys.map((key) => clickId(key))
    for (const id of [...ids, randomClickId()]) expect(isWellFormedClickId(id), id).toBe(true)
    expect(new Set(ids).size).toBe(keys.length)
    expect(keys.map((key) => clickId(key))).toEqual(ids)
    expect(clickId(1)).toBe("00000000000000000000000000000001")
  })

  it("refuses a key that is not a whole number ≥ 0", () => {
    expect(() => clickId(-1)).toThrow("clickId: -1 is not a whole number ≥ 0")
    expect(() => clickId(1.5)).toThrow(RangeError)
  })
})

describe("times", () => {
  it("isoAgo is ISO 8601 UTC at whole seconds, before the given now", () => {
    expect(isoAgo(HOUR, NOW)).toBe("2026-03-16T11:00:00Z")
    expect(isoAgo(0, NOW + 999)).toBe("2026-03-16T12:00:00Z")
  })
})

describe("the emulator", () => {
  it("startEmulator listens on a free port of 127.0.0.1, and emulatorEnv points at it with its credentials", async () => {
    const emulator = await startEmulator({ demo: true })
    try {
      expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(emulator.port).toBeGreaterThan(0)
      expect((await fetch(`${emulator.url}/__emulator/state`)).status).toBe(200)
      expect(emulatorEnv(emulator, "/tmp/x")).toEqual({
        MSADS_ENDPOINT: emulator.url,
        MSADS_DEVELOPER_TOKEN: defaultCredentials.developerToken,
        MSADS_CUSTOMER_ID: defaultCredentials.customerId,
        MSADS_ACCOUNT_ID: defaultCredentials.accountId,
        MSADS_ACCESS_TOKEN: defaultCredentials.accessToken,
        XDG_CONFIG_HOME: "/tmp/x/config",
        UPLINK_TOKEN_FILE: "/tmp/x/config/uplink/tokens.json",
        UPLINK_LEDGER: "/tmp/x/state/ledger.db"
      })
    } finally {
      await emulator.stop()
    }
  })
})

describe("waitFor", () => {
  it("resolves with the probe's first answer once it has one", async () => {
    let calls = 0
    expect(await waitFor("the third call", () => (++calls >= 3 ? calls : undefined))).toBe(3)
  })

  it("rejects naming what it waited for once the deadline has passed", async () => {
    await expect(waitFor("something that never happens", () => false, 50)).rejects.toThrow(
      "timed out after 50 ms waiting for something that never happens"
    )
  })
})

describe("input files", () => {
  it("writes a file of CSV lines, quoting only what needs it, into a fresh folder", () => {
    const dir = tempDir()
    const path = writeInput(dir, "in.csv", `${csvLine(["a", "b"])}\n${csvLine(["1", 'say "hi", then go'])}\n`)
    expect(readFileSync(path, "utf8")).toBe('a,b\n1,"say ""hi"", then go"\n')
    expect(tempDir()).not.toBe(dir)
  })
})
