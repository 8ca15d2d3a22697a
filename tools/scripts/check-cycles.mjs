#!/usr/bin/env node
/**
 * Import cycles in a package's hand-written TypeScript sources: exits 1 and prints each cycle when there is one.
 *
 * Every static import and re-export between the package's modules counts, type-only ones included (`import type` is
 * erased at run time, but a cycle of types still ties two modules into one that cannot be read or moved apart).
 * Three things are not followed, on purpose:
 * - a dynamic `import()`: it is the project's lazy-loading seam (a CLI command loads its run when it runs, the server
 *   loads its database driver when configured to, the contract loader loads an operation on its first call), so the
 *   importer does not load the imported module with itself; the lazily loaded module may import the importer's types;
 * - imports of other packages: the workspace's dependency direction (apps → core → campaign-management → effect;
 *   emulator → campaign-management) already keeps packages from importing each other in a circle;
 * - generated code (`src/generated`), whose recursive schemas refer to each other by design (`codegen:check` checks it).
 *
 * Usage: `node ../../tools/scripts/check-cycles.mjs [dir …]` (default `src`) from a package: its `pnpm cycles`, which
 * `pnpm check` runs in every package. Exit code 1 and one line per cycle when there is one.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import ts from "typescript"

const roots = (process.argv.length > 2 ? process.argv.slice(2) : ["src"]).map((dir) => resolve(dir))
const excluded = new Set(["generated", "node_modules", "dist"])

/** Every .ts/.mts/.tsx file under `dir`, generated code left out. */
const sourceFiles = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return excluded.has(entry.name) ? [] : sourceFiles(path)
    return /\.(ts|mts|tsx)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : []
  })

/** The source file a relative specifier names (`./x.js` is `./x.ts`, as NodeNext resolution has it), if any. */
const resolveSpecifier = (from, specifier) => {
  if (!specifier.startsWith(".")) return undefined
  const base = resolve(dirname(from), specifier)
  const candidates = [
    base.replace(/\.js$/, ".ts"),
    base.replace(/\.mjs$/, ".mts"),
    base.replace(/\.js$/, ".tsx"),
    base,
    `${base}.ts`,
    join(base, "index.ts")
  ]
  return candidates.find((candidate) => {
    try {
      return statSync(candidate).isFile()
    } catch {
      return false
    }
  })
}

/** The modules `file` imports or re-exports statically (type-only ones included; `import()` is not followed). */
const importsOf = (file) => {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false)
  const found = []
  const visit = (node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text)
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push(node.argument.literal.text)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found.map((specifier) => resolveSpecifier(file, specifier)).filter((target) => target !== undefined)
}

const files = roots.flatMap(sourceFiles)
const known = new Set(files)
const graph = new Map(files.map((file) => [file, [...new Set(importsOf(file))].filter((target) => known.has(target))]))

// Tarjan's strongly connected components: every component of more than one module (or a module importing itself)
// holds at least one cycle.
let index = 0
const indexOf = new Map()
const lowOf = new Map()
const stack = []
const onStack = new Set()
const components = []
const connect = (file) => {
  indexOf.set(file, index)
  lowOf.set(file, index)
  index++
  stack.push(file)
  onStack.add(file)
  for (const target of graph.get(file)) {
    if (!indexOf.has(target)) {
      connect(target)
      lowOf.set(file, Math.min(lowOf.get(file), lowOf.get(target)))
    } else if (onStack.has(target)) {
      lowOf.set(file, Math.min(lowOf.get(file), indexOf.get(target)))
    }
  }
  if (lowOf.get(file) === indexOf.get(file)) {
    const component = []
    let member
    do {
      member = stack.pop()
      onStack.delete(member)
      component.push(member)
    } while (member !== file)
    if (component.length > 1 || graph.get(file).includes(file)) components.push(component)
  }
}
for (const file of files) if (!indexOf.has(file)) connect(file)

/** One cycle through `start` inside `component`, as a path of modules (breadth-first: the shortest). */
const cycleThrough = (start, component) => {
  const members = new Set(component)
  const previous = new Map([[start, undefined]])
  const queue = [start]
  while (queue.length > 0) {
    const file = queue.shift()
    for (const target of graph.get(file)) {
      if (!members.has(target)) continue
      if (target === start) {
        const path = [file]
        for (let step = previous.get(file); step !== undefined; step = previous.get(step)) path.unshift(step)
        return [...path, start]
      }
      if (!previous.has(target)) {
        previous.set(target, file)
        queue.push(target)
      }
    }
  }
  return [start, start]
}

const show = (file) => relative(process.cwd(), file)
if (components.length === 0) {
  console.log(`no import cycle among ${files.length} modules (${roots.map(show).join(", ")})`)
} else {
  for (const component of components) {
    const start = [...component].sort()[0]
    console.error(`import cycle: ${cycleThrough(start, component).map(show).join(" → ")}`)
    if (component.length > 2)
      console.error(`  (${component.length} modules import each other: ${component.map(show).sort().join(", ")})`)
  }
  console.error(
    `${components.length} import cycle(s): a module must not import, directly or through others, a module that imports it`
  )
  process.exitCode = 1
}
