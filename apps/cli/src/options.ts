/**
 * The flags shared by the commands that talk to Microsoft (DESIGN.md §5), and how they reach core: a flag wins over
 * its environment variable by being put in front of the environment in the ConfigProvider core reads
 * (`--transport` → MSADS_TRANSPORT, `--environment` → MSADS_ENVIRONMENT, `--endpoint` → MSADS_ENDPOINT).
 * Numeric flags are checked when they are parsed against the ranges core states (`Limits`): a value that is not a
 * number or is out of range is refused with a message that names the flag and its range.
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Limits from "@uplink/core/Limits"
import * as ConfigProvider from "effect/ConfigProvider"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

/** A flag whose text is parsed and checked against `range` (`Limits`); the message names the flag and the range. */
const bounded = <A extends number | Duration.Duration>(name: string, range: Limits.Range, description: string) =>
  Options.text(name).pipe(
    Options.withDescription(`${description} (${Limits.describe(range)})`),
    Options.mapEffect((text) =>
      Either.match(Limits.parse(`--${name}`, range, text), {
        onLeft: (message) => Effect.fail(ValidationError.invalidValue(HelpDoc.p(message))),
        onRight: (value) => Effect.succeed(value as A)
      })
    )
  )

/** A whole-number flag within `range`. */
export const integerFlag = (name: string, range: Limits.IntegerRange, description: string) =>
  bounded<number>(name, range, description)

/** A number flag within `range`. */
export const numberFlag = (name: string, range: Limits.NumberRange, description: string) =>
  bounded<number>(name, range, description)

/** A duration flag within `range` ("30 seconds", "2 minutes", or milliseconds). */
export const durationFlag = (name: string, range: Limits.DurationRange, description: string) =>
  bounded<Duration.Duration>(name, range, description)

export const transport = Options.choice("transport", ["rest", "soap"]).pipe(
  Options.withDescription("rest (default) or soap; overrides MSADS_TRANSPORT"),
  Options.optional
)
export const environment = Options.choice("environment", ["production", "sandbox"]).pipe(
  Options.withDescription("production (default) or sandbox; overrides MSADS_ENVIRONMENT"),
  Options.optional
)
export const endpoint = Options.text("endpoint").pipe(
  Options.withDescription(
    "base URL of the service, e.g. http://127.0.0.1:8089 for the emulator; overrides MSADS_ENDPOINT"
  ),
  Options.optional
)
export const verbose = Options.boolean("verbose").pipe(
  Options.withDescription("show the cause chain and TrackingIds of errors")
)
export const json = Options.boolean("json").pipe(Options.withDescription("print a machine-readable summary"))

export const connection = { transport, environment, endpoint, verbose }

/** Where the ledger of what was sent is kept (`src/ledger.ts`), or that it is off. */
export const ledgerFlags = {
  ledger: Options.text("ledger").pipe(
    Options.withDescription(
      "the ledger file of what was sent (counts only); overrides UPLINK_LEDGER (default " +
        "$XDG_STATE_HOME/uplink/ledger.db, else ~/.local/state/uplink/ledger.db)"
    ),
    Options.optional
  ),
  noLedger: Options.boolean("no-ledger").pipe(
    Options.withDescription("keep no ledger of what was sent (also UPLINK_LEDGER=off)")
  )
}

export interface ConnectionFlags {
  readonly transport: Option.Option<"rest" | "soap">
  readonly environment: Option.Option<"production" | "sandbox">
  readonly endpoint: Option.Option<string>
}

/**
 * The environment with the flags (and `extra` settings, e.g. the demo's) in front of it, for core's `Config`. The
 * environment is the ConfigProvider in place (the process environment, unless a test provides another).
 */
export const configLayer = (flags: ConnectionFlags, extra?: ReadonlyMap<string, string>): Layer.Layer<never> => {
  const overrides = new Map<string, string>(extra)
  if (Option.isSome(flags.transport)) overrides.set("MSADS_TRANSPORT", flags.transport.value)
  if (Option.isSome(flags.environment)) overrides.set("MSADS_ENVIRONMENT", flags.environment.value)
  if (Option.isSome(flags.endpoint)) overrides.set("MSADS_ENDPOINT", flags.endpoint.value)
  return Layer.unwrapEffect(
    Effect.configProviderWith((environment) =>
      Effect.succeed(
        Layer.setConfigProvider(ConfigProvider.fromMap(overrides).pipe(ConfigProvider.orElse(() => environment)))
      )
    )
  )
}
