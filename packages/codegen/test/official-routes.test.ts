/**
 * The REST route table against Microsoft's: every route of `wsdl/campaign-management/v13/rest-routes.json` (basePath +
 * path, method) equals the one in `../shared/rest/official-routes.json` (found beside the workspace, as the WSDL is),
 * and every operation Microsoft serves over REST has a route here, its contract coming from the WSDL or from
 * `rest-overlay.json`. Reads data files only.
 */
import { readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { workspaceRoot } from "./helpers.js"

interface Route {
  readonly method: string
  readonly path: string
}

const serviceDir = join(workspaceRoot, "wsdl", "campaign-management", "v13")
const officialPath = resolve(workspaceRoot, "..", "shared", "rest", "official-routes.json")
const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"))

const official = readJson(officialPath) as { readonly routes: Readonly<Record<string, Route>> }
const routesFile = readJson(join(serviceDir, "rest-routes.json")) as {
  readonly basePath: string
  readonly routes: Readonly<Record<string, Route>>
  readonly itemLimits: Readonly<Record<string, { readonly field: string; readonly max: number }>>
}
const overlay = readJson(join(serviceDir, "rest-overlay.json")) as {
  readonly operations: ReadonlyArray<{ readonly name: string }>
}

const listed = Object.entries(routesFile.routes).map(([operation, route]) => ({
  operation,
  method: route.method,
  path: routesFile.basePath + route.path
}))
const overlayOperations = overlay.operations.map((op) => op.name)

describe("rest-routes.json against Microsoft's route table", () => {
  it("reads a non-empty official table", () => {
    expect(Object.keys(official.routes).length).toBeGreaterThan(0)
  })

  it("gives every listed operation the official method and path", () => {
    const differing = listed.filter(({ operation, method, path }) => {
      const expected = official.routes[operation]
      return expected === undefined || expected.method !== method || expected.path !== path
    })
    expect(
      differing.map(({ operation, method, path }) => ({
        operation,
        method,
        path,
        official: official.routes[operation] ?? null
      }))
    ).toEqual([])
  })

  it("lists a route for every operation Microsoft serves over REST", () => {
    const known = new Set([...Object.keys(routesFile.routes), ...overlayOperations])
    expect(Object.keys(official.routes).filter((operation) => !known.has(operation))).toEqual([])
  })

  it("has a route for every REST-only operation of the overlay", () => {
    expect(overlayOperations.filter((operation) => routesFile.routes[operation] === undefined)).toEqual([])
  })

  it("limits items only of operations that have a route", () => {
    expect(
      Object.keys(routesFile.itemLimits).filter((operation) => routesFile.routes[operation] === undefined)
    ).toEqual([])
  })
})
