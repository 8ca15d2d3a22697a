/**
 * The OAuth 2.0 client for the Microsoft identity platform token endpoint (`<authority>/oauth2/v2.0/token`,
 * docs/microsoft-api.md §6): a form-encoded POST of any grant, classified into the reasons of `CampaignManagementError`.
 * `invalid_grant` becomes an `AuthenticationError` that tells the user to log in again; 5xx and
 * `temporarily_unavailable` are retryable. Secret form values are scrubbed from every message.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { Environment } from "../config/MsadsConfig.js"
import { AuthenticationError, DecodeError, HttpStatusError, TransportError } from "../errors/CampaignManagementError.js"

/** The default authority: `common` accepts personal Microsoft accounts and work accounts. */
export const defaultAuthority = "https://login.microsoftonline.com/common"

/** `<authority>/oauth2/v2.0/token`. */
export const tokenEndpoint = (authority: string): string => `${authority.replace(/\/+$/, "")}/oauth2/v2.0/token`

/** `<authority>/oauth2/v2.0/devicecode`. */
export const deviceCodeEndpoint = (authority: string): string =>
  `${authority.replace(/\/+$/, "")}/oauth2/v2.0/devicecode`

/** The scope to ask for: `msads.manage` of the environment, plus `offline_access` to get a refresh token. */
export const scopeFor = (environment: Environment): string =>
  environment === "sandbox"
    ? "https://si.ads.microsoft.com/msads.manage offline_access"
    : "https://ads.microsoft.com/msads.manage offline_access"

/** A token endpoint's answer. */
export interface TokenGrant {
  readonly accessToken: Redacted.Redacted<string>
  /** A new refresh token when the server rotated it. */
  readonly refreshToken: Option.Option<Redacted.Redacted<string>>
  readonly expiresIn: Duration.Duration
  readonly scope: string | undefined
}

/** Why a token request failed. */
export type OAuthFailure = AuthenticationError | TransportError | HttpStatusError | DecodeError

/** Form fields whose values are secrets and must never reach a message. */
const secretFields = ["refresh_token", "client_secret", "code", "device_code", "code_verifier"]

const scrubber = (form: Record<string, string>) => {
  const secrets = secretFields
    .map((field) => form[field])
    .filter((value): value is string => value !== undefined && value !== "")
  return (text: string) => secrets.reduce((result, secret) => result.split(secret).join("<redacted>"), text)
}

const excerpt = (text: string, length = 200) => (text.length > length ? `${text.slice(0, length)}…` : text)

const invalidGrantAdvice =
  "the refresh token was refused (expired, revoked, or issued for another client id or environment). " +
  "Log in again: run `uplink auth login`, or set a new MSADS_REFRESH_TOKEN and delete the token file."

const transportFailure = (error: HttpClientError.HttpClientError, scrub: (text: string) => string) =>
  new TransportError({
    kind: error._tag === "RequestError" && error.reason === "InvalidUrl" ? "InvalidUrl" : "RequestFailed",
    detail: scrub(
      `token endpoint: ${error.reason}${error.description === undefined ? "" : ` ${error.description}`}${
        error.cause instanceof Error ? ` (${error.cause.message})` : ""
      }`
    )
  })

