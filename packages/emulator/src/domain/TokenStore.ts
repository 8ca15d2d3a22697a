/**
 * The emulator's Microsoft identity platform (docs/microsoft-api.md §6): the refresh-token grant (scope must contain
 * `msads.manage`; optional refresh-token rotation, after which the old token is `invalid_grant`), the device-code flow
 * (`/devicecode` then polling with `authorization_pending` until approved), access tokens that expire after
 * `expires_in` seconds by the emulator's clock, and AADSTS-style error bodies. Pure state: the HTTP layer parses forms.
 */
import { randomBytes, randomUUID } from "node:crypto"
import type { Clock } from "./Time.js"

export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
export const REFRESH_TOKEN_GRANT = "refresh_token"

/** How the token endpoint behaves. */
export interface OAuthSettings {
  /** The refresh token the emulator accepts from the start. */
  readonly refreshToken: string
  /** The access token accepted from the start; it never expires by time. */
  readonly accessToken: string
  /** Answer each refresh with a new refresh token and invalidate the old one. Default false (same token back). */
  readonly rotateRefreshTokens: boolean
  /** `expires_in` of issued access tokens. Default 3600. */
  readonly accessTokenLifetimeSeconds: number
  /** Device flow: polling interval the emulator announces (seconds). Default 1 (Microsoft announces 5). */
  readonly deviceCodeIntervalSeconds: number
  /** Device flow: how long a device code lives (seconds). Default 900. */
  readonly deviceCodeLifetimeSeconds: number
  /** Device flow: polls answered `authorization_pending` before the user "approves"; null = wait for the admin API. */
  readonly deviceCodeApproveAfterPolls: number | null
}

export const defaultOAuthSettings: Omit<OAuthSettings, "refreshToken" | "accessToken"> = {
  rotateRefreshTokens: false,
  accessTokenLifetimeSeconds: 3600,
  deviceCodeIntervalSeconds: 1,
  deviceCodeLifetimeSeconds: 900,
  deviceCodeApproveAfterPolls: 1
}

/** An OAuth answer: HTTP status and JSON body. */
export interface OAuthAnswer {
  readonly status: number
  readonly body: Record<string, unknown>
}

/** One call of the token or device-code endpoint, as `GET /__emulator/state` lists it under `tokenRequests`. */
export interface TokenRequestRecord {
  readonly endpoint: "token" | "devicecode"
  readonly grantType: string | null
  readonly clientId: string | null
  readonly scope: string | null
  /** "issued", "device_code", or the OAuth error code. */
  readonly outcome: string
  readonly rotated: boolean
  readonly at: string
}

/** The status of an access token presented to the API. */
export type AccessTokenStatus = "valid" | "expired" | "unknown"

interface DeviceCode {
  readonly clientId: string
  readonly scope: string
  readonly userCode: string
  readonly expiresAt: number
  polls: number
  state: "pending" | "approved" | "denied" | "redeemed"
}

const aadErrors = {
  invalid_request: 900144,
  invalid_grant: 70000,
  invalid_scope: 70011,
  unsupported_grant_type: 70003,
  authorization_pending: 70016,
  authorization_declined: 70000,
  expired_token: 70020,
  bad_verification_code: 70019
} as const
type AadError = keyof typeof aadErrors

const hasManageScope = (scope: string): boolean => scope.split(/\s+/).some((s) => s.endsWith("msads.manage"))

const userCode = (): string => Array.from(randomBytes(9), (byte) => "BCDFGHJKLMNPQRSTVWXZ23456789"[byte % 28]).join("")

export class TokenStore {
  readonly #refreshTokens = new Set<string>()
  /** Issued access token → expiry (epoch ms). */
  readonly #accessTokens = new Map<string, number>()
  readonly #deviceCodes = new Map<string, DeviceCode>()
  #requests: Array<TokenRequestRecord> = []

  constructor(
    private readonly settings: OAuthSettings,
    private readonly clock: Clock
  ) {
    this.#refreshTokens.add(settings.refreshToken)
  }

  /** Whether an access token presented to the API is valid, expired, or was never issued. */
  accessTokenStatus(token: string): AccessTokenStatus {
    if (token === this.settings.accessToken) return "valid"
    const expiresAt = this.#accessTokens.get(token)
    if (expiresAt === undefined) return "unknown"
    return this.clock() < expiresAt ? "valid" : "expired"
  }

  requests(): ReadonlyArray<TokenRequestRecord> {
    return this.#requests
  }

  /** Forgets the request log; issued tokens stay valid so clients holding them keep working. */
  clearRequests(): void {
    this.#requests = []
  }

