import { uplinkIntegrationVitest } from "@uplink/vitest-config"

export default uplinkIntegrationVitest()