const classifyErrorBody = (
  status: number,
  body: string,
  scrub: (text: string) => string
): AuthenticationError | HttpStatusError => {
  let json: { error?: unknown; error_description?: unknown } | undefined
  try {
    const parsed: unknown = JSON.parse(body)
    if (typeof parsed === "object" && parsed !== null) json = parsed as typeof json
  } catch {
    json = undefined
  }
  const error = typeof json?.error === "string" ? json.error : undefined
  if (error === undefined || status >= 500) {
    return new HttpStatusError({ status, bodyExcerpt: scrub(excerpt(body)) })
  }
  if (error === "temporarily_unavailable") {
    // The identity platform's way of saying 503: try again later.
    return new HttpStatusError({ status: 503, bodyExcerpt: scrub(excerpt(body)) })
  }
  const description = typeof json?.error_description === "string" ? json.error_description : ""
  // AAD descriptions start with the AADSTS code and a sentence; keep that, not the trace and correlation ids.
  const firstSentence = scrub(excerpt((description.split(/\r?\n|\s+Trace ID:/)[0] ?? "").trim(), 300))
  if (error === "invalid_grant") {
    return new AuthenticationError({
      kind: "InvalidGrant",
      code: undefined,
      errorCode: error,
      detail: firstSentence === "" ? invalidGrantAdvice : `${invalidGrantAdvice} (${firstSentence})`
    })
  }
  return new AuthenticationError({
    kind: "OAuth",
    code: undefined,
    errorCode: error,
    detail: `the token endpoint refused the request${firstSentence === "" ? "" : `: ${firstSentence}`}; check MSADS_CLIENT_ID, MSADS_CLIENT_SECRET and MSADS_AUTHORITY`
  })
}

const parseGrant = (body: string, scrub: (text: string) => string): TokenGrant | DecodeError => {
  let json: Record<string, unknown>
  try {
    const parsed: unknown = JSON.parse(body)
    if (typeof parsed !== "object" || parsed === null) throw new Error("not an object")
    json = parsed as Record<string, unknown>
  } catch {
    return new DecodeError({
      wireReason: "NotWellFormed",
      path: undefined,
      detail: "the token endpoint's answer is not a JSON object"
    })
  }
  const expiresIn = typeof json.expires_in === "string" ? Number(json.expires_in) : json.expires_in
  if (typeof json.access_token !== "string" || json.access_token === "" || typeof expiresIn !== "number") {
    return new DecodeError({
      wireReason: "SchemaMismatch",
      path: undefined,
      detail: scrub("the token endpoint's answer has no access_token or expires_in")
    })
  }
  return {
    accessToken: Redacted.make(json.access_token),
    refreshToken:
      typeof json.refresh_token === "string" && json.refresh_token !== ""
        ? Option.some(Redacted.make(json.refresh_token))
        : Option.none(),
    expiresIn: Duration.seconds(Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 0),
    scope: typeof json.scope === "string" ? json.scope : undefined
  }
}

/** Posts a grant to the token endpoint and returns the tokens. */
export const requestToken = Effect.fn("OAuthClient.requestToken")(function* (
  endpoint: string,
  form: Record<string, string>,
  timeout: Duration.DurationInput
) {
  const client = yield* HttpClient.HttpClient
  const scrub = scrubber(form)
  const request = HttpClientRequest.post(endpoint).pipe(
    HttpClientRequest.acceptJson,
    HttpClientRequest.bodyUrlParams(form)
  )
  const { status, body } = yield* client.execute(request).pipe(
    Effect.flatMap((response) => Effect.map(response.text, (body) => ({ status: response.status, body }))),
    Effect.mapError((error) => transportFailure(error, scrub)),
    Effect.timeoutFail({
      duration: timeout,
      onTimeout: () =>
        new TransportError({ kind: "Timeout", detail: `token endpoint: no answer within ${Duration.format(timeout)}` })
    })
  )
  if (status < 200 || status >= 300) return yield* classifyErrorBody(status, body, scrub)
  const grant = parseGrant(body, scrub)
  if (grant instanceof DecodeError) return yield* grant
  return grant
})

/** The refresh-token grant (docs/microsoft-api.md §6); `clientSecret` only for web apps. */
export const refreshAccessToken = (options: {
  readonly endpoint: string
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string> | undefined
  readonly refreshToken: Redacted.Redacted<string>
  readonly scope: string
  readonly timeout: Duration.DurationInput
}): Effect.Effect<TokenGrant, OAuthFailure, HttpClient.HttpClient> =>
  requestToken(
    options.endpoint,
    {
      grant_type: "refresh_token",
      client_id: options.clientId,
      refresh_token: Redacted.value(options.refreshToken),
      scope: options.scope,
      ...(options.clientSecret === undefined ? {} : { client_secret: Redacted.value(options.clientSecret) })
    },
    options.timeout
  )
