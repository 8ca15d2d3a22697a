/**
 * How Uplink's executables are built (`uplink`, `uplink-server`, `uplink-emulator`): one esbuild bundle per bin,
 * tree-shaken, ESM for Node 20, with code splitting so that every `import()` — a command's run, an operation's
 * contract loaded on its first call, the emulator behind `uplink demo` — becomes a chunk that is read only when it is
 * imported. Everything is inlined except the packages named as external (native modules such as better-sqlite3),
 * which must be runtime `dependencies` of the app: a published bin needs nothing else at run time.
 *
 * Source maps are written beside every file (`*.js.map`, mappings only, no copies of the sources) and chain through
 * the workspace packages' own maps to their TypeScript, so with source maps enabled (`uplink --verbose`) stack traces
 * name `packages/core/src/…ts` lines. Node reads them only when source maps are enabled.
 */
import { existsSync, readFileSync, rmSync } from "node:fs"
import { basename, dirname, extname, join, resolve } from "node:path"
import { build } from "esbuild"

/** Lets the CommonJS modules inlined into the ESM output `require` Node's built-ins. */
const BANNER =
  'import { createRequire as __uplinkCreateRequire } from "node:module";\nconst require = __uplinkCreateRequire(import.meta.url);'

/**
 * @typedef {object} BundleOptions
 * @property {string} entry the bin's source, e.g. `src/bin.ts` (relative to `packageDir`)
 * @property {string} [packageDir] the app's folder (default: the current directory)
 * @property {string} [outdir] where to write, relative to `packageDir` (default `dist`); the entry becomes `<outdir>/<name>.js`
 * @property {ReadonlyArray<string>} [external] packages to leave as imports; each must be in the app's `dependencies`
 * @property {boolean} [clean] empty `outdir` first (apps whose `dist` is only the bundle); otherwise only its chunks are removed
 */

/**
 * Bundles one bin. Resolves to the esbuild metafile (inputs and outputs, for tests and size reports).
 * @param {BundleOptions} options
 */
export const bundleBin = async (options) => {
  const packageDir = resolve(options.packageDir ?? ".")
  const outdir = join(packageDir, options.outdir ?? "dist")
  const external = [...(options.external ?? [])]
  const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"))
  const missing = external.filter((name) => manifest.dependencies?.[name] === undefined)
  if (missing.length > 0) {
    throw new Error(
      `${manifest.name}: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} external to the bundle but not in "dependencies": the published bin could not load ${missing.length === 1 ? "it" : "them"}`
    )
  }
  const name = basename(options.entry, extname(options.entry))
  if (options.clean) rmSync(outdir, { recursive: true, force: true })
  else {
    rmSync(join(outdir, "chunks"), { recursive: true, force: true })
    for (const file of [`${name}.js`, `${name}.js.map`]) rmSync(join(outdir, file), { force: true })
  }
  const result = await build({
    absWorkingDir: packageDir,
    entryPoints: { [name]: options.entry },
    outdir,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external,
    sourcemap: "linked",
    sourcesContent: false,
    banner: { js: BANNER },
    metafile: true,
    logLevel: "warning"
  })
  if (!existsSync(join(outdir, `${name}.js`))) throw new Error(`esbuild wrote no ${name}.js into ${dirname(outdir)}`)
  return result.metafile
}
