import { uplinkVitest } from "@uplink/vitest-config"

export default uplinkVitest()
