/**
 * The operation modules: per operation an entry point `operations/<Op>.ts` with its table entry — SOAPAction, body
 * elements, request and response Schemas, header and fault elements, the documented item limit, its REST method and
 * path, and the REST writers of its bodies — plus the full table `operations.ts`, the lazy `loader.ts` and `faults.ts`.
 *
 * REST routes come only from `rest-routes.json` (Microsoft's own route table, checked against
 * `../shared/rest/official-routes.json` by a test): nothing is derived from operation names, and an operation the
 * file does not list has no REST route. Operations of the REST overlay have no SOAP binding (`soapAction` undefined).
 */
import { type EmitContext, schemaExports } from "./emit-schemas.js"
import type { Naming } from "./naming.js"
import { elementExpr } from "./emit-wire.js"
import type { Hierarchy } from "./hierarchy.js"
import { type ElementModel, localOf, type OperationModel, type WsdlModel } from "./model.js"
import type { ModulePlan } from "./plan.js"
import { ModuleScope, specifierFrom } from "./scope.js"

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

/** The route of an operation (base path + path), or undefined when `rest-routes.json` does not list it. */
export const restRouteOf = (operation: string, routes: RoutesFile): RestRoute | undefined => {
  const listed = routes.routes[operation]
  return listed === undefined ? undefined : { method: listed.method, path: routes.basePath + listed.path }
}

const literal = (value: unknown) => JSON.stringify(value)

/** What the operation emitters share. */
export interface OperationsContext {
  readonly model: WsdlModel
  readonly hierarchy: Hierarchy
  readonly naming: Naming
  readonly plan: ModulePlan
  readonly routes: RoutesFile
  readonly header: string
  /** Routed operations without a contract (see `checkRoutes`). */
  readonly uncontracted: ReadonlyArray<string>
}

const elementOf = (model: WsdlModel, key: string): ElementModel => {
  const element = model.elements.get(key)
  if (element === undefined) throw new Error(`operation element ${key} is not declared in the schemas`)
  if ("builtin" in element.type) throw new Error(`operation element ${key} has a built-in type`)
  return element
}

const typeKeyOf = (element: ElementModel): string => (element.type as { readonly key: string }).key

/**
 * Checks `rest-routes.json` against the model: item limits name operations of the model, and every operation without
 * a SOAP binding has a REST route. Answers the routed operations that have no contract (neither in the WSDL nor in
 * the overlay), in file order: they are listed in `loader.ts` so that the gap is visible.
 */
export const checkRoutes = (model: WsdlModel, routes: RoutesFile): ReadonlyArray<string> => {
  const names = new Set(model.operations.map((o) => o.name))
  for (const op of Object.keys(routes.itemLimits)) {
    if (!names.has(op)) throw new Error(`rest-routes.json: itemLimits names unknown operation ${op}`)
  }
  for (const op of model.operations) {
    if (op.soapAction === undefined && routes.routes[op.name] === undefined) {
      throw new Error(`rest-routes.json: the REST-only operation ${op.name} has no route`)
    }
  }
  return Object.keys(routes.routes).filter((op) => !names.has(op))
}

/**
 * `operations/<Op>.ts`: the entry point of one operation — its table entry (SOAPAction, body elements and their wire
 * metadata, Schemas, headers, faults, item limit, REST route and the REST writers of both bodies) and every type it
 * reaches (Schemas, TypeScript types, `wire_<Type>`, `se_<Type>`), re-exported from the type modules the plan puts
 * them in.
 */
export const emitOperationModule = (ctx: OperationsContext, op: OperationModel): string => {
  const { model, hierarchy, naming, plan, routes, header } = ctx
  const path = `operations/${op.name}`
  const scope = new ModuleScope(path, plan, naming, undefined)
  const emit: EmitContext = { model, hierarchy, naming, scope }
  const request = elementOf(model, op.request)
  const response = elementOf(model, op.response)
  const route = restRouteOf(op.name, routes)
  const limit = routes.itemLimits[op.name]

  // The type modules of the types this operation reaches hold nothing else (plan.ts), so re-exporting them whole
  // exports exactly the reached types: their Schemas, TypeScript types, wire metadata and REST writers.
  const groups = [...new Set(plan.reachedBy(op.name).map((key) => `types/${plan.groupOf(key).name}`))].sort()
  const clash = plan.reachedBy(op.name).find((key) => {
    const names = schemaExports(model, hierarchy, naming, key)
    return [...names.values, ...names.types].includes(op.name)
  })
  if (clash !== undefined) {
    throw new Error(`operation ${op.name} has the name of a type it reaches: its entry point cannot export both`)
  }

  const entry = [
    `export const ${op.name} = {`,
    `  name: ${literal(op.name)},`,
    `  soapAction: ${op.soapAction === undefined ? "undefined" : literal(op.soapAction)},`,
    `  requestElement: ${literal(localOf(op.request))},`,
    `  responseElement: ${literal(localOf(op.response))},`,
    `  request: ${scope.schemaRef(typeKeyOf(request))},`,
    `  response: ${scope.schemaRef(typeKeyOf(response))},`,
    `  requestHeaders: ${literal(op.requestHeaders)},`,
    `  responseHeaders: ${literal(op.responseHeaders)},`,
    `  faults: ${literal(op.faults.map((f) => localOf(f.element)))},`,
    `  itemLimit: ${limit === undefined ? "undefined" : `{ field: ${literal(limit.field)}, max: ${limit.max} }`},`,
    `  rest: ${route === undefined ? "undefined" : `{ method: ${literal(route.method)}, path: ${literal(route.path)} }`},`,
    "  wire: {",
    `    request: ${elementExpr(emit, request)},`,
    `    response: ${elementExpr(emit, response)}`,
    "  },",
    `  restWriters: { request: ${scope.writerRef(typeKeyOf(request))}, response: ${scope.writerRef(typeKeyOf(response))} }`,
    "} as const",
    ""
  ]
  const reexportLines = groups.map((group) => `export * from ${literal(specifierFrom(path, group))}`)
  const reached = plan.reachedBy(op.name).length
  const restOnly =
    op.soapAction === undefined
      ? [" * REST only: the operation is not in the WSDL (rest-overlay.json); the SOAP codec refuses it."]
      : []
  return [
    header,
    `/**`,
    ` * \`${op.name}\`: its operation table entry and the ${reached} types it reaches (request, response and fault`,
    ` * details), and nothing else: importing this module constructs only those Schemas and their wire metadata.`,
    ...restOnly,
    ` */`,
    ...scope.render(),
    "",
    ...reexportLines,
    "",
    `/** The operation table entry of \`${op.name}\`. */`,
    ...entry
  ].join("\n")
}

