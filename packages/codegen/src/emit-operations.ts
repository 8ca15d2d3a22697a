/**
 * Emits `operations.ts`: the operation table — for each WSDL operation its SOAPAction, body elements, request and
 * response Schemas, header and fault elements, the documented item limit, and its REST method and path.
 *
 * REST routes come from `rest-routes.json` where listed; otherwise they are derived from the operation name by the
 * conventions of Microsoft's REST API (Add<X> → POST /<X>, Update<X> → PUT /<X>, Delete<X> → DELETE /<X>,
 * Get<X>By<Y> → POST /<X>/QueryBy<Y>). Operations that fit neither have no REST route and are SOAP-only.
 */
import type { Naming } from "./emit-schemas.js"
import { localOf, type WsdlModel } from "./model.js"

export interface RestRoute {
  readonly method: "GET" | "POST" | "PUT" | "DELETE"
  readonly path: string
}

export interface ItemLimit {
  readonly field: string
  readonly max: number
}

/** The content of `wsdl/<service>/<version>/rest-routes.json`. */
export interface RoutesFile {
  readonly basePath: string
  readonly routes: Readonly<Record<string, RestRoute>>
  readonly itemLimits: Readonly<Record<string, ItemLimit>>
}

export const EMPTY_ROUTES: RoutesFile = { basePath: "", routes: {}, itemLimits: {} }

/** The route of an operation and where it came from, or undefined when it has none. */
export const restRouteOf = (
  operation: string,
  routes: RoutesFile
): (RestRoute & { readonly source: "rest-routes.json" | "derived" }) | undefined => {
  const listed = routes.routes[operation]
  if (listed !== undefined)
    return { method: listed.method, path: routes.basePath + listed.path, source: "rest-routes.json" }
  const crud = /^(Add|Update|Delete)([A-Z][A-Za-z]*)$/.exec(operation)
  if (crud !== null) {
    const method = crud[1] === "Add" ? "POST" : crud[1] === "Update" ? "PUT" : "DELETE"
    return { method, path: `${routes.basePath}/${crud[2]}`, source: "derived" }
  }
  const query = /^Get([A-Z][A-Za-z]*?)By([A-Z][A-Za-z]*)$/.exec(operation)
  if (query !== null)
    return { method: "POST", path: `${routes.basePath}/${query[1]}/QueryBy${query[2]}`, source: "derived" }
  return undefined
}

const literal = (value: unknown) => JSON.stringify(value)

export const emitOperations = (model: WsdlModel, naming: Naming, routes: RoutesFile, header: string): string => {
  const elementType = (key: string) => {
    const element = model.elements.get(key)
    if (element === undefined) throw new Error(`operation element ${key} is not declared in the schemas`)
    if ("builtin" in element.type) throw new Error(`operation element ${key} has a built-in type`)
    return naming.refName(element.type.key)
  }
  const headerSets = new Map<string, string>()
  const headerConst = (names: ReadonlyArray<string>) => {
    const key = literal(names)
    let name = headerSets.get(key)
    if (name === undefined) {
      name = `HEADERS_${headerSets.size}`
      headerSets.set(key, name)
    }
    return name
  }
  const entries: Array<string> = []
  for (const op of model.operations) {
    const route = restRouteOf(op.name, routes)
    const limit = routes.itemLimits[op.name]
    entries.push(
      [
        `  ${op.name}: {`,
        `    name: ${literal(op.name)},`,
        `    soapAction: ${literal(op.soapAction)},`,
        `    requestElement: ${literal(localOf(op.request))},`,
        `    responseElement: ${literal(localOf(op.response))},`,
        `    request: S.${elementType(op.request)},`,
        `    response: S.${elementType(op.response)},`,
        `    requestHeaders: ${headerConst(op.requestHeaders)},`,
        `    responseHeaders: ${headerConst(op.responseHeaders)},`,
        `    faults: ${literal(op.faults.map((f) => localOf(f.element)))},`,
        `    itemLimit: ${limit === undefined ? "undefined" : `{ field: ${literal(limit.field)}, max: ${limit.max} }`},`,
        `    rest: ${route === undefined ? "undefined" : `{ method: ${literal(route.method)}, path: ${literal(route.path)}, source: ${literal(route.source)} }`}`,
        "  },"
      ].join("\n")
    )
  }
  for (const op of Object.keys(routes.itemLimits)) {
    if (!model.operations.some((o) => o.name === op))
      throw new Error(`rest-routes.json: itemLimits names unknown operation ${op}`)
  }
  for (const op of Object.keys(routes.routes)) {
    if (!model.operations.some((o) => o.name === op))
      throw new Error(`rest-routes.json: routes names unknown operation ${op}`)
  }
  return [
    header,
    'import * as S from "./schemas.js"',
    "",
    ...[...headerSets].map(([names, name]) => `const ${name} = ${names} as const`),
    "",
    "/** Every operation of the service, by name. */",
    "export const operations = {",
    ...entries,
    "} as const",
    "",
    "export type Operations = typeof operations",
    "export type OperationName = keyof Operations",
    "",
    "/** Operation names in WSDL portType order. */",
    `export const operationNames: ReadonlyArray<OperationName> = [${model.operations.map((o) => literal(o.name)).join(", ")}]`,
    "",
    `/** The service's SOAP endpoints as published in the WSDL. */`,
    `export const soapAddresses: ReadonlyArray<string> = ${literal(model.addresses)}`,
    ""
  ].join("\n")
}
