/**
 * vitest globalSetup: one PostgreSQL server for the whole test run. `UPLINK_TEST_DATABASE_URL` (a superuser-like URL
 * that may create roles and databases) when set; otherwise a throwaway cluster from Debian's binaries, started here
 * and removed when the run ends. Test files get the admin URL and this run's id through `inject` and make a fresh
 * database each (`support/postgres.ts`); at the end every database and role of this run is dropped.
 */
import type { TestProject } from "vitest/node"
import { startCluster } from "../../../../tools/scripts/postgres-cluster.mjs"
import { dropRunObjects } from "./postgresAdmin.js"

declare module "vitest" {
  export interface ProvidedContext {
    /** A URL whose user may create roles and databases. */
    postgresAdminUrl: string
    /** Names of databases and roles made by this run start with this. */
    postgresRunPrefix: string
  }
}

export default async function setup(project: TestProject) {
  const runPrefix = `uplink_t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
  project.provide("postgresRunPrefix", runPrefix)
  const given = process.env.UPLINK_TEST_DATABASE_URL
  if (given !== undefined && given !== "") {
    project.provide("postgresAdminUrl", given)
    return async () => {
      await dropRunObjects(given, runPrefix)
    }
  }
  const cluster = await startCluster()
  project.provide("postgresAdminUrl", cluster.url)
  return () => cluster.stop()
}