/**
 * `operations.ts`: the full operation table, for tools that want every operation (the emulator's generic routes,
 * round-trip tests). Importing it loads every operation module; `loader.ts` loads one by name instead.
 */
export const emitOperationTable = (ctx: OperationsContext): string => {
  const { model, plan, naming, header } = ctx
  const scope = new ModuleScope("operations", plan, naming, undefined)
  for (const op of model.operations) scope.value(`operations/${op.name}`, op.name)
  return [
    header,
    ...scope.render(),
    "",
    "/** Every operation of the service, by name. Loads every operation module: for tools that want all of them. */",
    "export const operations = {",
    ...model.operations.map((op) => `  ${op.name},`),
    "} as const",
    "",
    "export type Operations = typeof operations",
    "export type OperationName = keyof Operations",
    "",
    'export { operationNames } from "./loader.js"',
    'export { soapAddresses } from "./wire-types.js"',
    ""
  ].join("\n")
}

/**
 * `loader.ts`: the operation names and `loadOperation(name)`, which imports one operation module on first use. It
 * refers to the operation modules only through `import()`, so importing it loads none of them.
 */
export const emitLoader = (ctx: OperationsContext): string => {
  const { model, header, uncontracted } = ctx
  return [
    header,
    'import type { OperationName, Operations } from "./operations.js"',
    "",
    "/** Operation names: the WSDL's in portType order, then the REST-only ones of the overlay. */",
    `export const operationNames: ReadonlyArray<OperationName> = [${model.operations.map((o) => literal(o.name)).join(", ")}]`,
    "",
    "const loaders: { readonly [Op in OperationName]: () => Promise<Operations[Op]> } = {",
    ...model.operations.map(
      (op) => `  ${op.name}: () => import(${literal(`./operations/${op.name}.js`)}).then((m) => m.${op.name}),`
    ),
    "}",
    "",
    "/** True when `name` is an operation of the service. */",
    "export const isOperationName = (name: string): name is OperationName => Object.hasOwn(loaders, name)",
    "",
    "/**",
    " * The table entry of one operation, importing its module (and so the types it reaches) on first use. Rejects",
    " * with an Error for a name that is not an operation of the service.",
    " */",
    "export const loadOperation = <Op extends OperationName>(name: Op): Promise<Operations[Op]> =>",
    "  isOperationName(name)",
    "    ? (loaders[name] as () => Promise<Operations[Op]>)()",
    '    : Promise.reject(new Error(String(name) + " is not an operation of the service"))',
    "",
    "/**",
    " * Operations Microsoft serves over REST (rest-routes.json) whose contract neither the WSDL nor rest-overlay.json",
    " * describes: they cannot be called until the overlay gets their types.",
    " */",
    `export const restRoutesWithoutContract: ReadonlyArray<string> = ${literal(uncontracted)}`,
    ""
  ].join("\n")
}

/** `faults.ts`: the fault detail elements of the service's operations, by local name. */
export const emitFaults = (ctx: OperationsContext): string => {
  const { model, hierarchy, naming, plan, header } = ctx
  const scope = new ModuleScope("faults", plan, naming, undefined)
  const emit: EmitContext = { model, hierarchy, naming, scope }
  const names = new Map<string, string>()
  for (const op of model.operations) {
    for (const fault of op.faults) {
      const name = localOf(fault.element)
      if (!names.has(name)) names.set(name, elementExpr(emit, elementOf(model, fault.element)))
    }
  }
  const rest = (model.restFaults ?? []).map((key) => [localOf(key), elementExpr(emit, elementOf(model, key))] as const)
  scope.type("wire-types", "WireElement")
  return [
    header,
    ...scope.render(),
    "",
    "/** The fault detail elements the operations declare (SOAP), by local name. */",
    "export const faultElements: Readonly<Record<string, WireElement>> = {",
    ...[...names].map(([name, expr]) => `  ${literal(name)}: ${expr},`),
    "}",
    "",
    "/** The REST error bodies, by their `Type`: the WSDL's fault details and the REST-only faults of the overlay. */",
    "export const restFaultElements: Readonly<Record<string, WireElement>> = {",
    ...rest.map(([name, expr]) => `  ${literal(name)}: ${expr},`),
    "}",
    ""
  ].join("\n")
}
