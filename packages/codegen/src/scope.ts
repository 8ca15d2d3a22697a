/**
 * The names one generated module uses from other modules, collected while its code is emitted and rendered as its
 * import statements (sorted, so the output is deterministic). A name of a type in the module's own group needs no
 * import; every other one is imported from the group module that declares it.
 */
import type { Naming } from "./naming.js"
import type { ModulePlan } from "./plan.js"

/** The module specifier of a generated file (path from the generated root, without extension) seen from `from`. */
export const specifierFrom = (from: string, target: string): string => {
  const fromParts = from.split("/").slice(0, -1)
  const targetParts = target.split("/")
  let common = 0
  while (common < fromParts.length && common < targetParts.length - 1 && fromParts[common] === targetParts[common]) {
    common++
  }
  const up = fromParts.length - common
  const rest = targetParts.slice(common).join("/")
  return `${up === 0 ? "./" : "../".repeat(up)}${rest}.js`
}

/** A module specifier given relative to the generated root (or absolute), as seen from the module at `from`. */
export const rootSpecifierFrom = (from: string, specifier: string): string => {
  if (!specifier.startsWith(".")) return specifier
  const depth = from.split("/").length - 1
  if (depth === 0) return specifier
  return `${"../".repeat(depth)}${specifier.replace(/^\.\//, "")}`
}

interface Imported {
  readonly values: Set<string>
  readonly types: Set<string>
}

export class ModuleScope {
  private readonly imports = new Map<string, Imported>()
  private readonly namespaces = new Map<string, { readonly alias: string; typeOnly: boolean }>()

  /**
   * @param path the module's path from the generated root, without extension (`types/OfflineConversion`)
   * @param ownGroup the group whose types this module declares (undefined for modules that declare no types)
   */
  constructor(
    readonly path: string,
    private readonly plan: ModulePlan,
    private readonly naming: Naming,
    private readonly ownGroup: string | undefined
  ) {}

  private entry(specifier: string): Imported {
    let entry = this.imports.get(specifier)
    if (entry === undefined) {
      entry = { values: new Set(), types: new Set() }
      this.imports.set(specifier, entry)
    }
    return entry
  }

  /** Records a value import of `name` from the generated module `target` (path from the generated root). */
  value(target: string, name: string): string {
    if (target !== this.path) this.entry(specifierFrom(this.path, target)).values.add(name)
    return name
  }

  /** Records a type-only import of `name` from the generated module `target`. */
  type(target: string, name: string): string {
    if (target !== this.path) this.entry(specifierFrom(this.path, target)).types.add(name)
    return name
  }

  /** Records a value import from a module outside the generated folder (`effect/Schema`, the REST writer runtime). */
  external(specifier: string, name: string, typeOnly = false): string {
    const entry = this.entry(specifier)
    if (typeOnly) entry.types.add(name)
    else entry.values.add(name)
    return name
  }

  /** Records `import * as alias from specifier` (type-only unless a value use is recorded too). */
  namespace(specifier: string, alias: string, typeOnly = false): string {
    const existing = this.namespaces.get(specifier)
    if (existing === undefined) this.namespaces.set(specifier, { alias, typeOnly })
    else if (!typeOnly) existing.typeOnly = false
    return alias
  }

  private groupPath(key: string): string | undefined {
    const group = this.plan.groupOf(key).name
    return group === this.ownGroup ? undefined : `types/${group}`
  }

  private fromGroup(key: string, name: string, typeOnly: boolean): string {
    const path = this.groupPath(key)
    if (path === undefined) return name
    return typeOnly ? this.type(path, name) : this.value(path, name)
  }

  /** The Schema to reference for a value of type `key` (its union when it has derived types). */
  schemaRef(key: string): string {
    return this.fromGroup(key, this.naming.refName(key), false)
  }

  /** The Schema of exactly type `key` (not its union): the members of a union. */
  schemaOf(key: string): string {
    return this.fromGroup(key, this.naming.tsName(key), false)
  }

  /** The TypeScript type of a value of type `key` (decoded, or encoded when `encoded` and the type has that form). */
  typeRef(key: string, encoded: boolean): string {
    return this.fromGroup(key, `${this.naming.refName(key)}${encoded ? "Encoded" : ""}`, true)
  }

  /** The wire metadata constant of type `key`. */
  wireRef(key: string): string {
    return this.fromGroup(key, wireName(this.naming.tsName(key)), false)
  }

  /** The REST JSON writer of type `key`. */
  writerRef(key: string): string {
    return this.fromGroup(key, writerName(this.naming.tsName(key)), false)
  }

  /** The import statements, sorted by specifier (external modules first), names sorted. */
  render(): Array<string> {
    const specifiers = [...this.imports.keys()].sort((a, b) => {
      const relA = a.startsWith(".")
      const relB = b.startsWith(".")
      if (relA !== relB) return relA ? 1 : -1
      return a < b ? -1 : a > b ? 1 : 0
    })
    const lines: Array<string> = []
    for (const specifier of [...this.namespaces.keys()].sort()) {
      const { alias, typeOnly } = this.namespaces.get(specifier)!
      lines.push(`import ${typeOnly ? "type " : ""}* as ${alias} from ${JSON.stringify(specifier)}`)
    }
    for (const specifier of specifiers) {
      const { values, types } = this.imports.get(specifier)!
      const names = [...values].sort()
      const typeNames = [...types].filter((name) => !values.has(name)).sort()
      if (names.length === 0 && typeNames.length === 0) continue
      if (names.length === 0) {
        lines.push(`import type { ${typeNames.join(", ")} } from ${JSON.stringify(specifier)}`)
        continue
      }
      const all = [...names, ...typeNames.map((name) => `type ${name}`)]
      lines.push(`import { ${all.join(", ")} } from ${JSON.stringify(specifier)}`)
    }
    return lines
  }
}

/** The name of a type's wire metadata constant. */
export const wireName = (tsName: string): string => `wire_${tsName}`

/** The name of a type's REST JSON writer (smithy's `se_` serializers). */
export const writerName = (tsName: string): string => `se_${tsName}`
