/**
 * The built server on PostgreSQL, as child processes: three instances starting together on an empty database meet at
 * the migration's advisory lock (held by the test until all three wait for it), then all come up, the schema made once; `uplink-server migrate` migrates and exits, and a schema newer
 * than the binary stops both `migrate` and the server with a clear message; a bad `sslmode`, an unreachable server
 * or a wrong password stop the start with the reason — and the database password never appears in any output.
 */
import { describe, expect, it } from "@effect/vitest"
import { waitFor } from "@uplink/emulator/testing"
import Pg from "pg"
import { migrationLockKey, migrations } from "../src/PgMigrations.js"
import { freshDatabase } from "./support/postgres.js"
import { adminQuery } from "./support/postgresAdmin.js"
import { runBin, type ServerProcess, spawnServer } from "./support/ServerProcess.js"

/** The schema version this uplink-server brings a database to, and every version it applies on the way. */
const current = migrations[migrations.length - 1]!.version
const applied = migrations.map((migration) => ({ version: migration.version }))

const token = "pg-instances-token"

/** The log line `message` of a bin's output, parsed. */
const logLine = (output: string, message: string) =>
  output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { message: string; annotations: Record<string, string> })
    .find((line) => line.message === message)

const startFailure = (env: Record<string, string>) =>
  spawnServer(env).then(
    (server) => {
      server.kill("SIGKILL")
      return new Error("the server started")
    },
    (error: Error) => error
  )

describe("uplink-server on PostgreSQL", () => {
  it("two instances starting at the same moment on an empty database both come up; migrate then has nothing to do", {
    timeout: 120_000
  }, async () => {
    const database = await freshDatabase("race")
    const env = { UPLINK_SERVER_TOKEN: token, UPLINK_DB: database.url }
    const started: Array<ServerProcess> = []
    // Hold the migration lock so that the three start-ups meet at it, then let them all go at once.
    const holder = new Pg.Client({ connectionString: database.url })
    await holder.connect()
    await holder.query(`SELECT pg_advisory_lock(${migrationLockKey})`)
    try {
      const starting = Promise.all([spawnServer(env), spawnServer(env), spawnServer(env)])
      starting.then((servers) => started.push(...servers)).catch(() => {})
      await waitFor(
        "the three instances to wait for the migration lock",
        async () => {
          const [row] = await adminQuery(
            database.url,
            "SELECT COUNT(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
          )
          return row!.n === 3 ? true : undefined
        },
        60_000
      )
      await holder.query(`SELECT pg_advisory_unlock(${migrationLockKey})`)
      const servers = await starting
      for (const server of servers) {
        const ready = await fetch(`${server.url}/readyz`)
        const body = (await ready.json()) as { checks: { outbox: { ok: boolean } } }
        expect(body.checks.outbox.ok).toBe(true)
      }
      expect(await adminQuery(database.url, "SELECT version FROM uplink_schema_migrations ORDER BY version")).toEqual(
        applied
      )
      const migrate = await runBin(env, ["migrate"])
      expect(migrate.code).toBe(0)
      expect(logLine(migrate.output, "uplink-server migrate: done")?.annotations.database).toMatch(
        new RegExp(`^PostgreSQL postgres://.*:\\*\\*\\*@.*: schema version ${current}, already current$`)
      )
      for (const server of servers) expect(server.output().join("\n")).not.toContain(database.password)
      expect(migrate.output).not.toContain(database.password)
    } finally {
      await holder.end()
      for (const server of started) server.kill("SIGKILL")
      await Promise.all(started.map((server) => server.exited))
    }
  })

  it("migrate brings an empty database to the current schema; a newer schema stops migrate and the server", {
    timeout: 120_000
  }, async () => {
    const database = await freshDatabase("migrate")
    const env = { UPLINK_SERVER_TOKEN: token, UPLINK_DB: database.url }
    const migrate = await runBin(env, ["migrate"])
    expect(migrate.code).toBe(0)
    expect(logLine(migrate.output, "uplink-server migrate: done")?.annotations.database).toMatch(
      new RegExp(`schema version 0 migrated to ${current}$`)
    )
    expect(await adminQuery(database.url, "SELECT COUNT(*)::int AS n FROM uplink_records")).toEqual([{ n: 0 }])

    await adminQuery(database.url, "INSERT INTO uplink_schema_migrations (version, description) VALUES (7, 'future')")
    const refused = await runBin(env, ["migrate"])
    expect(refused.code).toBe(1)
    expect(logLine(refused.output, "uplink-server migrate failed")?.annotations.error).toBe(
      "the outbox cannot be used: the database's outbox has schema version 7, newer than this uplink-server knows " +
        `(${current}): upgrade uplink-server to the version that migrated it, or point UPLINK_DB at another database`
    )
    const start = await startFailure(env)
    expect(start.message).toContain("the server exited early (code 1")
    expect(start.message).toContain(`schema version 7, newer than this uplink-server knows (${current})`)
    expect(start.message).not.toMatch(/^\s+at /m)
  })

  it("stops the start with the reason for a wrong password, an unreachable server or an sslmode it cannot honour, never showing the password", {
    timeout: 120_000
  }, async () => {
    const database = await freshDatabase("refused")
    const wrongPassword = new URL(database.url)
    wrongPassword.password = `${database.password}-wrong`
    const outputs: Array<string> = []
    const reasonOf = async (url: string) => {
      const failure = await startFailure({ UPLINK_SERVER_TOKEN: token, UPLINK_DB: url })
      outputs.push(failure.message)
      expect(failure.message).toContain("the server exited early (code 1")
      return logLine(failure.message.split("\n").slice(1).join("\n"), "uplink-server cannot start")?.annotations.error
    }
    expect(await reasonOf(wrongPassword.toString())).toBe(
      `the outbox cannot be opened: password authentication failed for user "${database.role}" (28P01)`
    )
    const unreachable = new URL(database.url)
    unreachable.port = "1"
    expect(await reasonOf(unreachable.toString())).toMatch(
      /^the outbox cannot be opened: connect ECONNREFUSED 127\.0\.0\.1:1/
    )
    expect(await reasonOf(`${database.url}?sslmode=require`)).toBe(
      "the outbox cannot be opened: The server does not support SSL connections"
    )
    expect(await reasonOf(`${database.url}?sslmode=sometimes`)).toBe(
      'UPLINK_DB: sslmode must be one of disable, require, verify-ca, verify-full, got "sometimes"'
    )
    const plain = await spawnServer({ UPLINK_SERVER_TOKEN: token, UPLINK_DB: `${database.url}?sslmode=disable` })
    plain.kill("SIGKILL")
    await plain.exited
    for (const output of [...outputs, plain.output().join("\n")]) {
      expect(output).not.toContain(database.password)
      expect(output).not.toContain(encodeURIComponent(database.password))
    }
  })
})
