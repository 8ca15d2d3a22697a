/**
 * Released migrations are frozen. A database out there was migrated by a released migration and will never run it
 * again, so a released migration's SQL must never change — not by an edit, and not because code it was built from
 * (such as @uplink/core's `Ledger.schema`) changed. A released migration is never edited: add a new one instead (a new
 * entry at the end of PgMigrations' `migrations`, or a new SQLite version with its own step in `sqliteMigrations`),
 * and add its fingerprint below once it is released.
 *
 * Here core's `Ledger.schema` answers a different table than when the migrations were released, as it would after a
 * change in core: the migrations must not notice.
 */
import * as NodeCrypto from "node:crypto"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { vi } from "vitest"
import { temporaryDatabase } from "./support/files.js"

const CHANGED_SCHEMA = ["CREATE TABLE IF NOT EXISTS core_changed_since (x INTEGER)"]

let migrations: typeof import("../src/PgMigrations.js").migrations
let migrateFile: typeof import("../src/SqliteOutbox.js").migrateFile
let sqliteMigrations: typeof import("../src/SqliteOutbox.js").sqliteMigrations

// The unit gate shares a worker's loaded modules between test files, so the migrations are imported afresh under the
// changed core here, and forgotten afterwards (no other file may get the changed core, nor this one an unchanged one).
beforeAll(async () => {
  vi.resetModules()
  vi.doMock("@uplink/core/reconciliation", async (importOriginal) => {
    const core = await importOriginal<typeof import("@uplink/core/reconciliation")>()
    return { ...core, Ledger: { ...core.Ledger, schema: () => CHANGED_SCHEMA } }
  })
  const core = await import("@uplink/core/reconciliation")
  expect(core.Ledger.schema("sqlite")).toEqual(CHANGED_SCHEMA)
  ;({ migrations } = await import("../src/PgMigrations.js"))
  ;({ migrateFile, sqliteMigrations } = await import("../src/SqliteOutbox.js"))
})
afterAll(() => {
  vi.doUnmock("@uplink/core/reconciliation")
  vi.resetModules()
})

/** The SHA-256 of a migration's statements, in order. */
const fingerprint = (statements: ReadonlyArray<string>): string =>
  NodeCrypto.createHash("sha256").update(JSON.stringify(statements)).digest("hex")

/** PostgreSQL: the fingerprint of each released migration, by version. Never change one; add the next. */
const RELEASED_POSTGRES: Readonly<Record<number, string>> = {
  1: "a3085aa5dd0bf602b5f7e3e56a690b821ee9020456e4109550b2a1b883878b04",
  2: "31282c67b31ca16d1433ad8428f4b50a6cf7ff49179e0d988b82eae62948aeb9"
}

/** SQLite (schema version 4): the fingerprint of each released step. Never change one; add the next. */
const RELEASED_SQLITE: Readonly<Record<string, string>> = {
  create: "ecc1e10b17d049a1c6a2d55ade34a0561658130b97da0524722fa2fabbf9bbaa",
  version2: "53a4bea2b195ec269b7b8dcf48be8ca7b4fdd5e74177bbc2c756883f03d23b48",
  version3: "bf1983d1c12d23f1c46374890264765245f640b5dfe16e06db91168d45956b10",
  version4Records: "29eeca11d48b7c165e4c47ce663788596070e4d0df5f1965da04aa139db98067",
  version4: "d54ff5e9333cf9047471e1c945c87f70521941e483a991c82ba9d4f06aa56584"
}

describe("released migrations", () => {
  it("keep the SQL text every released PostgreSQL migration was released with", () => {
    const released = migrations.filter((migration) => String(migration.version) in RELEASED_POSTGRES)
    expect(released.map((migration) => migration.version)).toEqual(Object.keys(RELEASED_POSTGRES).map(Number))
    expect(
      Object.fromEntries(released.map((migration) => [migration.version, fingerprint(migration.statements)]))
    ).toEqual(RELEASED_POSTGRES)
  })

  it("keep the SQL text every released SQLite schema step was released with", () => {
    const steps: Readonly<Record<string, ReadonlyArray<string>>> = sqliteMigrations
    const released = Object.keys(RELEASED_SQLITE).map((step) => [step, fingerprint(steps[step] ?? [])] as const)
    expect(Object.fromEntries(released)).toEqual(RELEASED_SQLITE)
  })

  it.effect("give a new SQLite outbox file the ledger table version 4 was released with", () =>
    Effect.gen(function* () {
      const databasePath = temporaryDatabase()
      yield* migrateFile(databasePath)
      const tables = yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        return yield* sql<{ name: string; sql: string }>`SELECT name, sql FROM sqlite_master WHERE type = 'table'`
      }).pipe(Effect.provide(SqliteClient.layer({ filename: databasePath })), Effect.scoped)
      expect(tables.map((table) => table.name).sort()).toEqual([
        "goal_readiness",
        "probe",
        "records",
        "sqlite_sequence",
        "uplink_ledger"
      ])
      // SQLite keeps the statement's text (without IF NOT EXISTS).
      expect(tables.find((table) => table.name === "uplink_ledger")?.sql).toBe(
        sqliteMigrations.version4[2].replace("CREATE TABLE IF NOT EXISTS", "CREATE TABLE")
      )
    })
  )
})
