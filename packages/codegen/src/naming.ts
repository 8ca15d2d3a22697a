/**
 * The names the emitters give each type of the model: its schema/type name and, for a base type with derived types,
 * the union that stands wherever a value of it may appear. Names are unique across the model (a clash gets a number).
 */
import type { Hierarchy } from "./hierarchy.js"
import type { WsdlModel } from "./model.js"

/** Names used by the emitters for a type: its schema/type name, the encoded type name and the union name. */
export interface Naming {
  readonly tsName: (key: string) => string
  /** The name to reference where a value of this type may appear (the union for a base type with derived types). */
  readonly refName: (key: string) => string
}

export const makeNaming = (model: WsdlModel, hierarchy: Hierarchy): Naming => {
  const taken = new Set([...model.types.values()].map((t) => t.tsName))
  const unionNames = new Map<string, string>()
  for (const type of model.types.values()) {
    if (!hierarchy.hasDerived(type.key)) continue
    let name = `${type.tsName}Union`
    for (let i = 2; taken.has(name); i++) name = `${type.tsName}Union${i}`
    taken.add(name)
    unionNames.set(type.key, name)
  }
  const tsName = (key: string) => model.types.get(key)!.tsName
  return { tsName, refName: (key) => unionNames.get(key) ?? tsName(key) }
}
