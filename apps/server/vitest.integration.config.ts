import { uplinkIntegrationVitest } from "@uplink/vitest-config"

// One PostgreSQL server for the run (UPLINK_TEST_DATABASE_URL, or a throwaway cluster); each test file makes its own
// database on it.
export default uplinkIntegrationVitest({ globalSetup: ["test/support/postgresGlobalSetup.ts"] })
