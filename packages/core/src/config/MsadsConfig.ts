/**
 * `MsadsConfig`: who calls the service and where — developer token, customer and account ids, environment or an
 * endpoint override, transport and request timeout. Built from the `MSADS_*` environment variables (the package README)
 * (`MsadsConfig.layer`) or from values (`MsadsConfig.make` / `MsadsConfig.layerWith`). Missing or malformed settings
 * fail at layer build with a `ConfigError` that names the variable. The developer token stays `Redacted`.
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Limits from "./Limits.js"

/** The Microsoft Advertising environment: it picks the service hosts and the OAuth scope. */
export type Environment = "production" | "sandbox"

/** The wire protocol: REST/JSON is the default; SOAP is Microsoft's documented protocol until 2027-01-31. */
export type TransportKind = "rest" | "soap"

/** Where requests go: the SOAP service URL and the base URL the REST paths are appended to. */
export interface Endpoints {
  readonly soap: string
  readonly restBase: string
}

/** The path of the SOAP service under a host. */
export const soapPath = "/Api/Advertiser/CampaignManagement/v13/CampaignManagementService.svc"

const hosts: Record<Environment, string> = {
  production: "https://campaign.api.bingads.microsoft.com",
  sandbox: "https://campaign.api.sandbox.bingads.microsoft.com"
}

/** The endpoints of an environment, or of a base URL override such as an emulator's `http://127.0.0.1:8089`. */
export const endpointsFor = (environment: Environment, endpoint?: string | URL | undefined): Endpoints => {
  const base = (endpoint === undefined ? hosts[environment] : String(endpoint)).replace(/\/+$/, "")
  return { soap: `${base}${soapPath}`, restBase: base }
}

/** The default per-request timeout. */
export const defaultRequestTimeout: Duration.Duration = Duration.seconds(60)

/** The settings every call needs. */
export interface MsadsConfigShape {
  readonly developerToken: Redacted.Redacted<string>
  readonly customerId: string
  readonly accountId: string
  readonly environment: Environment
  readonly endpoints: Endpoints
  readonly transport: TransportKind
  /**
   * How long one HTTP exchange (request and whole response body) may take before it is abandoned as a timeout
   * (`Limits.requestTimeout`: 1 second to 1 hour).
   */
  readonly requestTimeout: Duration.Duration
}

/** The values `MsadsConfig.make` accepts; omitted ones take their defaults. */
export interface MsadsConfigOptions {
  readonly developerToken: Redacted.Redacted<string> | string
  readonly customerId: string | number | bigint
  readonly accountId: string | number | bigint
  readonly environment?: Environment | undefined
  /** A base URL that replaces the environment's host (SOAP and REST paths are appended to it). */
  readonly endpoint?: string | URL | undefined
  readonly transport?: TransportKind | undefined
  readonly requestTimeout?: Duration.DurationInput | undefined
}

const isId = (value: string) => /^[1-9][0-9]{0,18}$/.test(value)

const idConfig = (name: string) =>
  Config.string(name).pipe(
    Config.mapOrFail((value) =>
      isId(value.trim())
        ? Either.right(value.trim())
        : Either.left(
            ConfigError.InvalidData([], `${name} must be a positive whole number (a Microsoft Advertising id)`)
          )
    )
  )

const endpointConfig = Config.string("MSADS_ENDPOINT").pipe(
  Config.mapOrFail((text) => {
    try {
      const url = new URL(text.trim())
      if (url.protocol === "http:" || url.protocol === "https:") return Either.right(url)
    } catch {
      // reported below
    }
    return Either.left(ConfigError.InvalidData([], `MSADS_ENDPOINT must be an http(s) base URL, got "${text}"`))
  })
)

/** Reads the configuration from the `MSADS_*` variables. */
export const fromEnv: Config.Config<MsadsConfigShape> = Config.all({
  developerToken: Config.string("MSADS_DEVELOPER_TOKEN").pipe(
    Config.mapOrFail((token) =>
      token.trim() === ""
        ? Either.left(ConfigError.InvalidData([], "MSADS_DEVELOPER_TOKEN must not be empty"))
        : Either.right(Redacted.make(token.trim()))
    )
  ),
  customerId: idConfig("MSADS_CUSTOMER_ID"),
  accountId: idConfig("MSADS_ACCOUNT_ID"),
  environment: Config.literal("production", "sandbox")("MSADS_ENVIRONMENT").pipe(Config.withDefault("production")),
  endpoint: Config.option(endpointConfig),
  transport: Config.literal("rest", "soap")("MSADS_TRANSPORT").pipe(Config.withDefault("rest")),
  requestTimeout: Config.option(Limits.durationConfig("MSADS_REQUEST_TIMEOUT", Limits.requestTimeout))
}).pipe(
  Config.map(
    (settings): MsadsConfigShape => ({
      developerToken: settings.developerToken,
      customerId: settings.customerId,
      accountId: settings.accountId,
      environment: settings.environment as Environment,
      endpoints: endpointsFor(settings.environment as Environment, Option.getOrUndefined(settings.endpoint)),
      transport: settings.transport as TransportKind,
      requestTimeout: Option.getOrElse(settings.requestTimeout, () => defaultRequestTimeout)
    })
  )
)

/** The configuration service. */
export class MsadsConfig extends Context.Tag("@uplink/core/MsadsConfig")<MsadsConfig, MsadsConfigShape>() {
  /** From the environment variables (`MSADS_DEVELOPER_TOKEN`, `MSADS_CUSTOMER_ID`, `MSADS_ACCOUNT_ID`, …). */
  static readonly layer: Layer.Layer<MsadsConfig, ConfigError.ConfigError> = Layer.effect(MsadsConfig, fromEnv)

  /**
   * The configuration from values; throws on an id that is not a positive whole number or a request timeout outside
   * `Limits.requestTimeout` (programming errors).
   */
  static make(options: MsadsConfigOptions): MsadsConfigShape {
    const customerId = String(options.customerId).trim()
    const accountId = String(options.accountId).trim()
    if (!isId(customerId)) throw new TypeError("customerId must be a positive whole number")
    if (!isId(accountId)) throw new TypeError("accountId must be a positive whole number")
    const requestTimeout =
      options.requestTimeout === undefined ? defaultRequestTimeout : Duration.decode(options.requestTimeout)
    const refused = Limits.problem("requestTimeout", Limits.requestTimeout, requestTimeout)
    if (refused !== undefined) throw new RangeError(refused)
    const environment = options.environment ?? "production"
    return {
      developerToken:
        typeof options.developerToken === "string" ? Redacted.make(options.developerToken) : options.developerToken,
      customerId,
      accountId,
      environment,
      endpoints: endpointsFor(environment, options.endpoint),
      transport: options.transport ?? "rest",
      requestTimeout
    }
  }

  /** A layer of `MsadsConfig.make(options)`. */
  static layerWith(options: MsadsConfigOptions): Layer.Layer<MsadsConfig> {
    return Layer.sync(MsadsConfig, () => MsadsConfig.make(options))
  }
}
