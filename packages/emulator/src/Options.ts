/**
 * The emulator's options (packages/emulator/README.md, "Run it") and how they are read: programmatically, from `uplink-emulator` / `uplink
 * emulator` flags, and from `UPLINK_EMULATOR_*` variables (flags win). Also the demo goals and the seed file loader.
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import { type Credentials, defaultCredentials } from "./domain/Credentials.js"
import { EmulatedService } from "./domain/EmulatedService.js"
import { FaultConfig } from "./domain/FaultPlan.js"
import type { GoalSpec } from "./domain/Goals.js"
import { decodeJson, goalSpec, SeedFile } from "./domain/Seed.js"
import { type Clock, systemClock } from "./domain/Time.js"
import { defaultOAuthSettings, type OAuthSettings } from "./domain/TokenStore.js"

export const DEFAULT_PORT = 8089
export const DEFAULT_HOST = "127.0.0.1"
/** Largest request body the API endpoints decode (the service's own limit is not documented). */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024

/** OAuth behaviour that tests may change (see TokenStore). */
export type OAuthOptions = Partial<Omit<OAuthSettings, "accessToken" | "refreshToken">>

/** Options of `start` / `layer` and of the bin. Everything is optional. */
export interface EmulatorOptions {
  /** TCP port; 0 picks a free one (the handle reports it). Default 8089. */
  readonly port?: number | undefined
  /** Interface to listen on. Default 127.0.0.1 (loopback). */
  readonly host?: string | undefined
  /** Demo mode: demo goals three hours old, and any 32-hex click id is a click one minute before its conversion. */
  readonly demo?: boolean | undefined
  /** A seed file path, or its parsed content. */
  readonly seed?: string | SeedFile | undefined
  /** Credentials to accept instead of the defaults. */
  readonly credentials?: Partial<Credentials> | undefined
  /** "Now" for the rules, token expiry and rate windows. Default: the system clock. */
  readonly clock?: (() => Date | number) | undefined
  /** The initial fault plan (the admin API can change it). */
  readonly faults?: FaultConfig | undefined
  /** Token endpoint behaviour (refresh-token rotation, lifetimes, device-code approval). */
  readonly oauth?: OAuthOptions | undefined
  /** Largest request body decoded. Default 10 MB. */
  readonly maxBodyBytes?: number | undefined
}

/** Why the emulator could not be set up from its options. */
export class EmulatorConfigError extends Data.TaggedError("EmulatorConfigError")<{
  readonly reason: "InvalidOption" | "SeedFile"
  readonly message: string
}> {
  /** A configuration problem does not go away by trying again. */
  get isRetryable(): boolean {
    return false
  }
}

/** The goals demo mode seeds (three hours old): the names the bundled demo files use. */
export const demoGoals: ReadonlyArray<GoalSpec> = [
  {
    name: "Offline Purchase",
    revenue: { type: "VariableValue", value: 10, currencyCode: "USD" },
    goalCategory: "Purchase"
  },
  {
    name: "Offline Lead",
    countType: "Unique",
    revenue: { type: "FixedValue", value: 25, currencyCode: "USD" },
    goalCategory: "SubmitLeadForm"
  },
  { name: "My Offline Conversion Goal", goalCategory: "Other" }
]

const toClock = (clock: EmulatorOptions["clock"]): Clock => {
  if (clock === undefined) return systemClock
  return () => {
    const now = clock()
    return typeof now === "number" ? now : now.getTime()
  }
}

const readSeed = (seed: string | SeedFile): SeedFile => {
  let json: unknown = seed
  if (typeof seed === "string") {
    try {
      json = JSON.parse(readFileSync(seed, "utf8"))
    } catch (error) {
      throw new EmulatorConfigError({
        reason: "SeedFile",
        message: `seed file ${seed}: ${error instanceof Error ? error.message : String(error)}`
      })
    }
  }
  const decoded = decodeJson(SeedFile, json)
  if (Either.isLeft(decoded)) {
    throw new EmulatorConfigError({
      reason: "SeedFile",
      message: `seed ${typeof seed === "string" ? seed : "(object)"}: ${decoded.left}`
    })
  }
  return decoded.right
}

/** Builds the emulated service the options describe (demo goals, seed, faults); throws EmulatorConfigError. */
export const makeEmulatedService = (options: EmulatorOptions = {}): EmulatedService => {
  const service = new EmulatedService({
    clock: toClock(options.clock),
    credentials: { ...defaultCredentials, ...options.credentials },
    demo: options.demo ?? false,
    oauth: { ...defaultOAuthSettings, ...options.oauth }
  })
  try {
    if (options.demo) service.registerGoals(demoGoals)
    if (options.seed !== undefined) {
      const seed = readSeed(options.seed)
      if (seed.clicks !== undefined) service.registerClicks(seed.clicks)
      if (seed.goals !== undefined) service.registerGoals(seed.goals.map(goalSpec))
    }
    if (options.faults !== undefined) {
      const faults = decodeJson(FaultConfig, options.faults)
      if (Either.isLeft(faults)) throw new EmulatorConfigError({ reason: "InvalidOption", message: faults.left })
      service.faults.configure(faults.right)
    }
  } catch (error) {
    if (error instanceof EmulatorConfigError) throw error
    throw new EmulatorConfigError({
      reason: "SeedFile",
      message: error instanceof Error ? error.message : String(error)
    })
  }
  return service
}

// ===== Flags and environment =====

