/**
 * Administration of the test PostgreSQL server through `pg` (a superuser connection): statements run one at a time
 * on a short-lived client, and the clean-up of everything one test run created.
 */
import Pg from "pg"

/** Runs `statements` in order on a fresh connection to `url` and answers the rows of the last one. */
export const adminQuery = async (
  url: string,
  ...statements: ReadonlyArray<string>
): Promise<ReadonlyArray<Record<string, unknown>>> => {
  const client = new Pg.Client({ connectionString: url })
  client.on("error", () => {})
  await client.connect()
  try {
    let rows: ReadonlyArray<Record<string, unknown>> = []
    for (const statement of statements) rows = (await client.query(statement)).rows
    return rows
  } finally {
    await client.end()
  }
}

/** Drops the databases and roles whose names start with `prefix` (those of one test run). */
export const dropRunObjects = async (url: string, prefix: string): Promise<void> => {
  const databases = await adminQuery(url, `SELECT datname FROM pg_database WHERE datname LIKE '${prefix}%'`)
  for (const row of databases) await adminQuery(url, `DROP DATABASE IF EXISTS "${String(row.datname)}" WITH (FORCE)`)
  const roles = await adminQuery(url, `SELECT rolname FROM pg_roles WHERE rolname LIKE '${prefix}%'`)
  for (const row of roles) await adminQuery(url, `DROP ROLE IF EXISTS "${String(row.rolname)}"`)
}
