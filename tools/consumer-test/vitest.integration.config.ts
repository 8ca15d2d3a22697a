import { uplinkIntegrationVitest } from "@uplink/vitest-config"

// Packing and `npm install` (better-sqlite3 compiles from source) take minutes on a loaded 2-core machine.
export default uplinkIntegrationVitest({ testTimeout: 300_000, hookTimeout: 1_200_000 })
