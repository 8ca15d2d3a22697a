/**
 * The `uplink` command tree (the root README, "The CLI") and its runner: parses argv with @effect/cli, runs the command, turns any
 * failure into a one- or two-line message (never a stack trace; `--verbose` adds the cause chain and TrackingIds), and
 * resolves to the process exit code. `run` is the runner as an Effect: it prints through the Effect `Console` and reads
 * settings through the `ConfigProvider` in place, so tests run the CLI in-process with their own environment.
 */
import * as Command from "@effect/cli/Command"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import { type ApplyTuning, applyCommand } from "./commands/apply.js"
import { authCommand } from "./commands/auth.js"
import { demoCommand } from "./commands/demo.js"
import { emulatorCommand } from "./commands/emulator.js"
import { goalsCommand } from "./commands/goals.js"
import { reportCommand } from "./commands/report.js"
import { describeFailure } from "./userError.js"
import manifest from "../package.json" with { type: "json" }

/** The version of @uplink/cli (`uplink --version`): its package.json's, which `changeset version` sets. */
export const VERSION: string = manifest.version

/**
 * @effect/cli stops reading flags after a lone `-`; `uplink apply - --dry-run` must still see `--dry-run`, so the
 * standard-input marker of `apply` / `adjust` is moved behind the flags.
 */
const stdinLast = (argv: ReadonlyArray<string>): ReadonlyArray<string> => {
  const command = argv[2]
  if ((command !== "apply" && command !== "adjust") || !argv.includes("-")) return argv
  return [...argv.filter((arg) => arg !== "-"), "-"]
}

const usageErrors = new Set([
  "CommandMismatch",
  "CorrectedFlag",
  "InvalidArgument",
  "InvalidValue",
  "MissingValue",
  "MissingFlag",
  "MultipleValuesDetected",
  "MissingSubcommand",
  "NoBuiltInMatch",
  "UnclusteredFlag",
  "HelpRequested"
])

/** Settings of a run that are not flags (tests shorten the Ctrl-C grace period and the retry backoff). */
export interface RunOptions {
  readonly apply?: ApplyTuning | undefined
}

/** Runs the CLI with `argv` (as process.argv: node, script, args…) and succeeds with the exit code. */
export const run = (argv: ReadonlyArray<string>, options: RunOptions = {}): Effect.Effect<number> =>
  Effect.gen(function* () {
    let exitCode = 0
    const setExitCode = (code: number) => {
      exitCode = code
    }
    const root = Command.make("uplink").pipe(
      Command.withDescription("send offline conversions to Microsoft Advertising"),
      Command.withSubcommands([
        applyCommand("apply", setExitCode, options.apply),
        applyCommand("adjust", setExitCode, options.apply),
        goalsCommand,
        reportCommand,
        authCommand,
        emulatorCommand,
        demoCommand(setExitCode)
      ])
    )
    const cli = Command.run(root, { name: "uplink", version: VERSION })
    const verbose = argv.includes("--verbose")
    const exit = yield* cli(stdinLast(argv)).pipe(
      Effect.provide(NodeContext.layer),
      Logger.withMinimumLogLevel(verbose ? LogLevel.Debug : LogLevel.Warning),
      Effect.provide(Logger.replace(Logger.defaultLogger, Logger.prettyLogger({ stderr: true, colors: false }))),
      Effect.exit
    )
    if (Exit.isSuccess(exit)) return exitCode
    const failure = Cause.failureOption(exit.cause)
    // @effect/cli has already printed usage errors (unknown flag, missing argument, a flag value it refused).
    if (
      failure._tag === "Some" &&
      typeof failure.value === "object" &&
      failure.value !== null &&
      "_tag" in failure.value
    ) {
      const tag = String((failure.value as { _tag: unknown })._tag)
      if (usageErrors.has(tag)) return tag === "HelpRequested" ? 0 : 1
    }
    yield* Console.error(describeFailure(exit.cause, verbose))
    return 1
  })

/** Runs the CLI with `argv` (as process.argv: node, script, args…) and resolves to the exit code. */
export const main = (argv: ReadonlyArray<string>): Promise<number> => Effect.runPromise(run(argv))
