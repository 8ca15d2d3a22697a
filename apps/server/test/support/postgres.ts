/**
 * A fresh PostgreSQL database per test file or suite on the run's server (`postgresGlobalSetup.ts`): a new role with
 * a password (not a superuser, as an application connects) owning a new database. `UPLINK_DB` for it has the
 * password in it, as in production. The admin helpers run as the server's superuser: make the database read-only
 * or writable again (dropping every connection to it, as a failover would), or cut its connections.
 */
import * as NodeCrypto from "node:crypto"
import { inject } from "vitest"
import { adminQuery } from "./postgresAdmin.js"

export interface TestDatabase {
  /** `postgres://<role>:<password>@host:port/<database>` */
  readonly url: string
  readonly name: string
  readonly role: string
  readonly password: string
}

/** The run's admin URL. */
export const adminUrl = (): string => inject("postgresAdminUrl")

/** A new role and a new database it owns. */
export const freshDatabase = async (label: string): Promise<TestDatabase> => {
  const suffix = NodeCrypto.randomBytes(4).toString("hex")
  const name = `${inject("postgresRunPrefix")}_${label.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}_${suffix}`
  const password = `Secret-${NodeCrypto.randomBytes(9).toString("base64url")}`
  await adminQuery(
    adminUrl(),
    `CREATE ROLE "${name}" LOGIN PASSWORD '${password}'`,
    `CREATE DATABASE "${name}" OWNER "${name}"`
  )
  const url = new URL(adminUrl())
  url.username = name
  url.password = password
  url.pathname = `/${name}`
  return { url: url.toString(), name, role: name, password }
}

/** Ends every connection to the database `name` (its clients see a lost connection). */
export const dropConnections = (name: string) =>
  adminQuery(
    adminUrl(),
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`
  )

/** Makes every new transaction on `name` read-only and drops its connections, as a failover to a standby would. */
export const makeReadOnly = async (name: string) => {
  await adminQuery(adminUrl(), `ALTER DATABASE "${name}" SET default_transaction_read_only = on`)
  await dropConnections(name)
}

/** Undoes `makeReadOnly` (and drops the read-only connections). */
export const makeWritable = async (name: string) => {
  await adminQuery(adminUrl(), `ALTER DATABASE "${name}" RESET default_transaction_read_only`)
  await dropConnections(name)
}
