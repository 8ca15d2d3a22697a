import { uplinkIntegrationVitest } from "@uplink/vitest-config"

export default uplinkIntegrationVitest({ testTimeout: 120_000 })
