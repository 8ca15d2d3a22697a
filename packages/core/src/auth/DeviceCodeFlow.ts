/**
 * The OAuth 2.0 device authorization grant (`uplink auth login`): ask `<authority>/oauth2/v2.0/devicecode` for a user
 * code, show the user where to enter it, then poll the token endpoint (`urn:ietf:params:oauth:grant-type:device_code`)
 * at the interval the server asked for until the user has signed in, declined, or the code expired. The refresh token
 * it returns is what the `TokenStore` keeps. `signInWithDeviceCode` is the whole flow, the public entry point.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { AuthenticationError, DecodeError, TransportError } from "../errors/CampaignManagementError.js"
import type { Environment } from "../config/MsadsConfig.js"
import {
  defaultAuthority,
  deviceCodeEndpoint,
  type OAuthFailure,
  requestToken,
  scopeFor,
  type TokenGrant,
  tokenEndpoint
} from "./OAuthClient.js"

/** What the user must do: open `verificationUri` and enter `userCode`. */
export interface DeviceCode {
  readonly userCode: string
  readonly verificationUri: string
  /** The server's own sentence for the user, when it gave one. */
  readonly message: string | undefined
  readonly deviceCode: Redacted.Redacted<string>
  readonly interval: Duration.Duration
  readonly expiresIn: Duration.Duration
}

export interface DeviceCodeOptions {
  readonly authority: string
  readonly clientId: string
  readonly scope: string
  readonly timeout?: Duration.DurationInput | undefined
}

/** Step 1: asks for a device code. */
export const requestDeviceCode = Effect.fn("DeviceCodeFlow.requestDeviceCode")(function* (options: DeviceCodeOptions) {
  const client = yield* HttpClient.HttpClient
  const request = HttpClientRequest.post(deviceCodeEndpoint(options.authority)).pipe(
    HttpClientRequest.acceptJson,
    HttpClientRequest.bodyUrlParams({ client_id: options.clientId, scope: options.scope })
  )
  const { status, body } = yield* client.execute(request).pipe(
    Effect.flatMap((response) => Effect.map(response.text, (text) => ({ status: response.status, body: text }))),
    Effect.mapError(
      (error) => new TransportError({ kind: "RequestFailed", detail: `device code endpoint: ${error.message}` })
    ),
    Effect.timeoutFail({
      duration: options.timeout ?? Duration.seconds(30),
      onTimeout: () => new TransportError({ kind: "Timeout", detail: "device code endpoint: no answer" })
    })
  )
  let json: Record<string, unknown> = {}
  try {
    json = JSON.parse(body) as Record<string, unknown>
  } catch {
    return yield* new DecodeError({
      wireReason: "NotWellFormed",
      path: undefined,
      detail: "the device code answer is not JSON"
    })
  }
  if (status < 200 || status >= 300 || typeof json.device_code !== "string" || typeof json.user_code !== "string") {
    return yield* new AuthenticationError({
      kind: "OAuth",
      code: undefined,
      errorCode: typeof json.error === "string" ? json.error : undefined,
      detail: `the device code endpoint refused the request (HTTP ${status}${typeof json.error === "string" ? `, ${json.error}` : ""}); check MSADS_CLIENT_ID and MSADS_AUTHORITY`
    })
  }
  const seconds = (value: unknown, fallback: number) => {
    const n = typeof value === "string" ? Number(value) : value
    return typeof n === "number" && Number.isFinite(n) && n > 0 ? n : fallback
  }
  return {
    userCode: json.user_code,
    verificationUri: String(json.verification_uri ?? json.verification_url ?? "https://microsoft.com/devicelogin"),
    message: typeof json.message === "string" ? json.message : undefined,
    deviceCode: Redacted.make(json.device_code),
    interval: Duration.seconds(seconds(json.interval, 5)),
    expiresIn: Duration.seconds(seconds(json.expires_in, 900))
  } satisfies DeviceCode
})

const isPending = (error: OAuthFailure) =>
  error._tag === "AuthenticationError" &&
  (error.errorCode === "authorization_pending" || error.errorCode === "slow_down")

/**
 * Step 2: polls the token endpoint until the user signed in (the grant), declined or the code expired (an
 * `AuthenticationError`). Waits `interval` between polls, as the server asked.
 */
export const pollForToken = (
  options: DeviceCodeOptions,
  code: DeviceCode
): Effect.Effect<TokenGrant, OAuthFailure, HttpClient.HttpClient> => {
  const maxPolls = Math.max(
    1,
    Math.ceil(Duration.toMillis(code.expiresIn) / Math.max(1, Duration.toMillis(code.interval)))
  )
  return requestToken(
    tokenEndpoint(options.authority),
    {
      grant_type: "urn:ietf:params:oauth:grant-type:device_code",
      client_id: options.clientId,
      device_code: Redacted.value(code.deviceCode)
    },
    options.timeout ?? Duration.seconds(30)
  ).pipe(
    Effect.retry({
      while: isPending,
      schedule: Schedule.spaced(code.interval).pipe(Schedule.intersect(Schedule.recurs(maxPolls)))
    }),
    Effect.catchIf(isPending, () =>
      Effect.fail(
        new AuthenticationError({
          kind: "OAuth",
          code: undefined,
          errorCode: "expired_token",
          detail: "the sign-in code expired before it was used; run `uplink auth login` again"
        })
      )
    )
  )
}

/** The refresh token of a grant, or an error when the server gave none (offline_access missing from the scope). */
export const refreshTokenOf = (grant: TokenGrant): Effect.Effect<Redacted.Redacted<string>, AuthenticationError> =>
  Option.match(grant.refreshToken, {
    onNone: () =>
      Effect.fail(
        new AuthenticationError({
          kind: "OAuth",
          code: undefined,
          errorCode: undefined,
          detail: "the sign-in returned no refresh token (the scope must include offline_access)"
        })
      ),
    onSome: Effect.succeed
  })

/** What `signInWithDeviceCode` needs: the application, the environment, and optionally another authority. */
export interface SignInOptions {
  /** The OAuth application (client) id registered for Microsoft Advertising. */
  readonly clientId: string
  /** Which environment's scope to ask for. */
  readonly environment: Environment
  /** The Microsoft identity platform authority (default `https://login.microsoftonline.com/common`). */
  readonly authority?: string | undefined
  /** Shows the user where to sign in and which code to enter (called once, before polling starts). */
  readonly show: (code: DeviceCode) => Effect.Effect<void>
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * The whole sign-in: asks for a device code, shows it (`show`), waits for the user to sign in, and gives the refresh
 * token of the grant (what a `TokenStore` keeps), with the environment's scope and `offline_access`.
 */
export const signInWithDeviceCode = (
  options: SignInOptions
): Effect.Effect<Redacted.Redacted<string>, OAuthFailure, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const flow: DeviceCodeOptions = {
      authority: options.authority ?? defaultAuthority,
      clientId: options.clientId,
      scope: scopeFor(options.environment),
      timeout: options.timeout
    }
    const code = yield* requestDeviceCode(flow)
    yield* options.show(code)
    const grant = yield* pollForToken(flow, code)
    return yield* refreshTokenOf(grant)
  })
