/** Test helpers: compiled wire models by type name, from the full table (`wireTypes`). */
import { type ConcreteModel, type StructModel, structOf } from "../src/codec/wire-model.js"
import { wireTypes } from "../src/generated/wire.js"

/** The struct model of a type, by name. */
export const structNamed = (name: string): StructModel => {
  const wire = wireTypes[name]
  if (wire === undefined) throw new Error(`unknown wire type ${name}`)
  return structOf(wire)
}

/** A type as the concrete type of a value (what `_tag` names), by name. */
export const concreteNamed = (name: string): ConcreteModel => {
  const concrete = structNamed(name).concrete.get(name)
  if (concrete === undefined) throw new Error(`${name} is abstract`)
  return concrete
}