  #log(record: Omit<TokenRequestRecord, "at">): void {
    this.#requests.push({ ...record, at: new Date(this.clock()).toISOString() })
  }

  #error(error: AadError, description: string): OAuthAnswer {
    const code = aadErrors[error]
    const traceId = randomUUID()
    const timestamp = new Date(this.clock())
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d+Z$/, "Z")
    return {
      status: 400,
      body: {
        error,
        error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${randomUUID()} Timestamp: ${timestamp}`,
        error_codes: [code],
        timestamp,
        trace_id: traceId,
        correlation_id: randomUUID(),
        error_uri: `https://login.microsoftonline.com/error?code=${code}`
      }
    }
  }

  #issue(scope: string, refreshToken: string | undefined): OAuthAnswer {
    const accessToken = `emulator-at-${randomUUID()}`
    this.#accessTokens.set(accessToken, this.clock() + this.settings.accessTokenLifetimeSeconds * 1000)
    const offline = scope.split(/\s+/).includes("offline_access")
    return {
      status: 200,
      body: {
        token_type: "Bearer",
        scope,
        expires_in: this.settings.accessTokenLifetimeSeconds,
        ext_expires_in: this.settings.accessTokenLifetimeSeconds,
        access_token: accessToken,
        ...(offline && refreshToken !== undefined ? { refresh_token: refreshToken } : {})
      }
    }
  }

  #newRefreshToken(): string {
    const token = `emulator-rt-${randomUUID()}`
    this.#refreshTokens.add(token)
    return token
  }

  /** `POST /{tenant}/oauth2/v2.0/token` with form fields already parsed. */
  token(form: Readonly<Record<string, string>>): OAuthAnswer {
    const grantType = form.grant_type ?? null
    const clientId = form.client_id ?? null
    const scope = form.scope ?? null
    let rotated = false
    const answer = ((): OAuthAnswer => {
      if (grantType === null)
        return this.#error("invalid_request", "The request body must contain the following parameter: 'grant_type'.")
      if (clientId === null || clientId === "") {
        return this.#error("invalid_request", "The request body must contain the following parameter: 'client_id'.")
      }
      if (grantType === REFRESH_TOKEN_GRANT) {
        const presented = form.refresh_token
        if (presented === undefined || presented === "") {
          return this.#error(
            "invalid_request",
            "The request body must contain the following parameter: 'refresh_token'."
          )
        }
        if (scope === null || scope.trim() === "") {
          return this.#error("invalid_request", "The request body must contain the following parameter: 'scope'.")
        }
        if (!hasManageScope(scope)) {
          return this.#error("invalid_scope", "The provided value for the input parameter 'scope' is not valid.")
        }
        if (!this.#refreshTokens.has(presented)) {
          return this.#error("invalid_grant", "The provided value for the 'refresh_token' is not valid.")
        }
        if (!this.settings.rotateRefreshTokens) return this.#issue(scope, presented)
        this.#refreshTokens.delete(presented)
        rotated = true
        return this.#issue(scope, this.#newRefreshToken())
      }
      if (grantType === DEVICE_CODE_GRANT) return this.#pollDeviceCode(form.device_code, clientId)
      return this.#error(
        "unsupported_grant_type",
        `The provided value for the input parameter 'grant_type' is not valid.`
      )
    })()
    this.#log({
      endpoint: "token",
      grantType,
      clientId,
      scope,
      outcome: answer.status === 200 ? "issued" : String(answer.body.error),
      rotated
    })
    return answer
  }

  #pollDeviceCode(deviceCode: string | undefined, clientId: string): OAuthAnswer {
    const entry = deviceCode === undefined ? undefined : this.#deviceCodes.get(deviceCode)
    if (entry === undefined || entry.clientId !== clientId) {
      return this.#error(
        "bad_verification_code",
        "The provided value for the input parameter 'device_code' is not valid."
      )
    }
    if (this.clock() >= entry.expiresAt) return this.#error("expired_token", "The device code has expired.")
    entry.polls++
    const approveAfter = this.settings.deviceCodeApproveAfterPolls
    if (entry.state === "pending" && approveAfter !== null && entry.polls > approveAfter) entry.state = "approved"
    switch (entry.state) {
      case "pending":
        return this.#error(
          "authorization_pending",
          "OAuth 2.0 device flow error. Authorization is pending. Continue polling."
        )
      case "denied":
        return this.#error("authorization_declined", "The user declined the authorization request.")
      case "redeemed":
        return this.#error("invalid_grant", "The provided device code has already been redeemed.")
      case "approved":
        entry.state = "redeemed"
        return this.#issue(entry.scope, this.#newRefreshToken())
    }
  }

  /** `POST /{tenant}/oauth2/v2.0/devicecode`; `verificationUri` is where the user would sign in. */
  deviceCode(form: Readonly<Record<string, string>>, verificationUri: string): OAuthAnswer {
    const clientId = form.client_id ?? null
    const scope = form.scope ?? null
    const answer = ((): OAuthAnswer => {
      if (clientId === null || clientId === "") {
        return this.#error("invalid_request", "The request body must contain the following parameter: 'client_id'.")
      }
      if (scope === null || !hasManageScope(scope)) {
        return this.#error("invalid_scope", "The provided value for the input parameter 'scope' is not valid.")
      }
      const deviceCode = `emulator-dc-${randomUUID()}`
      const code = userCode()
      this.#deviceCodes.set(deviceCode, {
        clientId,
        scope,
        userCode: code,
        expiresAt: this.clock() + this.settings.deviceCodeLifetimeSeconds * 1000,
        polls: 0,
        state: "pending"
      })
      return {
        status: 200,
        body: {
          user_code: code,
          device_code: deviceCode,
          verification_uri: verificationUri,
          expires_in: this.settings.deviceCodeLifetimeSeconds,
          interval: this.settings.deviceCodeIntervalSeconds,
          message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${code} to authenticate.`
        }
      }
    })()
    this.#log({
      endpoint: "devicecode",
      grantType: null,
      clientId,
      scope,
      outcome: answer.status === 200 ? "device_code" : String(answer.body.error),
      rotated: false
    })
    return answer
  }

  /** The admin API's stand-in for the user: approve or decline a pending device code by its user code. */
  decide(code: string, decision: "approve" | "deny"): boolean {
    for (const entry of this.#deviceCodes.values()) {
      if (entry.userCode === code && entry.state === "pending") {
        entry.state = decision === "approve" ? "approved" : "denied"
        return true
      }
    }
    return false
  }
}
