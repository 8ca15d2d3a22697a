/**
 * Hostile conditions that need the built server as a process of its own (issue 16): an outbox on a real file-size
 * limit (`ulimit -f`, which only a child process can be put under) and start-up settings the bin refuses before it
 * listens (its one log line and exit code 1). The in-process cases are in `Hostile.test.ts`.
 */
import * as NodeCrypto from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { temporaryDirectory } from "./support/files.js"
import { testToken } from "./support/InProcessServer.js"
import { conversion } from "./support/records.js"
import { spawnServer } from "./support/ServerProcess.js"

describe("an outbox on a real file-size limit", () => {
  it("answers 503 with SQLite's reason at COMMIT, fails /readyz, logs once, and keeps every acknowledged record", async () => {
    // `ulimit -f` (RLIMIT_FSIZE) caps every file the server writes, as a full disk does, without root or a mount.
    // The WAL then cannot grow at COMMIT, where SQLite fails the transaction and rolls it back by itself: before, the
    // server answered an empty 500 and /readyz said the outbox was writable.
    const databasePath = NodePath.join(temporaryDirectory(), "outbox.db")
    const server = await spawnServer(
      { UPLINK_SERVER_TOKEN: testToken, UPLINK_DB: databasePath, UPLINK_FLUSH_MS: "3600000" },
      [],
      { fileSizeLimitBlocks: 400 }
    )
    try {
      const post = (records: ReadonlyArray<Record<string, unknown>>) =>
        fetch(`${server.url}/v1/conversions`, {
          method: "POST",
          headers: { authorization: `Bearer ${testToken}`, "content-type": "application/json" },
          body: JSON.stringify({ records })
        })
      const acknowledged: Array<string> = []
      let refused: { readonly response: Response; readonly records: ReadonlyArray<Record<string, unknown>> } | undefined
      for (let round = 0; round < 200 && refused === undefined; round++) {
        const records = Array.from({ length: 50 }, (_, index) =>
          conversion(`limit-${round}-${index}`, { id: `limit-${round}-${index}` })
        )
        const response = await post(records)
        if (response.status === 202) acknowledged.push(...records.map((record) => String(record.id)))
        else refused = { response, records }
      }
      expect(acknowledged.length).toBeGreaterThan(0)
      expect(refused?.response.status).toBe(503)
      const answer = (await refused!.response.json()) as { error: string; message: string }
      expect(answer.error).toBe("outbox_unavailable")
      // What SQLite says depends on how the write failed: a short write is "full", a refused one an I/O error.
      const reason = /database or disk is full \(SQLITE_FULL\)|disk I\/O error \(SQLITE_IOERR_WRITE\)/
      expect(answer.message).toMatch(reason)
      // The same records again do not fit either (a smaller request may: the outbox is then writable again).
      expect((await post(refused!.records)).status).toBe(503)
      const readiness = await fetch(`${server.url}/readyz`)
      expect(readiness.status).toBe(503)
      const checks = ((await readiness.json()) as { checks: { outbox: { ok: boolean; detail: string } } }).checks
      expect(checks.outbox.ok).toBe(false)
      expect(checks.outbox.detail).toMatch(reason)
      const failures = server.output().filter((line) => line.includes('"outbox write failed'))
      expect(failures.length).toBe(1)

      server.kill("SIGTERM")
      expect((await server.exited).code).toBe(0)
      // Read without the limit: every acknowledged record is in the outbox (in the file or its WAL).
      const stored = await Effect.runPromise(
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          return yield* sql<{ id: string }>`SELECT id FROM records`
        }).pipe(Effect.provide(SqliteClient.layer({ filename: databasePath })), Effect.scoped)
      )
      expect(new Set(stored.map((row) => row.id))).toEqual(new Set(acknowledged))
    } finally {
      server.kill("SIGKILL")
    }
  })
})

describe("start-up settings of the bin", () => {
  it("the bin says which settings are wrong in one log line, exits 1 and prints no stack trace", async () => {
    const dir = temporaryDirectory()
    const base = { UPLINK_SERVER_TOKEN: testToken, UPLINK_DB: NodePath.join(dir, "outbox.db") }
    const failure = await spawnServer({ ...base, UPLINK_MAX_BODY_BYTES: "-5", UPLINK_TIMEZONE: "Mars/Base" }).then(
      () => new Error("the server started"),
      (error: Error) => error
    )
    expect(failure.message).toContain("the server exited early (code 1")
    const lines = failure.message
      .split("\n")
      .slice(1)
      .filter((line) => line.trim() !== "")
    const cannotStart = lines.map((line) => JSON.parse(line) as { message: string; annotations: { error?: string } })
    expect(cannotStart.find((line) => line.message === "uplink-server cannot start")?.annotations.error).toBe(
      'UPLINK_MAX_BODY_BYTES must be a whole number from 1,024 to 268,435,456 (bytes), got "-5"; ' +
        'UPLINK_TIMEZONE: unknown time zone "Mars/Base" (use an IANA name such as Europe/Paris)'
    )
    expect(failure.message).not.toMatch(/^\s+at /m)

    // An outbox file that is not a database: SQLite's reason, named as the outbox's.
    NodeFs.writeFileSync(base.UPLINK_DB, NodeCrypto.randomBytes(8192))
    const notDatabase = await spawnServer(base).then(
      () => new Error("the server started"),
      (error: Error) => error
    )
    expect(notDatabase.message).toContain("the server exited early (code 1")
    expect(notDatabase.message).toContain("the outbox cannot be opened: file is not a database (SQLITE_NOTADB)")
  })
})
