/**
 * The credentials the emulator accepts (packages/emulator/README.md; overridable by flags and `UPLINK_EMULATOR_*` variables) and the
 * check of those a call presents, with the documented codes: 105 InvalidCredentials (developer token or access token
 * wrong or missing), 109 AuthenticationTokenExpired, 106 UserIsNotAuthorized (customer or account not the user's).
 * Details name the header at fault, never a value.
 */
import { adApiRefusal, type Refusal } from "./Outcome.js"
import type { AccessTokenStatus } from "./TokenStore.js"

export interface Credentials {
  readonly developerToken: string
  readonly customerId: string
  readonly accountId: string
  readonly accessToken: string
  readonly refreshToken: string
}

/** The sandbox's universal developer token and fixed demo identities. */
export const defaultCredentials: Credentials = {
  developerToken: "BBD37VB98",
  customerId: "1000001",
  accountId: "2000002",
  accessToken: "emulator-access-token",
  refreshToken: "emulator-refresh-token"
}

/** What a call presented (SOAP headers, or REST HTTP headers with the `Bearer ` prefix already removed). */
export interface PresentedCredentials {
  readonly developerToken: string | undefined
  readonly customerId: string | undefined
  readonly accountId: string | undefined
  readonly accessToken: string | undefined
}

/** How the check learns about access tokens: issued/expired by the token store, or expired by the fault plan. */
export interface TokenCheck {
  readonly status: (token: string) => AccessTokenStatus
  readonly expiredByPlan: (token: string) => boolean
}

/** The refusal for presented credentials, or undefined when they are accepted. */
export const checkCredentials = (
  presented: PresentedCredentials,
  expected: Credentials,
  tokens: TokenCheck
): Refusal | undefined => {
  if (presented.developerToken === undefined || presented.developerToken === "") {
    return adApiRefusal(105, "The DeveloperToken header is missing.")
  }
  if (presented.developerToken !== expected.developerToken) {
    return adApiRefusal(105, "The developer token is not valid for this environment.")
  }
  const token = presented.accessToken
  if (token === undefined || token === "") return adApiRefusal(105, "The AuthenticationToken is missing.")
  const status = tokens.status(token)
  if (status === "unknown") return adApiRefusal(105, "InvalidAccessToken: the access token is not valid.")
  if (status === "expired" || tokens.expiredByPlan(token)) return adApiRefusal(109)
  if (presented.customerId === undefined || presented.customerId !== expected.customerId) {
    return adApiRefusal(106, "The user has no access to the customer in the CustomerId header.")
  }
  if (presented.accountId === undefined || presented.accountId !== expected.accountId) {
    return adApiRefusal(106, "The user has no access to the account in the CustomerAccountId header.")
  }
  return undefined
}
