/**
 * A throwaway PostgreSQL cluster for tests and benchmarks, made with Debian's binaries (`postgresql` package,
 * /usr/lib/postgresql/<version>/bin, or the folder `UPLINK_PG_BIN` names): `initdb` and `pg_ctl` in a fresh temporary
 * folder, on a free port of 127.0.0.1, with password authentication over TCP (so URLs carry a password, as in
 * production). PostgreSQL refuses to run as root: when this process is root the folder is given to the `postgres`
 * user and every binary runs through `runuser -u postgres`. `startCluster` returns once `pg_isready` says the server
 * accepts connections (polled, never a fixed sleep); `stop` shuts it down at once and removes the folder.
 */
import { execFileSync, spawnSync } from "node:child_process"
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** The folder holding initdb, pg_ctl and pg_isready, or undefined when PostgreSQL is not installed. */
export const postgresBinDir = () => {
  const fromEnv = process.env.UPLINK_PG_BIN
  if (fromEnv !== undefined && fromEnv !== "") return existsSync(join(fromEnv, "initdb")) ? fromEnv : undefined
  const root = "/usr/lib/postgresql"
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a))
  return versions.length === 0 ? undefined : join(root, versions[0], "bin")
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0

/** Runs a PostgreSQL binary as the `postgres` user when this process is root, else as this user. */
const runAs = (binary, args, options = {}) => {
  const [command, commandArgs] = isRoot() ? ["runuser", ["-u", "postgres", "--", binary, ...args]] : [binary, args]
  return spawnSync(command, commandArgs, { encoding: "utf8", ...options })
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Starts a cluster. `durable: false` (tests) turns off fsync, which only matters when the machine itself crashes;
 * the benchmarks keep it on. Returns the superuser URL (`postgres://postgres:<password>@127.0.0.1:<port>/postgres`),
 * its parts, and `stop`.
 */
export const startCluster = async ({ durable = false, maxConnections = 200 } = {}) => {
  const bin = postgresBinDir()
  if (bin === undefined) {
    throw new Error(
      "PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb): install Debian's `postgresql` " +
        "package (.ci/run does), or set UPLINK_TEST_DATABASE_URL to a server to use"
    )
  }
  const dir = mkdtempSync(join(tmpdir(), "uplink-pg-"))
  const data = join(dir, "data")
  const password = `pw-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`
  const passwordFile = join(dir, "password")
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 })
  if (isRoot()) {
    const ids = execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim()
    const group = execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim()
    chownSync(dir, Number(ids), Number(group))
    chownSync(passwordFile, Number(ids), Number(group))
  }
  const cleanup = () => rmSync(dir, { recursive: true, force: true })
  const init = runAs(join(bin, "initdb"), [
    "-D",
    data,
    "-U",
    "postgres",
    "-E",
    "UTF8",
    "--no-locale",
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    `--pwfile=${passwordFile}`,
    ...(durable ? [] : ["--no-sync"])
  ])
  if (init.status !== 0) {
    cleanup()
    throw new Error(`initdb failed: ${init.stderr || init.stdout}`)
  }
  const port = await freePort()
  const settings = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${dir}`,
    `-c max_connections=${maxConnections}`,
    ...(durable ? [] : ["-c fsync=off", "-c full_page_writes=off"])
  ].join(" ")
  const start = runAs(join(bin, "pg_ctl"), ["-D", data, "-l", join(dir, "server.log"), "-o", settings, "-w", "start"])
  if (start.status !== 0) {
    cleanup()
    throw new Error(`pg_ctl start failed: ${start.stderr || start.stdout}`)
  }
  const stop = () => {
    runAs(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"])
    cleanup()
  }
  const deadline = Date.now() + 60_000
  for (;;) {
    const ready = spawnSync(join(bin, "pg_isready"), ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres"])
    if (ready.status === 0) break
    if (Date.now() > deadline) {
      stop()
      throw new Error(`the throwaway PostgreSQL on port ${port} did not accept connections within 60 s`)
    }
    await sleep(50)
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    host: "127.0.0.1",
    port,
    user: "postgres",
    password,
    dir,
    stop
  }
}
