import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Emulator, layer, start } from "../src/Server.js"

const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url))

describe("server", () => {
  it("start() on port 0 picks a free port, reports its URL, and stop() closes it", async () => {
    const emulator = await start({ port: 0 })
    expect(emulator.host).toBe("127.0.0.1")
    expect(emulator.port).toBeGreaterThan(0)
    expect(emulator.url).toBe(`http://127.0.0.1:${emulator.port}`)
    const state = await fetch(`${emulator.url}/__emulator/state`)
    expect(state.status).toBe(200)
    expect((await fetch(`${emulator.url}/nowhere`)).status).toBe(404)
    await emulator.stop()
    await emulator.stop()
    await expect(fetch(`${emulator.url}/__emulator/state`)).rejects.toThrow()
  })

  it("start() rejects with a readable error when the port is taken", async () => {
    const first = await start({ port: 0 })
    try {
      await expect(start({ port: first.port })).rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/)
    } finally {
      await first.stop()
    }
  })

  it.scoped("layer() runs the emulator for the scope of the layer and provides its handle", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator
      const answer = yield* Effect.promise(() => fetch(`${emulator.url}/__emulator/state`).then((r) => r.json()))
      expect(answer).toMatchObject({ requests: 0, demo: true })
      expect(emulator.state().goals.map((g) => g.name)).toContain("Offline Purchase")
    }).pipe(Effect.provide(layer({ port: 0, demo: true })))
  )

  it("the uplink-emulator bin logs its URL, serves, and stops cleanly on SIGTERM", async () => {
    expect(existsSync(BIN), "build the package first: npx tsc -p tsconfig.build.json").toBe(true)
    const child = spawn(process.execPath, [BIN, "--port", "0", "--demo"], {
      env: { ...process.env, UPLINK_EMULATOR_DEVELOPER_TOKEN: "BIN-TOKEN" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    child.stderr.on("data", (chunk) => {
      output += String(chunk)
    })
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk) => {
        output += String(chunk)
        const match = /emulator listening on (http:\/\/\S+)/.exec(output)
        if (match) resolve(match[1]!)
      })
      child.on("exit", (code) => reject(new Error(`bin exited with ${code}: ${output}`)))
    })
    const state = (await fetch(`${url}/__emulator/state`).then((r) => r.json())) as { demo: boolean }
    expect(state.demo).toBe(true)
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve))
    child.kill("SIGTERM")
    expect(await exited).toBe(0)
    expect(output).toContain("emulator stopping (SIGTERM)")
  })

  it("the bin refuses a bad option with exit code 1 and the usage text", async () => {
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