/** The environment variables the bin reads (flags win). */
export const environmentVariables = {
  port: "UPLINK_EMULATOR_PORT",
  host: "UPLINK_EMULATOR_HOST",
  demo: "UPLINK_EMULATOR_DEMO",
  seed: "UPLINK_EMULATOR_SEED",
  faults: "UPLINK_EMULATOR_FAULTS",
  developerToken: "UPLINK_EMULATOR_DEVELOPER_TOKEN",
  customerId: "UPLINK_EMULATOR_CUSTOMER_ID",
  accountId: "UPLINK_EMULATOR_ACCOUNT_ID",
  accessToken: "UPLINK_EMULATOR_ACCESS_TOKEN",
  refreshToken: "UPLINK_EMULATOR_REFRESH_TOKEN",
  rotateRefreshTokens: "UPLINK_EMULATOR_ROTATE_REFRESH_TOKENS"
} as const

/** Usage text of the bin (and of `uplink emulator`). */
export const usage = `Usage: uplink-emulator [options]

Runs a local Microsoft Advertising Campaign Management v13 emulator (SOAP, REST, OAuth, admin API).

Options (environment variable in brackets; flags win):
  --port <n>               TCP port, 0 picks a free one [UPLINK_EMULATOR_PORT] (default ${DEFAULT_PORT})
  --host <address>         interface to listen on [UPLINK_EMULATOR_HOST] (default ${DEFAULT_HOST})
  --demo                   demo goals, any 32-hex click id accepted [UPLINK_EMULATOR_DEMO=1]
  --seed <file>            clicks and goals to load [UPLINK_EMULATOR_SEED]
  --faults <json>          initial fault plan, as POST /__emulator/faults takes it [UPLINK_EMULATOR_FAULTS]
  --developer-token <t>    developer token to accept [UPLINK_EMULATOR_DEVELOPER_TOKEN] (default ${defaultCredentials.developerToken})
  --customer-id <id>       customer id to accept [UPLINK_EMULATOR_CUSTOMER_ID] (default ${defaultCredentials.customerId})
  --account-id <id>        account id to accept [UPLINK_EMULATOR_ACCOUNT_ID] (default ${defaultCredentials.accountId})
  --access-token <t>       access token to accept [UPLINK_EMULATOR_ACCESS_TOKEN]
  --refresh-token <t>      refresh token the token endpoint accepts [UPLINK_EMULATOR_REFRESH_TOKEN]
  --rotate-refresh-tokens  answer each refresh with a new refresh token [UPLINK_EMULATOR_ROTATE_REFRESH_TOKENS=1]
  -h, --help               show this text
`

const truthy = (value: string | undefined): boolean | undefined =>
  value === undefined || value === "" ? undefined : /^(1|true|yes|on)$/i.test(value)

const parsePort = (value: string | undefined, from: string): number | undefined => {
  if (value === undefined || value === "") return undefined
  const port = /^[0-9]{1,5}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new EmulatorConfigError({
      reason: "InvalidOption",
      message: `${from}: ${JSON.stringify(value)} is not a TCP port (a whole number from 0 to 65535)`
    })
  }
  return port
}

const parseFaults = (value: string | undefined, from: string): FaultConfig | undefined => {
  if (value === undefined || value === "") return undefined
  try {
    return JSON.parse(value) as FaultConfig
  } catch {
    throw new EmulatorConfigError({ reason: "InvalidOption", message: `${from}: the fault plan is not JSON` })
  }
}

/** What the command line asked for: run with options, or show the usage text. */
export type CommandLine = { readonly _tag: "Run"; readonly options: EmulatorOptions } | { readonly _tag: "Help" }

/**
 * Reads the bin's flags and `UPLINK_EMULATOR_*` variables into options (flags win over variables). Throws
 * EmulatorConfigError for an unknown flag or a bad value.
 */
export const parseCommandLine = (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>
): CommandLine => {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        demo: { type: "boolean" },
        seed: { type: "string" },
        faults: { type: "string" },
        "developer-token": { type: "string" },
        "customer-id": { type: "string" },
        "account-id": { type: "string" },
        "access-token": { type: "string" },
        "refresh-token": { type: "string" },
        "rotate-refresh-tokens": { type: "boolean" },
        help: { type: "boolean", short: "h" }
      }
    }).values
  } catch (error) {
    throw new EmulatorConfigError({
      reason: "InvalidOption",
      message: error instanceof Error ? error.message : String(error)
    })
  }
  if (values.help === true) return { _tag: "Help" }
  const flag = (name: string): string | undefined => values[name] as string | undefined
  const pick = (name: string, variable: string): string | undefined => flag(name) ?? env[variable] ?? undefined
  const vars = environmentVariables
  const credentials: Partial<Record<keyof Credentials, string>> = {}
  const credentialFlags = [
    ["developerToken", "developer-token"],
    ["customerId", "customer-id"],
    ["accountId", "account-id"],
    ["accessToken", "access-token"],
    ["refreshToken", "refresh-token"]
  ] as const
  for (const [key, name] of credentialFlags) {
    const value = pick(name, vars[key])
    if (value !== undefined && value !== "") credentials[key] = value
  }
  const rotate = (values["rotate-refresh-tokens"] as boolean | undefined) ?? truthy(env[vars.rotateRefreshTokens])
  return {
    _tag: "Run",
    options: {
      port: flag("port") !== undefined ? parsePort(flag("port"), "--port") : parsePort(env[vars.port], vars.port),
      host: pick("host", vars.host) || undefined,
      demo: (values.demo as boolean | undefined) ?? truthy(env[vars.demo]) ?? false,
      seed: pick("seed", vars.seed) || undefined,
      faults:
        flag("faults") !== undefined
          ? parseFaults(flag("faults"), "--faults")
          : parseFaults(env[vars.faults], vars.faults),
      credentials,
      oauth: rotate === undefined ? {} : { rotateRefreshTokens: rotate }
    }
  }
}
