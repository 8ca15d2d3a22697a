import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Emulator, layer, start } from "../src/Server.js"

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
})
