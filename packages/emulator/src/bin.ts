#!/usr/bin/env node
/**
 * `uplink-emulator`: runs the emulator until SIGINT or SIGTERM. Prints `emulator listening on <url>` once ready;
 * exits 1 with a message when the options are wrong or the port cannot be bound.
 */
import { EmulatorConfigError, parseCommandLine, usage } from "./Options.js"
import { start } from "./Server.js"

const main = async (): Promise<void> => {
  const commandLine = parseCommandLine(process.argv.slice(2), process.env)
  if (commandLine._tag === "Help") {
    process.stdout.write(usage)
    return
  }
  const emulator = await start(commandLine.options)
  const stop = (signal: NodeJS.Signals) => {
    process.stdout.write(`emulator stopping (${signal})\n`)
    emulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`emulator: ${error instanceof Error ? error.message : String(error)}\n`)
        process.exit(1)
      }
    )
  }
  // Handlers first: whoever waits for the line below may signal at once.
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
  process.stdout.write(`emulator listening on ${emulator.url}\n`)
}

main().catch((error: unknown) => {
  const message = error instanceof EmulatorConfigError || error instanceof Error ? error.message : String(error)
  process.stderr.write(`emulator: ${message}\n`)
  if (error instanceof EmulatorConfigError) process.stderr.write(`\n${usage}`)
  process.exitCode = 1
})
