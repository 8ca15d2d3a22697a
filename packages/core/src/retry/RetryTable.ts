/**
 * The retry table: whether sending the same request again can succeed, and when — the one answer for every failure of
 * a Campaign Management call, kept as named tables the way smithy keeps its service-error classification
 * (`TRANSIENT_ERROR_STATUS_CODES`, `THROTTLING_ERROR_CODES`, `NODEJS_NETWORK_ERROR_CODES`). Each table says what one
 * kind of answer means as a `Retry`:
 *
 * | `Retry` | meaning | a run of the pipeline (CLI, Promise client) | the server's outbox |
 * |---|---|---|---|
 * | `now` | transient: the same request may succeed at once | sent again after a backoff, while the schedule allows | kept, tried again after its backoff |
 * | `afterWait` | a rate limit: it succeeds after the service's wait | sent again once the rate limiter's wait is over | kept, not before the wait |
 * | `later` | the request is fine but cannot pass until something outside it changes, or it was never sent | `failed` at once | kept, tried again after its backoff |
 * | `never` | the same request fails the same way however often it is sent | `failed` | `failed` |
 *
 * Every reason of `CampaignManagementError` reads its `retry` (and so `isRetryable`) and its `failureKind` here;
 * `toDeliveryError` copies them into the pipeline's `DeliveryFailure`; delivery sends again on `now` and `afterWait`
 * only; a `failed` outcome carries the `retry` of its last failure in its cause, which is all the server looks at.
 * So the CLI, the Promise client and the server agree by construction.
 *
 * **Authentication is `later`** (105, 106, 108, 109 once a refresh did not help, 120–126, 3101, HTTP 401, the REST
 * authentication and authorization faults, a refresh token the token endpoint refused, no refresh token at all). Within
 * a run it is not sent again: `CampaignManagement` has already refreshed the token and resent once wherever that can
 * help, and the same credentials only get the same refusal (the CLI stops the run and names the credential to check).
 * Across runs it can pass once someone fixes the credentials, so the server keeps the records pending instead of
 * failing them, and they go out when the credentials work again.
 *
 * The facts behind each row (codes, statuses, REST fault types) are in docs/microsoft-api.md §3 and §4.
 */
import type { RestFaultDetailName, WireDecodeReason } from "@uplink/campaign-management/wire"

/** What sending the same request again can do (see the module comment). */
export type Retry = "now" | "afterWait" | "later" | "never"

/** Every `Retry`, in order of hope. */
export const retries: ReadonlyArray<Retry> = ["now", "afterWait", "later", "never"]

/** Whether a failure is sent again within the same run (after a backoff, or after the rate limiter's wait). */
export const retriesInRun = (retry: Retry): boolean => retry === "now" || retry === "afterWait"

/** One row: what a failure means for sending again, and the key summaries count it under when it has no code. */
export interface Row {
  readonly retry: Retry
  /** A stable name of the class of failure (`Timeout`, `ResponseCut`, …), never a URL or a status text. */
  readonly failureKind: string
}

const row = (retry: Retry, failureKind: string): Row => ({ retry, failureKind })

// ===== Fault codes =====

/** What a fault code means for the caller. */
export type FaultClass = "transient" | "rateLimit" | "authentication" | "tokenExpired" | "permanent"

/** Fault codes of Campaign Management, by class (docs/microsoft-api.md §3). A code that is not listed is permanent. */
export const faultCodes: ReadonlyArray<readonly [code: number, faultClass: FaultClass, name: string]> = [
  [0, "transient", "InternalError"],
  [833, "transient", "ServiceTimeOut"],
  [1010, "transient", "CampaignServiceSystemInReadOnlyMode"],
  [5612, "transient", "OfflineConversionsApplyFailed"],
  [117, "rateLimit", "CallRateExceeded"],
  [109, "tokenExpired", "AuthenticationTokenExpired"],
  [105, "authentication", "InvalidCredentials"],
  [106, "authentication", "UserIsNotAuthorized"],
  [108, "authentication", "UserCompromised"],
  [120, "authentication", "UserLoginAccessDenied"],
  [121, "authentication", "UserLoginAccessDenied"],
  [122, "authentication", "PersonalIdentityNotAvailable"],
  [123, "authentication", "WorkIdentityNotAvailable"],
  [124, "authentication", "PersonalIdentityMigratedToWork"],
  [125, "authentication", "PersonalIdentityNotAllowedByCustomer"],
  [126, "authentication", "IdentityTypeMismatch"],
  [3101, "authentication", "OAuthTokenInvalid"]
]

