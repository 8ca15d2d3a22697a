/**
 * `ServerConfig`: how the server listens, guards and paces itself — host and port, the bearer token, the outbox file,
 * the flush interval, body and record limits, the worker's lease and backoff, the database's pool and statement
 * timeout, how often the per-goal attribution report is polled, and how records are read (time zone and default phone region). `UPLINK_DB` names an SQLite file or a
 * PostgreSQL URL (`DatabaseTarget`; its password never appears in a message). Read from the `UPLINK_*` variables of DESIGN.md §6; the `--host`, `--port` and
 * `--insecure` flags win over them. Every numeric variable is a whole number within the range `numericSettings` gives
 * it, so a negative, fractional, huge or non-numeric value stops the start with a message that names the variable
 * and its range. The token stays `Redacted` and has at least 16 characters. A server that has no token refuses to
 * start unless it is bound to loopback and `--insecure` was given.
 */
import { type Hashing, OfflineConversions } from "@uplink/core"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { type DatabaseTarget, parseDatabaseTarget } from "./DatabaseTarget.js"

/** The settings of one server process. */
export interface ServerConfigShape {
  readonly host: string
  /** 0 picks a free port; the bound URL is logged. */
  readonly port: number
  /** The bearer token clients must send; `None` only with `insecure` on a loopback host. */
  readonly token: Option.Option<Redacted.Redacted<string>>
  readonly insecure: boolean
  /** Where the outbox lives: an SQLite file (WAL mode) or a PostgreSQL database shared by several instances. */
  readonly database: DatabaseTarget
  /** PostgreSQL: connections in this instance's pool. */
  readonly dbPoolSize: number
  /** PostgreSQL: the longest one statement may run before the server cancels it, in milliseconds (0: no limit). */
  readonly dbStatementTimeoutMs: number
  /** The longest a pending record waits for a fuller batch, in milliseconds. */
  readonly flushMs: number
  /** Records per delivery batch (the service takes at most 1,000 per request). */
  readonly batchSize: number
  readonly maxBodyBytes: number
  readonly maxRecords: number
  /** How long a claimed batch stays owned by its worker without a heartbeat before another may reclaim it. */
  readonly leaseMs: number
  /** First and longest wait before a record whose delivery failed transiently is tried again. */
  readonly retryBaseMs: number
  readonly retryMaxMs: number
  /** How long SIGTERM waits for an in-flight batch before it releases the batch for the next start. */
  readonly shutdownGraceMs: number
  /** The zone of times written without `Z` or an offset (`UPLINK_TIMEZONE`); without it such times are invalid. */
  readonly timeZone: Option.Option<DateTime.TimeZone.Named>
  /** The region of raw phone numbers written without a country code (`UPLINK_DEFAULT_REGION`). */
  readonly defaultRegion: Option.Option<Hashing.CountryCode>
  /** How often the per-goal attribution report is fetched, in milliseconds (`UPLINK_REPORT_POLL_INTERVAL`). */
  readonly reportPollIntervalMs: number
}

/** What the command line may override. */
export interface ServerFlags {
  readonly host?: string | undefined
  readonly port?: number | undefined
  readonly insecure?: boolean | undefined
}

/** The shortest bearer token the server accepts. */
export const MIN_TOKEN_LENGTH = 16

/** A numeric variable: its default and the range it must lie in (both ends included). */
export interface NumericSetting {
  readonly name: string
  readonly fallback: number
  readonly min: number
  readonly max: number
  readonly unit: string
}

const setting = (name: string, fallback: number, min: number, max: number, unit: string): NumericSetting => ({
  name,
  fallback,
  min,
  max,
  unit
})

const hour = 3_600_000

/**
 * Every numeric variable of the server with its range. The upper ends protect the process: a body is held in memory
 * and parsed as one string (V8 strings end at about 512 MiB), the records of one request are checked in one go, and
 * waits longer than these are mistakes rather than choices.
 */
