import { uplinkVitest } from "@uplink/vitest-config"

export default uplinkVitest({ testTimeout: 120_000 })
