/**
 * The `uplink-emulator` bin (dist/bin.js) as a process of its own: it logs its URL, serves, stops cleanly on SIGTERM,
 * and refuses a bad option with exit code 1 and the usage text.
 */
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { spawnEmulator } from "../src/testing.js"

const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url))

describe("the uplink-emulator bin", () => {
  it("logs its URL, serves, and stops cleanly on SIGTERM", async () => {
    expect(existsSync(BIN), "build the package first: pnpm --filter @uplink/emulator build").toBe(true)
    const emulator = await spawnEmulator([BIN, "--port", "0", "--demo"], {
      ...process.env,
      UPLINK_EMULATOR_DEVELOPER_TOKEN: "BIN-TOKEN"
    })
    const state = (await fetch(`${emulator.url}/__emulator/state`).then((r) => r.json())) as { demo: boolean }
    expect(state.demo).toBe(true)
    emulator.child.kill("SIGTERM")
    expect(await emulator.exited).toBe(0)
    expect(emulator.output()).toContain("emulator stopping (SIGTERM)")
  })

  it("refuses a bad option with exit code 1 and the usage text", async () => {
    expect(existsSync(BIN)).toBe(true)
    const child = spawn(process.execPath, [BIN, "--port", "abc"], { stdio: ["ignore", "pipe", "pipe"] })
    let stderr = ""
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk)
    })
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve))
    expect(code).toBe(1)
    expect(stderr).toMatch(/--port: "abc" is not a TCP port/)
    expect(stderr).toMatch(/Usage: uplink-emulator/)
  })
})