export const numericSettings = {
  port: setting("UPLINK_PORT", 8787, 0, 65_535, "a TCP port; 0 picks a free one"),
  flushMs: setting("UPLINK_FLUSH_MS", 5_000, 0, hour, "milliseconds"),
  batchSize: setting("UPLINK_BATCH_SIZE", 1_000, 1, 1_000, "records per delivery request"),
  maxBodyBytes: setting("UPLINK_MAX_BODY_BYTES", 5 * 1024 * 1024, 1_024, 256 * 1024 * 1024, "bytes"),
  maxRecords: setting("UPLINK_MAX_RECORDS", 10_000, 1, 100_000, "records per request"),
  leaseMs: setting("UPLINK_LEASE_MS", 60_000, 100, hour, "milliseconds"),
  retryBaseMs: setting("UPLINK_RETRY_BASE_MS", 1_000, 1, hour, "milliseconds"),
  retryMaxMs: setting("UPLINK_RETRY_MAX_MS", 300_000, 1, 24 * hour, "milliseconds"),
  shutdownGraceMs: setting("UPLINK_SHUTDOWN_GRACE_MS", 10_000, 0, 10 * 60_000, "milliseconds"),
  dbPoolSize: setting("UPLINK_DB_POOL_SIZE", 10, 1, 100, "connections to PostgreSQL per instance"),
  dbStatementTimeoutMs: setting("UPLINK_DB_STATEMENT_TIMEOUT_MS", 30_000, 0, hour, "milliseconds; 0 means no limit"),
  reportPollIntervalMs: setting("UPLINK_REPORT_POLL_INTERVAL", hour, 1_000, 24 * hour, "milliseconds")
} as const satisfies Record<string, NumericSetting>

const grouped = (value: number) => value.toLocaleString("en-US")

/** The range of `spec` in words, for messages. */
export const describeRange = (spec: NumericSetting): string =>
  `a whole number from ${grouped(spec.min)} to ${grouped(spec.max)} (${spec.unit})`

/** The value of `text` for `spec`, or the message that says what is wrong with it. */
export const parseNumericSetting = (spec: NumericSetting, text: string): Either.Either<number, string> => {
  const trimmed = text.trim()
  const value = /^[0-9]{1,16}$/.test(trimmed) ? Number(trimmed) : Number.NaN
  if (value >= spec.min && value <= spec.max) return Either.right(value)
  const shown = trimmed.length > 40 ? `${trimmed.slice(0, 40)}…` : trimmed
  return Either.left(`${spec.name} must be ${describeRange(spec)}, got ${JSON.stringify(shown)}`)
}

/** The variable of `spec`: its default when unset or empty, else a whole number within its range. */
const numeric = (spec: NumericSetting): Config.Config<number> =>
  Config.option(Config.string(spec.name)).pipe(
    Config.mapOrFail((text) =>
      Option.isNone(text) || text.value.trim() === ""
        ? Either.right(spec.fallback)
        : Either.mapLeft(parseNumericSetting(spec, text.value), (message) =>
            ConfigError.InvalidData([spec.name], message)
          )
    )
  )

/** An optional text variable checked by `resolve` (core's rule); its message gets the variable's name in front. */
const resolved = <A>(
  name: string,
  resolve: (text: string) => Either.Either<A, string>
): Config.Config<Option.Option<A>> =>
  Config.option(Config.string(name)).pipe(
    Config.mapOrFail((text) => {
      if (Option.isNone(text) || text.value.trim() === "") return Either.right(Option.none<A>())
      return Either.match(resolve(text.value), {
        onLeft: (message) => Either.left(ConfigError.InvalidData([name], `${name}: ${message}`)),
        onRight: (value) => Either.right(Option.some(value))
      })
    })
  )

/**
 * The messages of a configuration error, one per problem, each naming its variable (Effect's own messages get the
 * variable's name in front when they do not already say it).
 */
export const configErrorMessages = (error: ConfigError.ConfigError): ReadonlyArray<string> => {
  switch (error._op) {
    case "And":
    case "Or":
      return [...configErrorMessages(error.left), ...configErrorMessages(error.right)]
    case "InvalidData":
    case "MissingData":
    case "SourceUnavailable":
    case "Unsupported": {
      const name = error.path.join(".")
      return [name === "" || error.message.includes(name) ? error.message : `${name}: ${error.message}`]
    }
  }
}

/** Whether `host` only accepts connections from this machine. */
export const isLoopbackHost = (host: string): boolean => {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase()
  return bare === "localhost" || bare === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare)
}

