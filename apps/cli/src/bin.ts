#!/usr/bin/env node
/**
 * The `uplink` executable: runs the CLI, then exits with its code once stdout and stderr are flushed (idle keep-alive
 * sockets must not hold a finished command open). With `--verbose`, source maps are turned on before the CLI is
 * loaded, so stack traces of the bundle point at the TypeScript sources (node reads a module's map when it loads it;
 * the maps are not read otherwise, which keeps start-up cheap).
 */
if (process.argv.includes("--verbose")) process.setSourceMapsEnabled(true)

const { main } = await import("./cli.js")

const exit = (code: number) => {
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)))
}

main(process.argv).then(exit, (error: unknown) => {
  process.stderr.write(`uplink: ${error instanceof Error ? error.message : String(error)}\n`)
  exit(1)
})
