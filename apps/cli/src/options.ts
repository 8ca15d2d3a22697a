/**
 * The flags shared by the commands that talk to Microsoft (DESIGN.md §5), and how they reach core: a flag wins over
 * its environment variable by being put in front of the environment in the ConfigProvider core reads
 * (`--transport` → MSADS_TRANSPORT, `--environment` → MSADS_ENVIRONMENT, `--endpoint` → MSADS_ENDPOINT).
 */
import { Options } from "@effect/cli"
import { CampaignManagement } from "@uplink/core"
import { ConfigProvider, Layer, Option } from "effect"

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

export interface ConnectionFlags {
  readonly transport: Option.Option<"rest" | "soap">
  readonly environment: Option.Option<"production" | "sandbox">
  readonly endpoint: Option.Option<string>
}

/** The environment with the flags (and `extra` settings, e.g. the demo's) in front of it, for core's `Config`. */
export const configLayer = (flags: ConnectionFlags, extra?: ReadonlyMap<string, string>): Layer.Layer<never> => {
  const overrides = new Map<string, string>(extra)
  if (Option.isSome(flags.transport)) overrides.set("MSADS_TRANSPORT", flags.transport.value)
  if (Option.isSome(flags.environment)) overrides.set("MSADS_ENVIRONMENT", flags.environment.value)
  if (Option.isSome(flags.endpoint)) overrides.set("MSADS_ENDPOINT", flags.endpoint.value)
  const provider = ConfigProvider.fromMap(overrides).pipe(ConfigProvider.orElse(() => ConfigProvider.fromEnv()))
  return Layer.setConfigProvider(provider)
}

/** The Campaign Management client built from the flags (and `extra` settings) over the environment. */
export const clientLayer = (flags: ConnectionFlags, extra?: ReadonlyMap<string, string>) =>
  CampaignManagement.layerConfig.pipe(Layer.provide(configLayer(flags, extra)))
