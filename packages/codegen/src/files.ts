/**
 * Writing generated files and checking them for drift: `write` replaces the output folder's content, `diff`
 * compares generated files with a folder and names every file that is missing, extra or different.
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { dirname, join, relative } from "node:path"

const listFiles = async (dir: string): Promise<Array<string>> => {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : Promise.resolve([join(dir, e.name)])))
  )
  return nested.flat()
}

export const writeFiles = async (dir: string, files: ReadonlyMap<string, string>): Promise<void> => {
  await rm(dir, { recursive: true, force: true })
  for (const [path, text] of files) {
    const target = join(dir, path)
    await mkdir(dirname(target), { recursive: true })
    await writeFile(target, text)
  }
}

export interface Drift {
  readonly missing: ReadonlyArray<string>
  readonly extra: ReadonlyArray<string>
  readonly changed: ReadonlyArray<string>
}

export const diffFiles = async (expectedDir: string, actualDir: string): Promise<Drift> => {
  const rel = (dir: string) => async () =>
    (await listFiles(dir)).map((f) => relative(dir, f).split("\\").join("/")).sort()
  const expected = await rel(expectedDir)()
  const actual = new Set(await rel(actualDir)())
  const missing: Array<string> = []
  const changed: Array<string> = []
  for (const path of expected) {
    if (!actual.has(path)) missing.push(path)
    else if ((await readFile(join(expectedDir, path), "utf8")) !== (await readFile(join(actualDir, path), "utf8"))) {
      changed.push(path)
    }
    actual.delete(path)
  }
  return { missing, extra: [...actual].sort(), changed }
}

export const hasDrift = (drift: Drift): boolean => drift.missing.length + drift.extra.length + drift.changed.length > 0
