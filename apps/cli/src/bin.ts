#!/usr/bin/env node
/**
 * The `uplink` executable: runs the CLI, then exits with its code once stdout and stderr are flushed (idle keep-alive
 * sockets must not hold a finished command open).
 */
import { main } from "./cli.js"

const exit = (code: number) => {
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)))
}

main(process.argv).then(exit, (error: unknown) => {
  process.stderr.write(`uplink: ${error instanceof Error ? error.message : String(error)}\n`)
  exit(1)
})