/** Reads the `UPLINK_*` variables and applies the flags. */
export const serverConfig = (flags: ServerFlags = {}): Config.Config<ServerConfigShape> =>
  Config.all({
    host: Config.string("UPLINK_HOST").pipe(Config.withDefault("127.0.0.1")),
    port: numeric(numericSettings.port),
    token: Config.option(Config.redacted("UPLINK_SERVER_TOKEN")).pipe(
      Config.map(Option.filter((token) => Redacted.value(token).trim() !== ""))
    ),
    database: Config.string("UPLINK_DB").pipe(
      Config.withDefault("./uplink.db"),
      Config.mapOrFail((text) =>
        Either.mapLeft(parseDatabaseTarget(text), (message) => ConfigError.InvalidData(["UPLINK_DB"], message))
      )
    ),
    dbPoolSize: numeric(numericSettings.dbPoolSize),
    dbStatementTimeoutMs: numeric(numericSettings.dbStatementTimeoutMs),
    flushMs: numeric(numericSettings.flushMs),
    batchSize: numeric(numericSettings.batchSize),
    maxBodyBytes: numeric(numericSettings.maxBodyBytes),
    maxRecords: numeric(numericSettings.maxRecords),
    leaseMs: numeric(numericSettings.leaseMs),
    retryBaseMs: numeric(numericSettings.retryBaseMs),
    retryMaxMs: numeric(numericSettings.retryMaxMs),
    shutdownGraceMs: numeric(numericSettings.shutdownGraceMs),
    reportPollIntervalMs: numeric(numericSettings.reportPollIntervalMs),
    timeZone: resolved("UPLINK_TIMEZONE", OfflineConversions.resolveTimeZone),
    defaultRegion: resolved("UPLINK_DEFAULT_REGION", OfflineConversions.resolveDefaultRegion)
  }).pipe(
    Config.map((settings) => ({
      ...settings,
      host: flags.host ?? settings.host,
      port: flags.port ?? settings.port,
      insecure: flags.insecure ?? false
    })),
    Config.mapOrFail((settings): Either.Either<ServerConfigShape, ConfigError.ConfigError> => {
      if (settings.retryMaxMs < settings.retryBaseMs) {
        return Either.left(
          ConfigError.InvalidData(
            ["UPLINK_RETRY_MAX_MS"],
            `UPLINK_RETRY_MAX_MS (${settings.retryMaxMs}) must be at least UPLINK_RETRY_BASE_MS (${settings.retryBaseMs})`
          )
        )
      }
      if (Option.isSome(settings.token) && Redacted.value(settings.token.value).length < MIN_TOKEN_LENGTH) {
        return Either.left(
          ConfigError.InvalidData(
            ["UPLINK_SERVER_TOKEN"],
            `UPLINK_SERVER_TOKEN must have at least ${MIN_TOKEN_LENGTH} characters, it has ` +
              `${Redacted.value(settings.token.value).length}: use a random one, e.g. \`openssl rand -hex 32\``
          )
        )
      }
      if (Option.isNone(settings.token)) {
        if (!settings.insecure) {
          return Either.left(
            ConfigError.MissingData(
              ["UPLINK_SERVER_TOKEN"],
              "UPLINK_SERVER_TOKEN is not set: set it to the bearer token clients must send, or, on a loopback host " +
                "only, start with --insecure to accept requests without a token"
            )
          )
        }
        if (!isLoopbackHost(settings.host)) {
          return Either.left(
            ConfigError.InvalidData(
              ["UPLINK_HOST"],
              `--insecure is only allowed on a loopback host (127.0.0.1, ::1, localhost), not ${settings.host}: ` +
                "set UPLINK_SERVER_TOKEN"
            )
          )
        }
      }
      return Either.right(settings)
    })
  )

/** Settings a test chooses: any field, and `databasePath` read as `UPLINK_DB` is. */
export type ServerSettings = Partial<ServerConfigShape> & { readonly databasePath?: string | undefined }

/** The configuration service. */
export class ServerConfig extends Context.Tag("@uplink/server/ServerConfig")<ServerConfig, ServerConfigShape>() {
  /** From the environment, with the flags applied. */
  static layer(flags: ServerFlags = {}): Layer.Layer<ServerConfig, ConfigError.ConfigError> {
    return Layer.effect(ServerConfig, serverConfig(flags))
  }

  /** From values (tests); `databasePath` is read as `UPLINK_DB` is (a file, `:memory:`, or a PostgreSQL URL). */
  static layerWith(values: ServerSettings): Layer.Layer<ServerConfig> {
    const { databasePath, ...rest } = values
    const database =
      databasePath === undefined
        ? undefined
        : Either.getOrThrowWith(parseDatabaseTarget(databasePath), (message) => new Error(message))
    return Layer.succeed(ServerConfig, {
      host: "127.0.0.1",
      port: 0,
      token: Option.none(),
      insecure: true,
      database: { _tag: "Sqlite", path: ":memory:" },
      dbPoolSize: 10,
      dbStatementTimeoutMs: 30_000,
      flushMs: 5_000,
      batchSize: 1_000,
      maxBodyBytes: 5 * 1024 * 1024,
      maxRecords: 10_000,
      leaseMs: 60_000,
      retryBaseMs: 1_000,
      retryMaxMs: 300_000,
      shutdownGraceMs: 10_000,
      timeZone: Option.none(),
      defaultRegion: Option.none(),
      reportPollIntervalMs: hour,
      ...rest,
      ...(database === undefined ? {} : { database })
    })
  }
}
