/**
 * Which modules a Node process loads: runs `node` with a module loader hook that appends the URL of every module it
 * loads to a log file, and returns those URLs. Used to check what a start-up path costs in contracts.
 */
import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"

const HOOK = `import { appendFileSync } from "node:fs"
export async function load(url, context, nextLoad) {
  appendFileSync(process.env.UPLINK_MODULE_LOG, url + "\\n")
  return nextLoad(url, context)
}
`

/** Runs `node <args>` in `cwd` and resolves to the URLs of the modules it loaded, in load order. */
export const loadedModules = (cwd: string, args: ReadonlyArray<string>): Promise<ReadonlyArray<string>> => {
  const dir = mkdtempSync(join(tmpdir(), "uplink-module-log-"))
  const hook = join(dir, "hook.mjs")
  const register = join(dir, "register.mjs")
  const log = join(dir, "modules.log")
  writeFileSync(hook, HOOK)
  writeFileSync(log, "")
  writeFileSync(
    register,
    `import { register } from "node:module"\nregister(${JSON.stringify(pathToFileURL(hook).href)})\n`
  )
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", pathToFileURL(register).href, ...args],
      { cwd, env: { ...process.env, UPLINK_MODULE_LOG: log }, encoding: "utf8" },
      (error, _stdout, stderr) => {
        try {
          if (error !== null) reject(new Error(`node ${args.join(" ")} failed: ${stderr}`))
          else
            resolve(
              readFileSync(log, "utf8")
                .split("\n")
                .filter((line) => line !== "")
            )
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      }
    )
  })
}

/** The modules of @uplink/campaign-management among `urls`, as paths inside its `dist/` (`generated/types/X.js`). */
export const contractModules = (urls: ReadonlyArray<string>): ReadonlyArray<string> =>
  urls.flatMap((url) => {
    const match = /\/campaign-management\/dist\/(.+)$/.exec(url)
    return match === null ? [] : [match[1]!]
  })
