/**
 * `Auth`: the access token for each call. Either a static token, or OAuth: a refresh token (from the `TokenStore`,
 * seeded by `MSADS_REFRESH_TOKEN`) exchanged for access tokens that are cached and refreshed before they expire.
 * Concurrent callers share one refresh (single flight); after error 109 the caller asks for a refresh once and
 * retries once. A refresh token rotated by the server is persisted through the `TokenStore`; `invalid_grant`
 * becomes an `AuthenticationError` that tells the user to log in again.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { MsadsConfig } from "../config/MsadsConfig.js"
import { AuthenticationError } from "../errors/CampaignManagementError.js"
import { defaultAuthority, type OAuthFailure, refreshAccessToken, scopeFor, tokenEndpoint } from "./OAuthClient.js"
import { TokenStore, type TokenStoreError } from "./TokenStore.js"

/** Why no access token could be had. */
export type AuthFailure = OAuthFailure

/** The service. */
export interface AuthShape {
  readonly mode: "static" | "oauth"
  /** A valid access token: the cached one, or a fresh one when it is expired or about to expire. */
  readonly accessToken: Effect.Effect<Redacted.Redacted<string>, AuthFailure>
  /**
   * After the service rejected `rejected` with 109: a newer token. Callers that saw the same rejected token share
   * one refresh; a static token cannot be refreshed and fails with `AuthenticationError` (`TokenExpired`).
   */
  readonly refreshAfterExpiry: (
    rejected: Redacted.Redacted<string>
  ) => Effect.Effect<Redacted.Redacted<string>, AuthFailure>
}

/** OAuth settings (the refresh token itself comes from the `TokenStore`, seeded by `refreshToken`). */
export interface OAuthOptions {
  readonly clientId: string
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  /** Seeds the token store when it holds no token for this client id and environment. */
  readonly refreshToken?: Redacted.Redacted<string> | undefined
  /** Default `https://login.microsoftonline.com/common`; the token endpoint is `<authority>/oauth2/v2.0/token`. */
  readonly authority?: string | undefined
  /** Default: the environment's `msads.manage` scope plus `offline_access`. */
  readonly scope?: string | undefined
  /** Refresh this long before the access token expires (at most half its lifetime). Default 5 minutes. */
  readonly refreshMargin?: Duration.DurationInput | undefined
}

interface CachedToken {
  readonly token: Redacted.Redacted<string>
  readonly expiresAt: number
  readonly refreshAt: number
}

/** An auth that always returns `token`. */
export const makeStatic = (token: Redacted.Redacted<string>): AuthShape => ({
  mode: "static",
  accessToken: Effect.succeed(token),
  refreshAfterExpiry: () =>
    Effect.fail(
      new AuthenticationError({
        kind: "TokenExpired",
        code: 109,
        errorCode: "AuthenticationTokenExpired",
        detail:
          "the static access token (MSADS_ACCESS_TOKEN) expired and cannot be refreshed; supply a new one, or set " +
          "MSADS_CLIENT_ID with a refresh token so that tokens are refreshed automatically"
      })
    )
})

