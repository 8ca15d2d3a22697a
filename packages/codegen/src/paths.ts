/**
 * Where codegen finds its inputs when not told: the workspace root (the folder with `pnpm-workspace.yaml`), the
 * WSDL (`--wsdl`, else `UPLINK_WSDL`, else `../shared/wsdl/v13/CampaignManagementService.wsdl` beside the
 * workspace), and the REST routes and REST overlay files under `wsdl/`.
 */
import { existsSync } from "node:fs"
import { dirname, join, resolve } from "node:path"

export const findWorkspaceRoot = (from: string = process.cwd()): string => {
  let dir = resolve(from)
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml above ${from}: run inside the Uplink workspace`)
    dir = parent
  }
}

export const SERVICE_DIR = join("wsdl", "campaign-management", "v13")

export const defaultWsdlPath = (root: string, env: NodeJS.ProcessEnv = process.env): string =>
  env.UPLINK_WSDL !== undefined && env.UPLINK_WSDL !== ""
    ? resolve(env.UPLINK_WSDL)
    : resolve(root, "..", "shared", "wsdl", "v13", "CampaignManagementService.wsdl")

export const defaultRoutesPath = (root: string): string => join(root, SERVICE_DIR, "rest-routes.json")
export const defaultOverlayPath = (root: string): string => join(root, SERVICE_DIR, "rest-overlay.json")
export const sourceJsonPath = (root: string): string => join(root, SERVICE_DIR, "source.json")
export const wsdlCacheDir = (root: string): string => join(root, ".cache", SERVICE_DIR)

/**
 * Resolves a path given on the command line: relative paths are taken from the workspace root, because these
 * commands are run as `pnpm codegen` / `pnpm wsdl:pull` from the root while turbo runs them in a package folder.
 */
export const userPath = (path: string): string => resolve(findWorkspaceRoot(), path)
