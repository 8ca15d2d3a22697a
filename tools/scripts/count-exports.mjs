#!/usr/bin/env node
/**
 * The public names of a package entry point, counted the way a user meets them: every runtime export of the built
 * module, and for an export that is a namespace (`export * as X`) every member of it instead of the namespace itself.
 * Types are not counted (they have no runtime key). Exits 1 when there are more than `--max` names, or when `--readme`
 * is given and the README's list (between `<!-- public-api:start -->` and `<!-- public-api:end -->`, or the markers
 * named by `--marker`; one line per export: "- `Name`" or "- `Namespace`: `a`, `b` — …") is not exactly the entry's
 * names.
 *
 * Usage, from a package: `node ../../tools/scripts/count-exports.mjs dist/index.js --max 70 --readme README.md`
 * (`pnpm --filter @uplink/core api`, also run by its tests). Prints one line per export and the total.
 */
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { pathToFileURL } from "node:url"

const args = process.argv.slice(2)
const option = (name) => {
  const at = args.indexOf(name)
  return at < 0 ? undefined : args[at + 1]
}
const entry = args.find((arg, i) => !arg.startsWith("--") && (i === 0 || !args[i - 1].startsWith("--")))
if (entry === undefined) {
  console.error("usage: count-exports.mjs <built entry> [--max N] [--readme README.md]")
  process.exit(2)
}
const max = option("--max") === undefined ? Number.POSITIVE_INFINITY : Number(option("--max"))
const readme = option("--readme")
const marker = option("--marker") ?? "public-api"

const isNamespace = (value) => Object.prototype.toString.call(value) === "[object Module]"

/** Export name → its members (a namespace) or undefined (a single name). */
const exportsOf = (module) =>
  new Map(
    Object.keys(module)
      .sort()
      .map((name) => [name, isNamespace(module[name]) ? Object.keys(module[name]).sort() : undefined])
  )

/** The README's list, in the same shape. */
const readmeList = (text) => {
  const start = text.indexOf(`<!-- ${marker}:start -->`)
  const end = text.indexOf(`<!-- ${marker}:end -->`)
  if (start < 0 || end < start) return undefined
  const list = new Map()
  for (const line of text.slice(start, end).split("\n")) {
    const match = /^- `([^`]+)`(?::\s*(.*?))?(?:\s+—.*)?$/.exec(line.trim())
    if (match === null) continue
    const members = match[2] === undefined ? undefined : [...match[2].matchAll(/`([^`]+)`/g)].map((m) => m[1]).sort()
    list.set(match[1], members)
  }
  return list
}

const found = exportsOf(await import(pathToFileURL(resolve(entry)).href))
let total = 0
for (const [name, members] of found) {
  total += members === undefined ? 1 : members.length
  console.log(members === undefined ? name : `${name} (${members.length}): ${members.join(", ")}`)
}
console.log(`${total} names in ${entry} (at most ${max})`)

let failed = false
if (total > max) {
  console.error(`${entry} exports ${total} names, more than ${max}: keep what is not API out of the entry point`)
  failed = true
}
if (readme !== undefined) {
  const listed = readmeList(readFileSync(readme, "utf8"))
  if (listed === undefined) {
    console.error(`${readme} has no list between <!-- ${marker}:start --> and <!-- ${marker}:end -->`)
    failed = true
  } else {
    const show = (members) => (members === undefined ? "" : `: ${members.join(", ")}`)
    for (const [name, members] of found) {
      if (!listed.has(name)) console.error(`${readme} does not list ${name}${show(members)}`)
      else if (show(listed.get(name)) !== show(members)) {
        console.error(`${readme} lists ${name}${show(listed.get(name))}; the entry has ${name}${show(members)}`)
      } else continue
      failed = true
    }
    for (const name of listed.keys()) {
      if (!found.has(name)) {
        console.error(`${readme} lists ${name}, which ${entry} does not export`)
        failed = true
      }
    }
  }
}
process.exit(failed ? 1 : 0)