/** An OAuth refresh-token auth; reads the token store once, when built. */
export const makeOAuth = (
  options: OAuthOptions
): Effect.Effect<AuthShape, AuthenticationError | TokenStoreError, MsadsConfig | TokenStore | HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const config = yield* MsadsConfig
    const store = yield* TokenStore
    const client = yield* HttpClient.HttpClient
    const key = { clientId: options.clientId, environment: config.environment }
    const endpoint = tokenEndpoint(options.authority ?? defaultAuthority)
    const scope = options.scope ?? scopeFor(config.environment)
    const margin = Duration.toMillis(options.refreshMargin ?? Duration.minutes(5))

    const stored = yield* store.load(key)
    const initialRefreshToken = yield* Option.match(stored, {
      onSome: Effect.succeed,
      onNone: () =>
        options.refreshToken === undefined
          ? Effect.fail(
              new AuthenticationError({
                kind: "NotLoggedIn",
                code: undefined,
                errorCode: undefined,
                detail:
                  `no refresh token for client id ${options.clientId} (${config.environment}): run \`uplink auth login\` ` +
                  `or set MSADS_REFRESH_TOKEN (token store: ${store.location})`
              })
            )
          : store.save(key, options.refreshToken).pipe(
              Effect.catchAll((error) => Effect.logWarning(`refresh token not saved: ${error.message}`)),
              Effect.as(options.refreshToken)
            )
    })

    const refreshToken = yield* Ref.make(initialRefreshToken)
    const cached = yield* Ref.make(Option.none<CachedToken>())
    const dead = yield* Ref.make(Option.none<AuthenticationError>())
    const lock = yield* Effect.makeSemaphore(1)

    const persistRotated = (next: Redacted.Redacted<string>) =>
      Effect.gen(function* () {
        const current = yield* Ref.get(refreshToken)
        if (Redacted.value(current) === Redacted.value(next)) return
        yield* Ref.set(refreshToken, next)
        yield* store.save(key, next).pipe(
          Effect.tap(() => Effect.logDebug(`rotated refresh token saved to ${store.location}`)),
          Effect.catchAll((error) => Effect.logWarning(`rotated refresh token not saved: ${error.message}`))
        )
      })

    const refresh: Effect.Effect<Redacted.Redacted<string>, AuthFailure> = Effect.gen(function* () {
      const failure = yield* Ref.get(dead)
      if (Option.isSome(failure)) return yield* failure.value
      const grant = yield* refreshAccessToken({
        endpoint,
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        refreshToken: yield* Ref.get(refreshToken),
        scope,
        timeout: config.requestTimeout
      }).pipe(
        Effect.provideService(HttpClient.HttpClient, client),
        Effect.tapError((error) =>
          error._tag === "AuthenticationError" && error.kind === "InvalidGrant"
            ? Ref.set(dead, Option.some(error))
            : Effect.void
        )
      )
      if (grant.scope !== undefined && !grant.scope.includes("msads.manage")) {
        return yield* new AuthenticationError({
          kind: "OAuth",
          code: undefined,
          errorCode: "insufficient_scope",
          detail: "the access token was not granted the msads.manage scope; log in again and consent to it"
        })
      }
      const now = yield* Clock.currentTimeMillis
      const lifetime = Duration.toMillis(grant.expiresIn)
      yield* Ref.set(
        cached,
        Option.some({
          token: grant.accessToken,
          expiresAt: now + lifetime,
          refreshAt: now + lifetime - Math.min(margin, lifetime / 2)
        })
      )
      if (Option.isSome(grant.refreshToken)) yield* persistRotated(grant.refreshToken.value)
      yield* Effect.logDebug(`access token refreshed, valid for ${Duration.format(grant.expiresIn)}`)
      return grant.accessToken
    }).pipe(Effect.withSpan("Auth.refresh"))

    const usable = (entry: Option.Option<CachedToken>, now: number) =>
      Option.filter(entry, (token) => now < token.refreshAt)

    const accessToken = Effect.gen(function* () {
      const fast = usable(yield* Ref.get(cached), yield* Clock.currentTimeMillis)
      if (Option.isSome(fast)) return fast.value.token
      return yield* lock.withPermits(1)(
        Effect.gen(function* () {
          const again = usable(yield* Ref.get(cached), yield* Clock.currentTimeMillis)
          return Option.isSome(again) ? again.value.token : yield* refresh
        })
      )
    })

    const refreshAfterExpiry = (rejected: Redacted.Redacted<string>) =>
      lock.withPermits(1)(
        Effect.gen(function* () {
          const current = usable(yield* Ref.get(cached), yield* Clock.currentTimeMillis)
          // Another caller already replaced the rejected token: use the new one.
          if (Option.isSome(current) && Redacted.value(current.value.token) !== Redacted.value(rejected)) {
            return current.value.token
          }
          return yield* refresh
        })
      )

    return { mode: "oauth", accessToken, refreshAfterExpiry } satisfies AuthShape
  })

const optionalSecret = (name: string) =>
  Config.option(Config.redacted(name)).pipe(Config.map(Option.filter((value) => Redacted.value(value).trim() !== "")))

const optionalString = (name: string) =>
  Config.option(Config.string(name)).pipe(Config.map(Option.filter((value) => value.trim() !== "")))

/** Auth settings from the environment (the root README, "Configuration"). */
export const authFromEnv = Config.all({
  accessToken: optionalSecret("MSADS_ACCESS_TOKEN"),
  clientId: optionalString("MSADS_CLIENT_ID"),
  clientSecret: optionalSecret("MSADS_CLIENT_SECRET"),
  refreshToken: optionalSecret("MSADS_REFRESH_TOKEN"),
  authority: optionalString("MSADS_AUTHORITY")
})

/** The access-token service. */
export class Auth extends Context.Tag("@uplink/core/Auth")<Auth, AuthShape>() {
  /** A fixed access token (it cannot be refreshed: 109 fails with `AuthenticationError`). */
  static layerStatic(token: Redacted.Redacted<string> | string): Layer.Layer<Auth> {
    return Layer.succeed(Auth, makeStatic(typeof token === "string" ? Redacted.make(token) : token))
  }

  /** OAuth refresh tokens through the token endpoint, persisted in the `TokenStore`. */
  static layerOAuth(
    options: OAuthOptions
  ): Layer.Layer<Auth, AuthenticationError | TokenStoreError, MsadsConfig | TokenStore | HttpClient.HttpClient> {
    return Layer.effect(Auth, makeOAuth(options))
  }

  /**
   * From the environment: `MSADS_ACCESS_TOKEN` (static; it wins when set), else `MSADS_CLIENT_ID` with the token
   * store's refresh token or `MSADS_REFRESH_TOKEN` (+ `MSADS_CLIENT_SECRET`, `MSADS_AUTHORITY`).
   */
  static readonly layerConfig: Layer.Layer<
    Auth,
    ConfigError.ConfigError | AuthenticationError | TokenStoreError,
    MsadsConfig | TokenStore | HttpClient.HttpClient
  > = Layer.unwrapEffect(
    Effect.gen(function* () {
      const settings = yield* authFromEnv
      if (Option.isSome(settings.accessToken)) return Auth.layerStatic(settings.accessToken.value)
      if (Option.isNone(settings.clientId)) {
        return yield* Effect.fail(
          ConfigError.MissingData(
            ["MSADS_ACCESS_TOKEN"],
            "No credentials: set MSADS_ACCESS_TOKEN, or MSADS_CLIENT_ID with MSADS_REFRESH_TOKEN (or log in with `uplink auth login`)"
          )
        )
      }
      return Auth.layerOAuth({
        clientId: settings.clientId.value.trim(),
        clientSecret: Option.getOrUndefined(settings.clientSecret),
        refreshToken: Option.getOrUndefined(settings.refreshToken),
        authority: Option.getOrUndefined(settings.authority)
      })
    })
  )
}
