/**
 * Derived facts about the model's types that several emitters need: the extension hierarchy (which types are sent
 * with `xsi:type`), which complex types are plain arrays (DataContract `ArrayOfX`), and the flattened field list of a
 * derived type (base fields first, as `complexContent/extension` orders them on the wire).
 */
import type { ComplexTypeModel, FieldModel, TypeModel, WsdlModel } from "./model.js"

export interface Hierarchy {
  /** Concrete types a value declared as `key` may be, the type itself first, then derived types in document order. */
  readonly concrete: (key: string) => ReadonlyArray<string>
  /** True when the type has a base or derived types: its values carry a `_tag` naming their XSD type. */
  readonly isTagged: (key: string) => boolean
  /** True when values declared as this type may be of a derived type (a union is emitted for it). */
  readonly hasDerived: (key: string) => boolean
  /** All fields of a complex type, base fields first. */
  readonly allFields: (type: ComplexTypeModel) => ReadonlyArray<FieldModel>
  /** The single repeated item of an `ArrayOfX` type, or undefined for any other type. */
  readonly arrayItem: (type: TypeModel) => FieldModel | undefined
}

export const makeHierarchy = (model: WsdlModel): Hierarchy => {
  const children = new Map<string, Array<string>>()
  for (const type of model.types.values()) {
    if (type.kind === "complex" && type.base !== undefined) {
      const list = children.get(type.base) ?? []
      list.push(type.key)
      children.set(type.base, list)
    }
  }
  const concrete = (key: string): ReadonlyArray<string> => {
    const type = model.types.get(key) as ComplexTypeModel
    const own = type.abstract ? [] : [key]
    return [...own, ...(children.get(key) ?? []).flatMap(concrete)]
  }
  const allFields = (type: ComplexTypeModel): ReadonlyArray<FieldModel> =>
    type.base === undefined
      ? type.fields
      : [...allFields(model.types.get(type.base) as ComplexTypeModel), ...type.fields]
  const hasDerived = (key: string) => (children.get(key)?.length ?? 0) > 0
  const isTagged = (key: string) => {
    const type = model.types.get(key)
    return type?.kind === "complex" && (type.base !== undefined || hasDerived(key))
  }
  const arrayItem = (type: TypeModel): FieldModel | undefined =>
    type.kind === "complex" &&
    type.base === undefined &&
    !hasDerived(type.key) &&
    type.fields.length === 1 &&
    type.fields[0]!.repeated
      ? type.fields[0]
      : undefined
  return { concrete, isTagged, hasDerived, allFields, arrayItem }
}
