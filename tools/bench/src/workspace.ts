/**
 * Paths the benchmarks need: the workspace root (for BENCHMARKS.md) and the WSDL (`UPLINK_WSDL`, else
 * `../shared/wsdl/v13/CampaignManagementService.wsdl` beside the workspace, as for codegen and tests).
 */
import { existsSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

/** The directory holding pnpm-workspace.yaml. */
export const workspaceRoot = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
    const parent = resolve(dir, "..")
    if (parent === dir) throw new Error("the benchmarks must run inside the Uplink workspace")
    dir = parent
  }
  return dir
}

/** The Campaign Management WSDL. */
export const wsdlPath = (): string =>
  process.env.UPLINK_WSDL !== undefined && process.env.UPLINK_WSDL !== ""
    ? resolve(process.env.UPLINK_WSDL)
    : resolve(workspaceRoot(), "..", "shared", "wsdl", "v13", "CampaignManagementService.wsdl")
