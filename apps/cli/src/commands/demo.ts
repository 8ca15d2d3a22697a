/**
 * The definition of `uplink demo`: apply a bundled sample file to a local emulator started in-process, with no
 * credentials. The run (`../run/demo.ts`) is imported when the command runs.
 */
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import { json as jsonOption, transport } from "../options.js"

const flags = { transport, json: jsonOption }

export type DemoFlags = Command.Command.ParseConfig<typeof flags>

export const demoCommand = (setExitCode: (code: number) => void) =>
  Command.make("demo", flags, (values) =>
    Effect.flatMap(
      Effect.promise(() => import("../run/demo.js")),
      ({ runDemo }) => Effect.map(runDemo(values), setExitCode)
    )
  ).pipe(Command.withDescription("apply a sample file to a local emulator: see Uplink work without credentials"))
