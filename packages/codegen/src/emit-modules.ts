/**
 * The type modules and the compatibility barrels. A type module `types/<Group>.ts` declares, for each type the plan
 * puts in it, its Effect Schema and TypeScript types, its wire metadata `wire_<Type>` and (complex types) its REST JSON
 * writer `se_<Type>`, importing what it uses of other type modules. `schemas.ts` re-exports every Schema (the
 * `Schemas` namespace of the package root) and `index.ts` re-exports the barrels; both load every type module.
 */
import { BUILTIN_SCHEMA_NAMES, type EmitContext, schemaDeclarations, schemaExports } from "./emit-schemas.js"
import { wireDeclarations } from "./emit-wire.js"
import { writerDeclarations } from "./emit-writers.js"
import type { Hierarchy } from "./hierarchy.js"
import type { WsdlModel } from "./model.js"
import type { Naming } from "./naming.js"
import type { ModulePlan, TypeGroup } from "./plan.js"
import { ModuleScope, rootSpecifierFrom, specifierFrom } from "./scope.js"

/** Who loads a type module, for its doc comment. */
const reachedByText = (model: WsdlModel, group: TypeGroup): string => {
  if (group.operations.length === 0) return "no operation (kept for the `Schemas` namespace)"
  if (group.operations.length === model.operations.length) return "every operation"
  return group.operations.length === 1
    ? `the operation ${group.operations[0]}`
    : `the ${group.operations.length} operations ${group.operations.join(", ")}`
}

/**
 * One type module. `restRuntime` is the module specifier of the REST writer runtime, relative to the generated folder
 * (or absolute).
 */
export const emitTypeModule = (
  model: WsdlModel,
  hierarchy: Hierarchy,
  naming: Naming,
  plan: ModulePlan,
  group: TypeGroup,
  header: string,
  restRuntime: string
): string => {
  const path = `types/${group.name}`
  const scope = new ModuleScope(path, plan, naming, group.name)
  const ctx: EmitContext = { model, hierarchy, naming, scope }
  const schemas = schemaDeclarations(ctx, group.types)
  const wire = wireDeclarations(ctx, group.types)
  const writers = writerDeclarations(ctx, group.types, rootSpecifierFrom(path, restRuntime))
  const names = group.types.map((key) => model.types.get(key)!.tsName)
  return [
    header,
    "/**",
    ` * Types reached by ${reachedByText(model, group)}: ${names.join(", ")}.`,
    " */",
    ...scope.render(),
    "",
    "// ===== Schemas =====",
    "",
    ...schemas,
    "// ===== Wire metadata =====",
    "",
    ...wire,
    "",
    "// ===== REST JSON writers =====",
    "",
    ...writers
  ].join("\n")
}

/** `schemas.ts`: every Schema and TypeScript type by name (the package root's `Schemas` namespace). */
export const emitSchemasIndex = (
  model: WsdlModel,
  hierarchy: Hierarchy,
  naming: Naming,
  plan: ModulePlan,
  header: string
): string => {
  const lines = [
    header,
    "/** Every Schema of the service, by type name. Loads every type module: for tools that want all of them. */",
    `export { ${BUILTIN_SCHEMA_NAMES.join(", ")} } from "./builtins.js"`
  ]
  for (const group of plan.groups) {
    const values: Array<string> = []
    const types: Array<string> = []
    for (const key of group.types) {
      const names = schemaExports(model, hierarchy, naming, key)
      values.push(...names.values)
      types.push(...names.types)
    }
    const all = [...values, ...types.map((name) => `type ${name}`)]
    lines.push(`export { ${all.join(", ")} } from ${JSON.stringify(specifierFrom("schemas", `types/${group.name}`))}`)
  }
  lines.push("")
  return lines.join("\n")
}

/** `index.ts`: the compatibility barrel (every Schema, the wire tables and the full operation table). */
export const emitIndex = (header: string): string =>
  [
    header,
    'export * from "./schemas.js"',
    'export * from "./wire.js"',
    'export * from "./operations.js"',
    'export { isOperationName, loadOperation } from "./loader.js"',
    ""
  ].join("\n")
