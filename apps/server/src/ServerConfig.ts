/**
 * `ServerConfig`: how the server listens, guards and paces itself — host and port, the bearer token, the outbox file,
 * the flush interval, body and record limits, and the worker's lease and backoff. Read from the `UPLINK_*` variables of
 * DESIGN.md §6; the `--host`, `--port` and `--insecure` flags win over them. The token stays `Redacted`. A server that
 * has no token refuses to start unless it is bound to loopback and `--insecure` was given.
 */
import { Config, ConfigError, Context, Either, Layer, Option, Redacted } from "effect"

/** The settings of one server process. */
export interface ServerConfigShape {
  readonly host: string
  /** 0 picks a free port; the bound URL is logged. */
  readonly port: number
  /** The bearer token clients must send; `None` only with `insecure` on a loopback host. */
  readonly token: Option.Option<Redacted.Redacted<string>>
  readonly insecure: boolean
  /** The SQLite outbox file (WAL mode). */
  readonly databasePath: string
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
}

/** What the command line may override. */
export interface ServerFlags {
  readonly host?: string | undefined
  readonly port?: number | undefined
  readonly insecure?: boolean | undefined
}

const positiveInt = (name: string, fallback: number, options: { readonly min?: number; readonly max?: number } = {}) =>
  Config.integer(name).pipe(
    Config.withDefault(fallback),
    Config.validate({
      message: `${name} must be a whole number${options.min === undefined ? "" : ` ≥ ${options.min}`}${
        options.max === undefined ? "" : ` and ≤ ${options.max}`
      }`,
      validation: (value) => value >= (options.min ?? 1) && (options.max === undefined || value <= options.max)
    })
  )

const portConfig = positiveInt("UPLINK_PORT", 8787, { min: 0, max: 65535 })

/** Whether `host` only accepts connections from this machine. */
export const isLoopbackHost = (host: string): boolean => {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase()
  return bare === "localhost" || bare === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare)
}

/** Reads the `UPLINK_*` variables and applies the flags. */
export const serverConfig = (flags: ServerFlags = {}): Config.Config<ServerConfigShape> =>
  Config.all({
    host: Config.string("UPLINK_HOST").pipe(Config.withDefault("127.0.0.1")),
    port: portConfig,
    token: Config.option(Config.redacted("UPLINK_SERVER_TOKEN")).pipe(
      Config.map(Option.filter((token) => Redacted.value(token).trim() !== ""))
    ),
    databasePath: Config.string("UPLINK_DB").pipe(Config.withDefault("./uplink.db")),
    flushMs: positiveInt("UPLINK_FLUSH_MS", 5_000, { min: 0 }),
    batchSize: positiveInt("UPLINK_BATCH_SIZE", 1_000, { max: 1_000 }),
    maxBodyBytes: positiveInt("UPLINK_MAX_BODY_BYTES", 5 * 1024 * 1024),
    maxRecords: positiveInt("UPLINK_MAX_RECORDS", 10_000),
    leaseMs: positiveInt("UPLINK_LEASE_MS", 60_000, { min: 100 }),
    retryBaseMs: positiveInt("UPLINK_RETRY_BASE_MS", 1_000),
    retryMaxMs: positiveInt("UPLINK_RETRY_MAX_MS", 300_000),
    shutdownGraceMs: positiveInt("UPLINK_SHUTDOWN_GRACE_MS", 10_000, { min: 0 })
  }).pipe(
    Config.map((settings) => ({
      ...settings,
      host: flags.host ?? settings.host,
      port: flags.port ?? settings.port,
      insecure: flags.insecure ?? false
    })),
    Config.mapOrFail((settings): Either.Either<ServerConfigShape, ConfigError.ConfigError> => {
      if (settings.retryMaxMs < settings.retryBaseMs) {
        return Either.left(ConfigError.InvalidData(["UPLINK_RETRY_MAX_MS"], "must be ≥ UPLINK_RETRY_BASE_MS"))
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

/** The configuration service. */
export class ServerConfig extends Context.Tag("@uplink/server/ServerConfig")<ServerConfig, ServerConfigShape>() {
  /** From the environment, with the flags applied. */
  static layer(flags: ServerFlags = {}): Layer.Layer<ServerConfig, ConfigError.ConfigError> {
    return Layer.effect(ServerConfig, serverConfig(flags))
  }

  /** From values (tests). */
  static layerWith(values: Partial<ServerConfigShape>): Layer.Layer<ServerConfig> {
    return Layer.succeed(ServerConfig, {
      host: "127.0.0.1",
      port: 0,
      token: Option.none(),
      insecure: true,
      databasePath: ":memory:",
      flushMs: 5_000,
      batchSize: 1_000,
      maxBodyBytes: 5 * 1024 * 1024,
      maxRecords: 10_000,
      leaseMs: 60_000,
      retryBaseMs: 1_000,
      retryMaxMs: 300_000,
      shutdownGraceMs: 10_000,
      ...values
    })
  }
}
