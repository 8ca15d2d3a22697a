/**
 * Temporary files for tests: a fresh directory per call under the OS temp folder, removed when the process exits.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { tempDir } from "@uplink/emulator/testing"

const created: Array<string> = []
process.once("exit", () => {
  for (const dir of created) NodeFs.rmSync(dir, { recursive: true, force: true })
})

/** A new empty directory. */
export const temporaryDirectory = (): string => {
  const dir = tempDir("uplink-server-test-")
  created.push(dir)
  return dir
}

/** A path for a new outbox file in a new directory. */
export const temporaryDatabase = (): string => NodePath.join(temporaryDirectory(), "outbox.db")