/** What each fault class means for sending again. 109 is refreshed and resent once first (`CampaignManagement`). */
export const faultClasses: { readonly [C in FaultClass]: Retry } = {
  transient: "now",
  rateLimit: "afterWait",
  tokenExpired: "later",
  authentication: "later",
  permanent: "never"
}

const classByCode: ReadonlyMap<number, FaultClass> = new Map(faultCodes.map(([code, faultClass]) => [code, faultClass]))

/** The class of one code. */
export const classifyCode = (code: number): FaultClass => classByCode.get(code) ?? "permanent"

/**
 * The class of a fault with several codes: the one that matters most to the caller wins, in this order —
 * authentication, token expired, permanent, rate limit, transient (a fault is transient only when all its codes are).
 */
const precedence: ReadonlyArray<FaultClass> = ["authentication", "tokenExpired", "permanent", "rateLimit", "transient"]

/** The class of a fault from its codes; a fault without codes is as its HTTP status says (`statusRetry`). */
export const classifyCodes = (codes: ReadonlyArray<number>, httpStatus: number): FaultClass => {
  if (codes.length === 0) return statusRetry(httpStatus) === "now" ? "transient" : "permanent"
  const classes = new Set(codes.map(classifyCode))
  return precedence.find((faultClass) => classes.has(faultClass)) ?? "permanent"
}

// ===== HTTP statuses =====

/**
 * Statuses that decide the reason of a failed answer whatever its body says (`reasonFromReply` looks here first):
 * 429 is a rate limit (with its `Retry-After`), 401 asks for a new access token (one refresh and one resend, then
 * `later`), and on a REST route 404 and 501 mean the service does not serve the operation over REST.
 */
export const decisiveStatuses = {
  429: { reason: "RateLimitError", retry: "afterWait", restOnly: false },
  401: { reason: "AuthenticationError", retry: "later", restOnly: false },
  404: { reason: "NotAvailableOverRestError", retry: "never", restOnly: true },
  501: { reason: "NotAvailableOverRestError", retry: "never", restOnly: true }
} as const satisfies {
  readonly [status: number]: { readonly reason: string; readonly retry: Retry; readonly restOnly: boolean }
}

type DecisiveStatus = (typeof decisiveStatuses)[keyof typeof decisiveStatuses]

/** The rule of a decisive status for an answer over `protocol`, or undefined. */
export const decisiveStatus = (status: number, protocol: "soap" | "rest"): DecisiveStatus | undefined => {
  const rule = (decisiveStatuses as { readonly [status: number]: DecisiveStatus | undefined })[status]
  return rule === undefined || (rule.restOnly && protocol !== "rest") ? undefined : rule
}

/**
 * A status that no fault explains (no body the codec recognises, or a REST fault type without codes): 408 Request
 * Timeout and every 5xx are transient, as smithy's `TRANSIENT_ERROR_STATUS_CODES` and Microsoft's SDKs have it;
 * any other status is permanent.
 */
export const statusRetry = (status: number): Retry => (status === 408 || status >= 500 ? "now" : "never")

// ===== Transport failures =====

/** How the request or its answer did not get through (`TransportError.kind`). */
export const transportErrorKinds = {
  /** No complete answer within the request timeout. */
  Timeout: row("now", "Timeout"),
  /** Connection refused, reset, DNS: the request may not have arrived. */
  RequestFailed: row("now", "ConnectionFailed"),
  /** The answer was cut off while it was read. */
  ResponseBodyFailed: row("now", "ResponseCut"),
  /** The endpoint is not a URL: a setting to fix, not a failure to wait out. */
  InvalidUrl: row("never", "InvalidUrl")
} as const satisfies { readonly [kind: string]: Row }

export type TransportErrorKind = keyof typeof transportErrorKinds

// ===== Answers that could not be decoded =====

