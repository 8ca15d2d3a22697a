/**
 * Errors a user can fix, and how every other failure becomes one: a message of one or two lines that says what to do,
 * never a stack trace. `--verbose` adds the cause chain and TrackingIds.
 */
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as Data from "effect/Data"

/** Nothing could be attempted (configuration, credentials, unreadable input): exit 1. */
export class UserError extends Data.TaggedError("UserError")<{
  readonly message: string
  /** Extra lines shown with --verbose (cause chain, TrackingIds). */
  readonly detail?: string | undefined
}> {}

const ENV_HELP: Readonly<Record<string, string>> = {
  MSADS_DEVELOPER_TOKEN: "your Microsoft Advertising developer token",
  MSADS_CUSTOMER_ID: "the customer (manager account) id",
  MSADS_ACCOUNT_ID: "the ad account id",
  MSADS_ACCESS_TOKEN: "an OAuth access token, or run `uplink auth login`"
}

/** The leaves of a ConfigError, each naming its variable. */
const configMessages = (error: ConfigError.ConfigError): Array<string> => {
  switch (error._op) {
    case "And":
    case "Or":
      return [...configMessages(error.left), ...configMessages(error.right)]
    case "MissingData": {
      const name = error.path.join("_")
      const help = ENV_HELP[name]
      if (name === "" || /^No credentials/.test(error.message)) return [error.message]
      return [`${name} is not set${help === undefined ? "" : `: set it to ${help}`}.`]
    }
    case "InvalidData":
      return [
        error.message.includes(error.path.join("_")) ? error.message : `${error.path.join("_")}: ${error.message}`
      ]
    case "SourceUnavailable":
      return [`${error.path.join("_")}: ${error.message}`]
    case "Unsupported":
      return [`${error.path.join("_")}: ${error.message}`]
  }
}

/** The flag (or variable) a pipeline option comes from. */
const OPTION_FLAGS: Readonly<Record<string, string>> = {
  batchSize: "--batch-size",
  concurrency: "--concurrency",
  maxConcurrency: "--max-concurrency / UPLINK_MAX_CONCURRENCY",
  rateLimitWindow: "--rate-limit-window / UPLINK_RATE_LIMIT_WINDOW",
  rateLimitWait: "--rate-limit-window / UPLINK_RATE_LIMIT_WINDOW",
  timeZone: "--timezone",
  defaultRegion: "--default-region"
}

/** Turns a failure of a command into a UserError (config, auth, token store, pipeline and service errors). */
export const toUserError = (error: unknown): UserError => {
  if (error instanceof UserError) return error
  if (
    typeof error === "object" &&
    error !== null &&
    "_tag" in error &&
    error._tag === "PipelineError" &&
    "option" in error &&
    typeof error.option === "string" &&
    "expected" in error &&
    "received" in error
  ) {
    const flag = OPTION_FLAGS[error.option] ?? error.option
    return new UserError({ message: `${flag} must be ${String(error.expected)}, got ${String(error.received)}` })
  }
  if (ConfigError.isConfigError(error)) {
    const messages = [...new Set(configMessages(error))]
    return new UserError({ message: messages.join("\n") })
  }
  if (typeof error === "object" && error !== null && "message" in error && typeof error.message === "string") {
    const tag = "_tag" in error ? String(error._tag) : "Error"
    const trackingId = "trackingId" in error && error.trackingId ? `TrackingId ${String(error.trackingId)}` : undefined
    return new UserError({ message: error.message, detail: [tag, trackingId].filter(Boolean).join(", ") })
  }
  return new UserError({ message: String(error) })
}

/** What to print for a failed command: the message, and with --verbose the detail and the cause's pretty print. */
export const describeFailure = (cause: Cause.Cause<unknown>, verbose: boolean): string => {
  const failure = Cause.failureOption(cause)
  if (failure._tag === "None") {
    return verbose
      ? `uplink: unexpected error\n${Cause.pretty(cause)}`
      : "uplink: unexpected error (run with --verbose for details)"
  }
  const error = toUserError(failure.value)
  const lines = error.message.split("\n").map((line) => `uplink: ${line}`)
  if (verbose && error.detail) lines.push(`  (${error.detail})`)
  return lines.join("\n")
}
