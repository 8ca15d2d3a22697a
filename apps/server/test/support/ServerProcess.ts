/**
 * The built server (`dist/bin.js`) as a child process on 127.0.0.1 with port 0: `spawnServer` resolves once the
 * `uplink-server listening` log line gives the URL, keeps every stdout line (JSON logs) for inspection, and resolves
 * `exited` with the exit code or signal. Tests stop it by its pid only. With `fileSizeLimitBlocks` the process runs
 * under `ulimit -f` (RLIMIT_FSIZE, set by `/bin/sh` before it execs node): a real limit on the size of every file it
 * writes, which the kernel enforces like a full disk (writes past it fail; node ignores SIGXFSZ).
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as NodePath from "node:path"
import * as NodeUrl from "node:url"

const binPath = NodePath.resolve(NodePath.dirname(NodeUrl.fileURLToPath(import.meta.url)), "../../dist/bin.js")

export interface ServerProcess {
  readonly url: string
  readonly child: ChildProcess
  /** Every stdout and stderr line so far. */
  readonly output: () => ReadonlyArray<string>
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
  readonly kill: (signal: NodeJS.Signals) => void
}

/** Starts the server with `env` added to this process's environment (MSADS_* and UPLINK_* of the parent removed). */
export const spawnServer = (
  env: Record<string, string>,
  args: ReadonlyArray<string> = [],
  options: { readonly fileSizeLimitBlocks?: number } = {}
): Promise<ServerProcess> => {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("MSADS_") && !name.startsWith("UPLINK_"))
  )
  const command = [process.execPath, binPath, "--host", "127.0.0.1", "--port", "0", ...args]
  const limited =
    options.fileSizeLimitBlocks === undefined
      ? command
      : ["/bin/sh", "-c", 'ulimit -f "$0" && exec "$@"', String(options.fileSizeLimitBlocks), ...command]
  const child = spawn(limited[0]!, limited.slice(1), {
    env: { ...base, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  const lines: Array<string> = []
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal }))
  )
  return new Promise((resolve, reject) => {
    let settled = false
    const timer = setTimeout(() => fail(new Error("the server did not log its URL within 45 s")), 45_000)
    const fail = (error: Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (child.exitCode === null) child.kill("SIGKILL")
      reject(new Error(`${error.message}\n${lines.join("\n")}`))
    }
    const onLine = (line: string) => {
      lines.push(line)
      if (settled || !line.includes("uplink-server listening")) return
      const url = (JSON.parse(line) as { annotations: { url: string } }).annotations.url
      settled = true
      clearTimeout(timer)
      resolve({
        url,
        child,
        output: () => lines,
        exited,
        kill: (signal) => {
          if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, signal)
        }
      })
    }
    for (const stream of [child.stdout!, child.stderr!]) {
      let buffered = ""
      stream.setEncoding("utf8")
      stream.on("data", (chunk: string) => {
        buffered += chunk
        let newline = buffered.indexOf("\n")
        while (newline >= 0) {
          onLine(buffered.slice(0, newline))
          buffered = buffered.slice(newline + 1)
          newline = buffered.indexOf("\n")
        }
      })
    }
    void exited.then(({ code, signal }) => fail(new Error(`the server exited early (code ${code}, signal ${signal})`)))
  })
}

/** Runs the bin to its end (e.g. `migrate`) with `env` as `spawnServer` would; answers its exit code and output. */
export const runBin = (
  env: Record<string, string>,
  args: ReadonlyArray<string>,
  timeoutMs = 60_000
): Promise<{ readonly code: number | null; readonly output: string }> => {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("MSADS_") && !name.startsWith("UPLINK_"))
  )
  const child = spawn(process.execPath, [binPath, ...args], {
    env: { ...base, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  child.stdout!.setEncoding("utf8").on("data", (text: string) => (output += text))
  child.stderr!.setEncoding("utf8").on("data", (text: string) => (output += text))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`uplink-server ${args.join(" ")} did not end within ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    child.once("exit", (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}