/**
 * Why an answer could not be decoded (`DecodeError.wireReason`, the codec's `WireDecodeReason`): bytes that are not a
 * complete document were most likely cut off (`now`); a well-formed document that is not the contract will be the
 * same document next time (`never`).
 */
export const decodeReasons: { readonly [R in WireDecodeReason]: Row } = {
  NotWellFormed: row("now", "ResponseCut"),
  TooLarge: row("now", "ResponseCut"),
  UnknownElement: row("never", "UnexpectedResponse"),
  OutOfOrder: row("never", "UnexpectedResponse"),
  SchemaMismatch: row("never", "UnexpectedResponse"),
  UnknownOperation: row("never", "UnexpectedResponse"),
  NotAnEnvelope: row("never", "UnexpectedResponse")
}

/** The row of a decode reason (one the codec does not name is a contract mismatch). */
export const decodeReason = (reason: string): Row =>
  (decodeReasons as { readonly [reason: string]: Row | undefined })[reason] ?? decodeReasons.SchemaMismatch

// ===== REST fault types =====

/**
 * What a REST error body's `Type` means: the WSDL's three fault details carry error codes (classified by
 * `faultCodes`); the REST-only `AdCenter*Fault` types carry none — an authentication fault asks for a new token (one
 * refresh and one resend, then `later`), an authorization fault is a refusal of the credentials (`later`), and the
 * other three are service faults judged by their HTTP status (`statusRetry`).
 */
export const restFaultTypes: {
  readonly [T in RestFaultDetailName]: "codes" | "authentication" | "authorization" | "status"
} = {
  AdApiFaultDetail: "codes",
  ApiFaultDetail: "codes",
  EditorialApiFaultDetail: "codes",
  AdCenterAuthenticationFault: "authentication",
  AdCenterAuthorizationFault: "authorization",
  AdCenterFault: "status",
  AdCenterInternalErrorFault: "status",
  AdCenterSystemFault: "status"
}

// ===== Refused credentials =====

/** Why credentials were refused (`AuthenticationError.kind`); every one of them is `later` (see the module comment). */
export const authenticationKinds = {
  /** The service refused them: 105, 106, 108, 120–126, 3101, HTTP 401, an AdCenter authentication/authorization fault. */
  Credentials: row("later", "Authentication"),
  /** 109 even after a refresh, or a static access token that expired. */
  TokenExpired: row("later", "Authentication"),
  /** The token endpoint refused the refresh token (expired or revoked): sign in again. */
  InvalidGrant: row("later", "Authentication"),
  /** Another error of the token endpoint (client id, secret, scope). */
  OAuth: row("later", "Authentication"),
  /** No refresh token anywhere. */
  NotLoggedIn: row("later", "Authentication")
} as const satisfies { readonly [kind: string]: Row }

export type AuthenticationKind = keyof typeof authenticationKinds

// ===== Reasons that mean one thing =====

/** The reasons of `CampaignManagementError` whose answer does not depend on a field. */
export const fixedReasons = {
  /** 117 CallRateExceeded, or HTTP 429. */
  RateLimitError: row("afterWait", "RateLimit"),
  /** A value the wire cannot carry (NaN, a control character XML cannot carry). */
  InvalidRequestError: row("never", "UnencodableRequest"),
  /** A REST-only operation called over SOAP: refused before sending. */
  RestOnlyOperationError: row("never", "NotAvailable"),
  /** HTTP 404 or 501 on a REST route, or no REST route. */
  NotAvailableOverRestError: row("never", "NotAvailable")
} as const satisfies { readonly [reason: string]: Row }

/** The failure kind of a fault with codes (its first code is what summaries count it under). */
export const apiFaultKind = "ApiFault"

/** The failure kind of an HTTP status that no fault explains, e.g. `Http503`. */
export const statusKind = (status: number): string => `Http${status}`

// ===== Failures of the pipeline itself =====

/** Failures the pipeline gives a batch without an answer of the service. */
export const pipelineFailures = {
  /** Read, but not sent because the run was stopped: it can be sent by a later run. */
  NotSent: row("later", "NotSent")
} as const satisfies { readonly [kind: string]: Row }
