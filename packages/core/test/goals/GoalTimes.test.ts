import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import * as GoalTimes from "../../src/goals/GoalTimes.js"

/** A folder for the token file, so goals.json is `<folder>/goals.json`; the settings that point there. */
const setup = () => {
  const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "uplink-goal-times-"))
  const settings = ConfigProvider.fromMap(
    new Map([
      ["UPLINK_TOKEN_FILE", NodePath.join(dir, "tokens.json")],
      ["MSADS_ACCOUNT_ID", "2002"]
    ])
  )
  return { dir, file: NodePath.join(dir, "goals.json"), settings }
}

/** Writes the account's goal → creation time, and sets the file's modification time to `mtimeSeconds`. */
const writeTimes = (file: string, times: Record<string, string>, mtimeSeconds: number) => {
  NodeFs.writeFileSync(file, JSON.stringify({ "2002": times }))
  NodeFs.utimesSync(file, mtimeSeconds, mtimeSeconds)
}

const MTIME = 1_780_000_000

describe("the recorded goal times, read by a long-running process", () => {
  it.effect("are read again only when goals.json's modification time (or size) changes", () =>
    Effect.gen(function* () {
      const { dir, file, settings } = setup()
      yield* Effect.addFinalizer(() => Effect.sync(() => NodeFs.rmSync(dir, { recursive: true, force: true })))
      const recorded = yield* GoalTimes.makeRecordedReader
      const read = Effect.map(Effect.withConfigProvider(recorded, settings), (times) => [...times])

      // No file yet: no times; once written, they are read.
      expect(yield* read).toEqual([])
      writeTimes(file, { "Goal A": "2026-03-02T10:00:00.000Z" }, MTIME)
      expect(yield* read).toEqual([["Goal A", Date.parse("2026-03-02T10:00:00.000Z")]])

      // Rewritten with the same size and given back the same modification time: the file is not read again.
      writeTimes(file, { "Goal B": "2026-03-02T11:00:00.000Z" }, MTIME)
      expect(yield* read).toEqual([["Goal A", Date.parse("2026-03-02T10:00:00.000Z")]])

      // Its modification time changes: read again.
      NodeFs.utimesSync(file, MTIME + 1, MTIME + 1)
      expect(yield* read).toEqual([["Goal B", Date.parse("2026-03-02T11:00:00.000Z")]])

      // A goal added (as `uplink goals create` does): seen on the next read.
      yield* Effect.withConfigProvider(GoalTimes.record("Goal C", new Date("2026-03-02T12:00:00.000Z")), settings)
      expect(yield* read).toEqual([
        ["Goal B", Date.parse("2026-03-02T11:00:00.000Z")],
        ["Goal C", Date.parse("2026-03-02T12:00:00.000Z")]
      ])

      // Removed: no times.
      NodeFs.rmSync(file)
      expect(yield* read).toEqual([])
    }).pipe(Effect.scoped)
  )
})
