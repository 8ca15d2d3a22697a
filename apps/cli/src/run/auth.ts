/**
 * The runs of `uplink auth login | status | logout` (imported when a command runs; the definitions are in
 * `../commands/auth.ts`): OAuth device-code sign-in that stores the refresh token in the token file
 * (mode 0600), a status that shows who and which environment without printing any secret, and logout.
 */
import { layerNodeHttpClient, signInWithDeviceCode, TokenStore } from "@uplink/core"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { AuthFlags, StatusFlags } from "../commands/auth.js"
import { configLayer } from "../options.js"
import { UserError } from "../userError.js"

const settings = (flags: {
  readonly clientId: Option.Option<string>
  readonly authority: Option.Option<string>
  readonly environment: Option.Option<"production" | "sandbox">
}) =>
  Effect.gen(function* () {
    const env = yield* Config.all({
      clientId: Config.option(Config.string("MSADS_CLIENT_ID")),
      authority: Config.option(Config.string("MSADS_AUTHORITY")),
      environment: Config.literal("production", "sandbox")("MSADS_ENVIRONMENT").pipe(Config.withDefault("production"))
    })
    const clientId = Option.orElse(flags.clientId, () => env.clientId).pipe(
      Option.map((id) => id.trim()),
      Option.filter((id) => id !== "")
    )
    if (Option.isNone(clientId)) {
      return yield* new UserError({
        message:
          "MSADS_CLIENT_ID is not set: set it (or pass --client-id) to your OAuth application id registered for Microsoft Advertising."
      })
    }
    return {
      clientId: clientId.value,
      authority: Option.getOrUndefined(Option.orElse(flags.authority, () => env.authority)),
      environment: Option.getOrElse(flags.environment, () => env.environment as "production" | "sandbox")
    }
  }).pipe(
    Effect.provide(configLayer({ transport: Option.none(), environment: flags.environment, endpoint: Option.none() }))
  )

const storeLayer = TokenStore.layerConfig

/** `uplink auth login`. */
export const login = (flags: AuthFlags) =>
  Effect.gen(function* () {
    const { clientId, authority, environment: env } = yield* settings(flags)
    const refreshToken = yield* signInWithDeviceCode({
      authority,
      clientId,
      environment: env,
      show: (code) =>
        Effect.zipRight(
          Console.log(code.message ?? `To sign in, open ${code.verificationUri} and enter the code ${code.userCode}`),
          Console.log("Waiting for you to sign in…")
        )
    })
    const store = yield* TokenStore
    yield* store.save({ clientId, environment: env }, refreshToken)
    yield* Console.log(`Signed in (${env}). The refresh token is stored in ${store.location} (readable by you only).`)
  }).pipe(Effect.provide(Layer.merge(layerNodeHttpClient, storeLayer)))

/** `uplink auth status`. */
export const status = (flags: StatusFlags) =>
  Effect.gen(function* () {
    const config = yield* Config.all({
      customerId: Config.option(Config.string("MSADS_CUSTOMER_ID")),
      accountId: Config.option(Config.string("MSADS_ACCOUNT_ID")),
      developerToken: Config.option(Config.string("MSADS_DEVELOPER_TOKEN")),
      accessToken: Config.option(Config.string("MSADS_ACCESS_TOKEN")),
      endpoint: Config.option(Config.string("MSADS_ENDPOINT"))
    }).pipe(
      Effect.provide(configLayer({ transport: Option.none(), environment: flags.environment, endpoint: Option.none() }))
    )
    const auth = yield* Effect.either(settings(flags))
    const store = yield* TokenStore
    const stored =
      auth._tag === "Right"
        ? yield* store.load({ clientId: auth.right.clientId, environment: auth.right.environment })
        : Option.none()
    const report = {
      environment:
        auth._tag === "Right" ? auth.right.environment : Option.getOrElse(flags.environment, () => "production"),
      endpoint: Option.getOrNull(config.endpoint),
      clientId: auth._tag === "Right" ? auth.right.clientId : null,
      customerId: Option.getOrNull(config.customerId),
      accountId: Option.getOrNull(config.accountId),
      developerToken: Option.isSome(config.developerToken) ? "set" : "not set",
      credentials: Option.isSome(config.accessToken)
        ? "MSADS_ACCESS_TOKEN (static access token)"
        : Option.isSome(stored)
          ? `refresh token stored in ${store.location}`
          : "none: run `uplink auth login`",
      tokenFile: store.location
    }
    if (flags.json) {
      yield* Console.log(JSON.stringify(report))
      return
    }
    const rows: Array<[string, string]> = [
      ["environment", report.environment],
      ["endpoint", report.endpoint ?? "(Microsoft's)"],
      ["client id", report.clientId ?? "not set (MSADS_CLIENT_ID)"],
      ["customer id", report.customerId ?? "not set (MSADS_CUSTOMER_ID)"],
      ["account id", report.accountId ?? "not set (MSADS_ACCOUNT_ID)"],
      ["developer token", report.developerToken],
      ["credentials", report.credentials]
    ]
    yield* Console.log(rows.map(([k, v]) => `${k.padEnd(16)} ${v}`).join("\n"))
  }).pipe(Effect.provide(storeLayer))

/** `uplink auth logout`. */
export const logout = (flags: AuthFlags) =>
  Effect.gen(function* () {
    const { clientId, environment: env } = yield* settings(flags)
    const store = yield* TokenStore
    yield* store.remove({ clientId, environment: env })
    yield* Console.log(`Signed out (${env}): the refresh token was removed from ${store.location}.`)
  }).pipe(Effect.provide(storeLayer))
