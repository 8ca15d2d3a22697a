/**
 * What to tell a user whose credentials Microsoft refused during a run (README: exit 1, "nothing could be attempted").
 * Microsoft's 105 does not say which credential is wrong, so the message names the access token first — where it came
 * from: `MSADS_ACCESS_TOKEN`, or the refresh token in the token file — and then the developer token and the
 * environment; 106 names the account and customer ids; 109 says the access token expired. No secret is ever shown.
 */
import { type Outcome, tokenFileFromEnv } from "@uplink/core"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** Where the access token of the run came from, read from the same settings core used. */
export interface CredentialSource {
  readonly accessTokenVariable: boolean
  readonly tokenFile: string
  readonly environment: string
  readonly accountId: string | undefined
  readonly customerId: string | undefined
}

const present = (name: string) =>
  Config.option(Config.string(name)).pipe(Config.map(Option.filter((value) => value.trim() !== "")))

/** The credential settings in place (never their values, only whether they are set; ids are not secret). */
export const credentialSource: Effect.Effect<CredentialSource> = Effect.orElseSucceed(
  Config.all({
    accessToken: present("MSADS_ACCESS_TOKEN"),
    tokenFile: tokenFileFromEnv,
    environment: Config.string("MSADS_ENVIRONMENT").pipe(Config.withDefault("production")),
    accountId: present("MSADS_ACCOUNT_ID"),
    customerId: present("MSADS_CUSTOMER_ID")
  }).pipe(
    Config.map(
      (settings): CredentialSource => ({
        accessTokenVariable: Option.isSome(settings.accessToken),
        tokenFile: settings.tokenFile,
        environment: settings.environment,
        accountId: Option.getOrUndefined(settings.accountId),
        customerId: Option.getOrUndefined(settings.customerId)
      })
    )
  ),
  () => ({
    accessTokenVariable: false,
    tokenFile: "the token file",
    environment: "production",
    accountId: undefined,
    customerId: undefined
  })
)

/** The lines to print when Microsoft refused the run's credentials with `cause`. */
export const refusedCredentials = (cause: Outcome.FailureCause, source: CredentialSource): Array<string> => {
  const code = cause.code === null ? "" : ` (${cause.code}${cause.errorCode === null ? "" : ` ${cause.errorCode}`})`
  const accessToken = source.accessTokenVariable
    ? "the access token in MSADS_ACCESS_TOKEN"
    : `the access token obtained with the refresh token in ${source.tokenFile} (or MSADS_REFRESH_TOKEN)`
  const renew = source.accessTokenVariable
    ? "set MSADS_ACCESS_TOKEN to a current access token, or use `uplink auth login` and unset MSADS_ACCESS_TOKEN"
    : "run `uplink auth login` again"
  switch (cause.code) {
    case 106:
      return [
        `Microsoft refused access to the account${code}: the user of ${accessToken} cannot manage account ` +
          `${source.accountId ?? "(MSADS_ACCOUNT_ID)"} of customer ${source.customerId ?? "(MSADS_CUSTOMER_ID)"}.`,
        "Check MSADS_ACCOUNT_ID and MSADS_CUSTOMER_ID, or sign in as a user with access to that account."
      ]
    case 109:
      return [`Microsoft refused ${accessToken}: it has expired${code}.`, `To fix it: ${renew}.`]
    default:
      return [
        `Microsoft refused the credentials${code}: ${accessToken} is not valid, or the developer token ` +
          `(MSADS_DEVELOPER_TOKEN) is not valid for the ${source.environment} environment.`,
        `To fix it: ${renew}; check MSADS_DEVELOPER_TOKEN` +
          (source.environment === "production"
            ? " (a sandbox token needs --environment sandbox)."
            : " (sandbox credentials go with --environment sandbox, production ones without it).")
      ]
  }
}
