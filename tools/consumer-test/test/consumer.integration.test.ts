/**
 * The published form of Uplink, tested the way a user gets it: every public package of the workspace is packed with
 * `pnpm pack` (which rewrites `workspace:` and `catalog:` versions), the tarballs are installed with npm into a new
 * project in the system's temporary folder — outside the workspace, so nothing can resolve from it, and with npm's
 * rules (no devDependencies of a dependency) — and then it runs `uplink demo`, `uplink-server` up to a 200 on
 * `/healthz`, and the README's two library examples, type-checked against the installed types and run against
 * `uplink-emulator` from the installed @uplink/emulator.
 *
 * Needs the npm registry for the third-party dependencies. Takes minutes: better-sqlite3 compiles from source
 * (`npm_config_nodedir=/usr` points node-gyp at the local Node headers). Every wait is on a signal (a process's
 * line, its exit), never a fixed sleep.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const workspace = resolve(import.meta.dirname, "..", "..", "..")

interface Manifest {
  readonly name: string
  readonly version: string
  readonly private?: boolean
  readonly license?: string
  readonly repository?: { readonly type?: string; readonly url?: string; readonly directory?: string }
  readonly engines?: Record<string, string>
  readonly bin?: Record<string, string>
  readonly exports?: Record<string, unknown>
  readonly files?: ReadonlyArray<string>
  readonly dependencies?: Record<string, string>
  readonly optionalDependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
  readonly devDependencies?: Record<string, string>
}

const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest

/** Every package folder of the workspace (packages/*, apps/*, tools/*) with its manifest. */
const workspacePackages = (): ReadonlyArray<{ readonly dir: string; readonly manifest: Manifest }> =>
  ["packages", "apps", "tools"].flatMap((group) =>
    readdirSync(join(workspace, group))
      .map((name) => join(workspace, group, name))
      .filter((dir) => existsSync(join(dir, "package.json")))
      .map((dir) => ({ dir, manifest: readManifest(dir) }))
  )

const published = workspacePackages().filter(({ manifest }) => manifest.private !== true)

/** A version pinned in the workspace catalog (pnpm-workspace.yaml), for the tools the test installs beside Uplink. */
const catalogVersion = (name: string): string => {
  const line = readFileSync(join(workspace, "pnpm-workspace.yaml"), "utf8")
    .split("\n")
    .find((candidate) => candidate.trim().replace(/"/g, "").startsWith(`${name}:`))
  if (line === undefined) throw new Error(`${name} is not in the workspace catalog`)
  return line.split(":").slice(1).join(":").trim()
}

interface Finished {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const children = new Set<ChildProcess>()

/** Runs a command to its end and resolves to its exit code and output (rejects only if it cannot be started). */
const run = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv; readonly input?: string }
): Promise<Finished> =>
  new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] })
    children.add(child)
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", (code) => {
      children.delete(child)
      resolvePromise({ code, stdout, stderr })
    })
    child.stdin.end(options.input ?? "")
  })

/** A long-running process, started and ready: `ready` is the match of its readiness line. */
interface Started {
  readonly ready: RegExpExecArray
  readonly output: () => string
  /** Sends SIGTERM and resolves to the exit code. */
  readonly stop: () => Promise<number | null>
}

/** Starts a process and resolves once its standard output matches `readiness`; rejects if it exits first. */
const start = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv },
  readiness: RegExp
): Promise<Started> =>
  new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] })
    children.add(child)
    let output = ""
    let ready = false
    const exited = new Promise<number | null>((done) =>
      child.on("exit", (code) => {
        children.delete(child)
        done(code)
      })
    )
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = readiness.exec(output)
      if (ready || match === null) return
      ready = true
      resolvePromise({
        ready: match,
        output: () => output,
        stop: () => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM")
          return exited
        }
      })
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.on("error", reject)
    void exited.then((code) => {
      if (!ready) reject(new Error(`${command} ${args.join(" ")} exited (${code}) before it was ready:\n${output}`))
    })
  })

/** The environment of the installed programs: no npm/pnpm settings of the workspace run, a private home. */
const cleanEnv = (home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|PNPM_|MSADS_|UPLINK_|NODE_OPTIONS$|INIT_CWD$)/.test(key)) env[key] = value
  }
  return { ...env, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), ...extra }
}

