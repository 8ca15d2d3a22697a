/** Test helpers: paths of the real WSDL and the fixtures, and generation into a folder vitest can import. */
import { readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { writeFiles } from "../src/files.js"
import { generate } from "../src/generate.js"
import type { RoutesFile } from "../src/emit-operations.js"

export const packageDir = resolve(import.meta.dirname, "..")
export const workspaceRoot = resolve(packageDir, "..", "..")
export const realWsdlPath =
  process.env.UPLINK_WSDL ?? resolve(workspaceRoot, "..", "shared", "wsdl", "v13", "CampaignManagementService.wsdl")
export const realRoutes = JSON.parse(
  readFileSync(join(workspaceRoot, "wsdl", "campaign-management", "v13", "rest-routes.json"), "utf8")
) as RoutesFile
export const fixturePath = (name: string) => join(packageDir, "test", "fixtures", name)

/**
 * The REST writer runtime the generated type modules import: @uplink/campaign-management's, by file URL, so that the
 * fixture's writers run against the real one.
 */
export const restRuntimeUrl = pathToFileURL(
  join(workspaceRoot, "packages", "campaign-management", "src", "rest", "writer-runtime.ts")
).href

export const realOverlayPath = join(workspaceRoot, "wsdl", "campaign-management", "v13", "rest-overlay.json")
export const realOverlay = { path: realOverlayPath, text: readFileSync(realOverlayPath, "utf8") }

/**
 * Generates a fixture WSDL (without the node-soap client) into test/fixtures/out/<name>/ and returns the files; with
 * `overlay` (a fixture file name) and `routes`, the REST overlay is merged (output in test/fixtures/out/<name>+<overlay>/).
 */
export const generateFixture = async (name: string, rest?: { overlay: string; routes: RoutesFile }) => {
  const wsdlPath = fixturePath(name)
  const files = await generate({
    wsdlPath,
    wsdlText: readFileSync(wsdlPath, "utf8"),
    ...(rest === undefined
      ? {}
      : {
          overlay: { path: fixturePath(rest.overlay), text: readFileSync(fixturePath(rest.overlay), "utf8") },
          routes: rest.routes
        }),
    soapClient: false,
    restRuntime: restRuntimeUrl
  })
  const base = name.replace(/\.wsdl$/, "")
  const outDir = join(
    packageDir,
    "test",
    "fixtures",
    "out",
    rest === undefined ? base : `${base}+${rest.overlay.replace(/\.json$/, "")}`
  )
  await writeFiles(outDir, files)
  return { files, outDir }
}
