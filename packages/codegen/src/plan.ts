/**
 * The module plan: which generated module each type goes to, so that importing one operation loads (and constructs)
 * only the types that operation reaches.
 *
 * A type "reaches" the types of its fields, its `xs:list` item type, its base type and every type derived from it (a
 * value declared as a base type may be any derived type on the wire, and the REST discriminator is read from the
 * root). An operation reaches what its request, response and fault detail elements reach. Types reached by exactly
 * the same set of operations share one module — the rule a bundler uses to cut code-splitting chunks. So each module
 * holds only types that every operation loading it needs, and the module graph has no cycles: if a type of module A
 * reaches a type of module B, every operation reaching A reaches B, and a cycle would make the two sets equal.
 *
 * Modules are named after their first type in document order (with `_2`… should two names differ only in case);
 * types no operation reaches form their own module(s)
 * by the same rule (the empty set). Everything here is decided in document order, so the plan is deterministic.
 */
import type { Hierarchy } from "./hierarchy.js"
import type { OperationModel, TypeModel, TypeRef, WsdlModel } from "./model.js"

/** One generated type module. */
export interface TypeGroup {
  /** The module's file name without extension: the `tsName` of its first type. */
  readonly name: string
  /** Keys of its types, in document order. */
  readonly types: ReadonlyArray<string>
  /** The operations that reach these types, in WSDL order (empty for types no operation reaches). */
  readonly operations: ReadonlyArray<string>
}

export interface ModulePlan {
  readonly groups: ReadonlyArray<TypeGroup>
  /** The group of a type, by type key. */
  readonly groupOf: (key: string) => TypeGroup
  /** Every type an operation reaches (keys, document order). */
  readonly reachedBy: (operation: string) => ReadonlyArray<string>
  /** The types a type refers to directly (fields, list item, base, derived types). */
  readonly references: (key: string) => ReadonlyArray<string>
}

const keyOfRef = (ref: TypeRef): string | undefined => ("key" in ref ? ref.key : undefined)

/** The type keys of the elements an operation names (request, response, fault details). */
export const operationRoots = (model: WsdlModel, op: OperationModel): ReadonlyArray<string> => {
  const roots: Array<string> = []
  for (const elementKey of [op.request, op.response, ...op.faults.map((f) => f.element)]) {
    const element = model.elements.get(elementKey)
    if (element === undefined)
      throw new Error(`operation ${op.name} names element ${elementKey}, which is not declared`)
    const key = keyOfRef(element.type)
    if (key !== undefined) roots.push(key)
  }
  return roots
}

export const makePlan = (model: WsdlModel, hierarchy: Hierarchy): ModulePlan => {
  const order = new Map([...model.types.keys()].map((key, index) => [key, index]))
  const byOrder = (a: string, b: string) => order.get(a)! - order.get(b)!

  const referencesOf = new Map<string, ReadonlyArray<string>>()
  const references = (key: string): ReadonlyArray<string> => {
    const cached = referencesOf.get(key)
    if (cached !== undefined) return cached
    const type: TypeModel = model.types.get(key)!
    const out = new Set<string>()
    if (type.kind === "complex") {
      for (const field of hierarchy.allFields(type)) {
        const ref = keyOfRef(field.type)
        if (ref !== undefined) out.add(ref)
      }
      if (type.base !== undefined) out.add(type.base)
      for (const derived of hierarchy.concrete(key)) if (derived !== key) out.add(derived)
    } else if (type.kind === "list" && !("values" in type.item)) {
      const ref = keyOfRef(type.item)
      if (ref !== undefined) out.add(ref)
    }
    out.delete(key)
    const sorted = [...out].sort(byOrder)
    referencesOf.set(key, sorted)
    return sorted
  }

  const closure = (roots: ReadonlyArray<string>): ReadonlyArray<string> => {
    const seen = new Set<string>()
    const stack = [...roots]
    while (stack.length > 0) {
      const key = stack.pop()!
      if (seen.has(key)) continue
      seen.add(key)
      stack.push(...references(key))
    }
    return [...seen].sort(byOrder)
  }

  const reached = new Map<string, ReadonlyArray<string>>()
  const signature = new Map<string, Array<string>>()
  for (const op of model.operations) {
    const types = closure(operationRoots(model, op))
    reached.set(op.name, types)
    for (const key of types) {
      const ops = signature.get(key) ?? []
      ops.push(op.name)
      signature.set(key, ops)
    }
  }

  const groupsBySignature = new Map<string, { types: Array<string>; operations: ReadonlyArray<string> }>()
  for (const key of model.types.keys()) {
    const ops = signature.get(key) ?? []
    const id = ops.join(",")
    let group = groupsBySignature.get(id)
    if (group === undefined) {
      group = { types: [], operations: ops }
      groupsBySignature.set(id, group)
    }
    group.types.push(key)
  }
  const groups: Array<TypeGroup> = []
  const groupByType = new Map<string, TypeGroup>()
  // File names must differ on case-insensitive file systems too.
  const taken = new Set<string>()
  for (const { types, operations } of groupsBySignature.values()) {
    const first = model.types.get(types[0]!)!.tsName
    let name = first
    for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${first}_${i}`
    taken.add(name.toLowerCase())
    const group: TypeGroup = { name, types, operations }
    groups.push(group)
    for (const key of types) groupByType.set(key, group)
  }
  return {
    groups,
    groupOf: (key) => {
      const group = groupByType.get(key)
      if (group === undefined) throw new Error(`type ${key} has no module`)
      return group
    },
    reachedBy: (operation) => {
      const types = reached.get(operation)
      if (types === undefined) throw new Error(`unknown operation ${operation}`)
      return types
    },
    references
  }
}