/** The fenced `ts` code blocks of a README section (from its heading to the next `## `). */
const codeBlocks = (readme: string, heading: string): ReadonlyArray<string> => {
  const from = readme.indexOf(`\n${heading}\n`)
  if (from === -1) throw new Error(`README.md has no section "${heading}"`)
  const to = readme.indexOf("\n## ", from + heading.length + 2)
  const section = readme.slice(from, to === -1 ? undefined : to)
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!)
}

const scratch = mkdtempSync(join(tmpdir(), "uplink-consumer-"))
const tarballs = join(scratch, "tarballs")
const project = join(scratch, "project")
const home = join(scratch, "home")
const bin = (name: string) => join(project, "node_modules", ".bin", name)
const installed = (name: string) => join(project, "node_modules", ...name.split("/"))

beforeAll(async () => {
  mkdirSync(tarballs)
  mkdirSync(project)
  mkdirSync(home)
  for (const { dir, manifest } of published) {
    const packed = await run("pnpm", ["pack", "--pack-destination", tarballs], { cwd: dir, env: process.env })
    if (packed.code !== 0) throw new Error(`pnpm pack of ${manifest.name} failed:\n${packed.stderr}${packed.stdout}`)
  }
  writeFileSync(
    join(project, "package.json"),
    `${JSON.stringify({ name: "uplink-consumer", private: true, type: "module" }, null, 2)}\n`
  )
  const install = await run(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...readdirSync(tarballs).map((file) => join(tarballs, file)),
      `typescript@${catalogVersion("typescript")}`,
      `@types/node@${catalogVersion("@types/node")}`
    ],
    {
      cwd: project,
      env: { ...cleanEnv(process.env.HOME ?? home), npm_config_nodedir: "/usr", npm_config_update_notifier: "false" }
    }
  )
  if (install.code !== 0) throw new Error(`npm install failed:\n${install.stderr}${install.stdout}`)
})

afterAll(() => {
  for (const child of children) child.kill("SIGKILL")
  rmSync(scratch, { recursive: true, force: true })
})

describe("the packed packages", () => {
  it("are the libraries and apps; tools and the root stay private", () => {
    expect(published.map(({ dir }) => relative(workspace, dir)).sort()).toEqual([
      "apps/cli",
      "apps/server",
      "packages/campaign-management",
      "packages/core",
      "packages/emulator"
    ])
    for (const { dir, manifest } of workspacePackages()) {
      if (relative(workspace, dir).startsWith("tools/")) expect(manifest.private, manifest.name).toBe(true)
    }
    expect(readManifest(workspace).private).toBe(true)
  })

  it("carry publishable manifests: versions, no workspace: or catalog:, only published @uplink dependencies", () => {
    const names = new Set(published.map(({ manifest }) => manifest.name))
    const license = readFileSync(join(workspace, "LICENSE"), "utf8")
    for (const { dir, manifest: source } of published) {
      const manifest = readManifest(installed(source.name))
      expect(manifest.version, source.name).toBe(source.version)
      expect(manifest.license, source.name).toBe("MIT")
      expect(manifest.repository?.directory, source.name).toBe(relative(workspace, dir))
      expect(manifest.engines?.node, source.name).toBeDefined()
      expect(manifest.bin !== undefined || manifest.exports !== undefined, source.name).toBe(true)
      for (const field of ["dependencies", "optionalDependencies", "peerDependencies", "devDependencies"] as const) {
        for (const [name, range] of Object.entries(manifest[field] ?? {})) {
          expect(range, `${source.name} ${field} ${name}`).not.toMatch(/^(workspace|catalog):/)
          if (field !== "devDependencies" && name.startsWith("@uplink/")) {
            expect(names.has(name), `${source.name} depends on the unpublished ${name}`).toBe(true)
          }
        }
      }
      expect(readFileSync(join(installed(source.name), "LICENSE"), "utf8"), source.name).toBe(license)
      expect(existsSync(join(installed(source.name), "README.md")), source.name).toBe(true)
      for (const path of Object.values(manifest.bin ?? {})) {
        expect(existsSync(join(installed(source.name), path)), `${source.name} bin ${path}`).toBe(true)
      }
    }
  })
})

