/**
 * `uplink emulator [options]`: runs the local emulator in the foreground with the same options and
 * `UPLINK_EMULATOR_*` variables as the `uplink-emulator` bin (the options are handed to the emulator's own parser).
 */
import { Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { UserError } from "../userError.js"

const text = (name: string, description: string) =>
  Options.text(name).pipe(Options.withDescription(description), Options.optional)

const flags = {
  port: text("port", "port (default 8089; 0 picks a free one)"),
  host: text("host", "interface (default 127.0.0.1)"),
  demo: Options.boolean("demo").pipe(Options.withDescription("demo goals, and any 32-hex click id is a known click")),
  seed: text("seed", "JSON seed file with clicks and goals"),
  faults: text("faults", "JSON fault plan (latency, rate limit, failures, …)"),
  developerToken: text("developer-token", "developer token to accept"),
  customerId: text("customer-id", "customer id to accept"),
  accountId: text("account-id", "account id to accept"),
  accessToken: text("access-token", "access token to accept"),
  refreshToken: text("refresh-token", "refresh token to accept at the token endpoint"),
  rotateRefreshTokens: Options.boolean("rotate-refresh-tokens").pipe(
    Options.withDescription("issue a new refresh token on every refresh")
  )
}

const argv = (values: Command.Command.ParseConfig<typeof flags>): Array<string> => {
  const out: Array<string> = []
  const add = (name: string, value: Option.Option<string>) => {
    if (Option.isSome(value)) out.push(`--${name}`, value.value)
  }
  add("port", values.port)
  add("host", values.host)
  if (values.demo) out.push("--demo")
  add("seed", values.seed)
  add("faults", values.faults)
  add("developer-token", values.developerToken)
  add("customer-id", values.customerId)
  add("account-id", values.accountId)
  add("access-token", values.accessToken)
  add("refresh-token", values.refreshToken)
  if (values.rotateRefreshTokens) out.push("--rotate-refresh-tokens")
  return out
}

export const emulatorCommand = Command.make("emulator", flags, (values) =>
  Effect.gen(function* () {
    // Loaded here, not at start-up: only `demo` and `emulator` need the emulator.
    const { parseCommandLine, start } = yield* Effect.promise(() => import("@uplink/emulator"))
    const parsed = yield* Effect.try({
      try: () => parseCommandLine(argv(values), process.env),
      catch: (error) => new UserError({ message: error instanceof Error ? error.message : String(error) })
    })
    if (parsed._tag === "Help") return
    const emulator = yield* Effect.tryPromise({
      try: () => start(parsed.options),
      catch: (error) => new UserError({ message: error instanceof Error ? error.message : String(error) })
    })
    yield* Console.log(`emulator listening on ${emulator.url}`)
    yield* Effect.async<void>((resume) => {
      const stop = () => {
        process.off("SIGINT", stop)
        process.off("SIGTERM", stop)
        void emulator.stop().then(() => resume(Effect.void))
      }
      process.on("SIGINT", stop)
      process.on("SIGTERM", stop)
    })
  })
).pipe(Command.withDescription("run the local Campaign Management emulator (Ctrl-C stops it)"))