describe("installed from the tarballs, outside the workspace", () => {
  it("uplink --version and uplink demo run", async () => {
    const cli = readManifest(installed("@uplink/cli"))
    const version = await run(bin("uplink"), ["--version"], { cwd: project, env: cleanEnv(home) })
    expect(version.code, version.stderr).toBe(0)
    expect(version.stdout.trim()).toBe(cli.version)
    const demo = await run(bin("uplink"), ["demo"], { cwd: project, env: cleanEnv(home) })
    expect(demo.code, demo.stderr).toBe(0)
    expect(demo.stdout).toContain("Started the emulator at http://127.0.0.1:")
    expect(demo.stdout).toMatch(/accepted\s+[1-9]\d*/)
    expect(demo.stdout).toMatch(/invalid\s+[1-9]\d*/)
    expect(demo.stdout).toContain("Results: ")
  })

  it("uplink-server answers 200 on /healthz and stops on SIGTERM", async () => {
    const server = await start(
      bin("uplink-server"),
      ["--port", "0"],
      {
        cwd: project,
        env: cleanEnv(home, {
          UPLINK_SERVER_TOKEN: "consumer-test-token-0123456789",
          UPLINK_DB: join(scratch, "outbox.db")
        })
      },
      /"uplink-server listening"[^\n]*"url":"(http:\/\/[^"]+)"/
    )
    try {
      const health = await fetch(`${server.ready[1]}/healthz`)
      expect(health.status).toBe(200)
    } finally {
      expect(await server.stop()).toBe(0)
    }
  })

  it("the README's library examples type-check and apply conversions to the installed emulator", async () => {
    const blocks = codeBlocks(readFileSync(join(workspace, "README.md"), "utf8"), "## The library: `@uplink/core`")
    const promise = blocks.find((block) => block.includes('from "@uplink/core/client"'))
    const effect = blocks.find((block) => block.includes('from "@uplink/core"'))
    expect(promise).toBeDefined()
    expect(effect).toBeDefined()
    expect(promise).toContain('"http://127.0.0.1:8089"')

    writeFileSync(join(project, "promise-example.ts"), promise!)
    writeFileSync(join(project, "effect-example.ts"), effect!)
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ["node"]
        },
        files: ["promise-example.ts", "effect-example.ts"]
      })
    )
    const typecheck = await run(bin("tsc"), ["-p", "tsconfig.json"], { cwd: project, env: cleanEnv(home) })
    expect(typecheck.code, typecheck.stdout).toBe(0)

    const emulator = await start(
      bin("uplink-emulator"),
      ["--port", "0", "--demo"],
      { cwd: project, env: cleanEnv(home) },
      /emulator listening on (http:\/\/\S+)/
    )
    try {
      const url = emulator.ready[1]!
      const accepted = async (): Promise<number> => {
        const state = (await (await fetch(`${url}/__emulator/state`)).json()) as { accepted: ReadonlyArray<unknown> }
        return state.accepted.length
      }

      // The examples are plain JavaScript apart from their file name: they run as ES modules.
      writeFileSync(
        join(project, "promise-example.mjs"),
        promise!.replace('"http://127.0.0.1:8089"', JSON.stringify(url))
      )
      const promiseRun = await run(process.execPath, ["promise-example.mjs"], { cwd: project, env: cleanEnv(home) })
      expect(promiseRun.code, promiseRun.stderr).toBe(0)
      expect(promiseRun.stdout).toMatch(/accepted: 2/)
      expect(await accepted()).toBe(2)

      writeFileSync(join(project, "effect-example.mjs"), effect!)
      const time = new Date(Date.now() - 3 * 3_600_000).toISOString().replace(/\.\d+Z$/, "Z")
      writeFileSync(
        join(project, "conversions.csv"),
        "Microsoft Click Id,Conversion Name,Conversion Time,Conversion Value,Conversion Currency Code\n" +
          `${"c".repeat(32)},Offline Purchase,${time},42.5,USD\n`
      )
      const effectRun = await run(process.execPath, ["effect-example.mjs"], {
        cwd: project,
        env: cleanEnv(home, {
          MSADS_DEVELOPER_TOKEN: "BBD37VB98",
          MSADS_CUSTOMER_ID: "1000001",
          MSADS_ACCOUNT_ID: "2000002",
          MSADS_ACCESS_TOKEN: "emulator-access-token",
          MSADS_ENDPOINT: url
        })
      })
      expect(effectRun.code, effectRun.stderr).toBe(0)
      expect(effectRun.stdout).toMatch(/accepted: 1/)
      expect(await accepted()).toBe(3)
    } finally {
      await emulator.stop()
    }
  })
})
