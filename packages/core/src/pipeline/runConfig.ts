/**
 * A run's configuration, made from its options before anything is read: every option checked (a numeric one against
 * its `Limits` range, a time zone and a region against what the runtime knows), and the delivery context built — the
 * retry schedule, the customer's rate limiter (given, from `RateLimiters`, or new) and the concurrency limit.
 */
import type * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Limits from "../config/Limits.js"
import type { Mode } from "./columns.js"
import * as ConcurrencyLimit from "./concurrencyLimit.js"
import { type DeliveryContext, retrySchedule } from "./deliver.js"
import * as Hashing from "./hashing.js"
import { PipelineError, type PipelineOptions } from "./PipelineOptions.js"
import * as RateLimiter from "./rateLimiter.js"
import { RateLimiters } from "./rateLimiters.js"
import * as Time from "./time.js"
import { type Warning, message as warningMessage } from "./warning.js"

/** What a run needs, checked and resolved. */
export interface Config {
  readonly mode: Mode
  readonly dryRun: boolean
  readonly timeZone: DateTime.TimeZone.Named | undefined
  readonly defaultRegion: Hashing.CountryCode | undefined
  readonly batchSize: number
  /** Worker fibers of the delivery pool: the fixed concurrency, or the adaptive limit's bound. */
  readonly workers: number
  readonly delivery: DeliveryContext
  readonly onWarning: (warning: Warning) => Effect.Effect<void>
}

const invalidOptions = (message: string) => Effect.fail(new PipelineError({ reason: "InvalidOptions", message }))

/** The failure for an option outside its range, naming the option, its range and the value. */
const outOfRange = (option: keyof PipelineOptions, range: Limits.Range, value: number | Duration.Duration) =>
  Effect.fail(
    new PipelineError({
      reason: "InvalidOptions",
      option,
      expected: Limits.describe(range),
      received: Duration.isDuration(value) ? Limits.durationText(value) : String(value),
      message: Limits.problem(option, range, value) ?? `${option} is out of range`
    })
  )

/** Attempts in all of the default retry schedule (`maxRetries` retries after the first). */
const DEFAULT_MAX_RETRIES = 5

/**
 * The time zone for times written without `Z` or an offset (`--timezone`, the server's `UPLINK_TIMEZONE`): an IANA
 * name the runtime knows, or the message that says why `name` is not one.
 */
export const resolveTimeZone = (name: string): Either.Either<DateTime.TimeZone.Named, string> =>
  Option.match(Time.zone(name.trim()), {
    onNone: () => Either.left(`unknown time zone ${JSON.stringify(name)} (use an IANA name such as Europe/Paris)`),
    onSome: Either.right
  })

/**
 * The region for raw phone numbers written without a country code (`--default-region`, the server's
 * `UPLINK_DEFAULT_REGION`): an ISO 3166 alpha-2 code, any case, or the message that says why `code` is not one.
 */
export const resolveDefaultRegion = (code: string): Either.Either<Hashing.CountryCode, string> => {
  const region = code.trim().toUpperCase()
  return Hashing.isRegion(region)
    ? Either.right(region)
    : Either.left(`unknown default region ${JSON.stringify(code)} (use a code such as US or GB)`)
}

/** The configuration of a run of `mode` from `options`, or the `PipelineError` that names the bad option. */
export const configure = (
  mode: Mode,
  dryRun: boolean,
  options: PipelineOptions
): Effect.Effect<Config, PipelineError> =>
  Effect.gen(function* () {
    let timeZone: DateTime.TimeZone.Named | undefined
    if (options.timeZone !== undefined) {
      const zone = resolveTimeZone(options.timeZone)
      if (Either.isLeft(zone)) return yield* invalidOptions(zone.left)
      timeZone = zone.right
    }
    let defaultRegion: Hashing.CountryCode | undefined
    if (options.defaultRegion !== undefined) {
      const region = resolveDefaultRegion(options.defaultRegion)
      if (Either.isLeft(region)) return yield* invalidOptions(region.left)
      defaultRegion = region.right
    }
    const batchSize = options.batchSize ?? Limits.batchSize.max
    if (!Limits.contains(Limits.batchSize, batchSize)) {
      return yield* outOfRange("batchSize", Limits.batchSize, batchSize)
    }
    const fixedConcurrency =
      options.concurrency === undefined || typeof options.concurrency === "number"
        ? options.concurrency
        : options.concurrency.snapshot().max
    if (fixedConcurrency !== undefined && !Limits.contains(Limits.concurrency, fixedConcurrency)) {
      return yield* outOfRange("concurrency", Limits.concurrency, fixedConcurrency)
    }
    const maxConcurrency = options.maxConcurrency ?? ConcurrencyLimit.DEFAULT_MAX
    if (!Limits.contains(Limits.maxConcurrency, maxConcurrency)) {
      return yield* outOfRange("maxConcurrency", Limits.maxConcurrency, maxConcurrency)
    }
    const windowOption: keyof PipelineOptions =
      options.rateLimitWindow !== undefined ? "rateLimitWindow" : "rateLimitWait"
    const rateLimitWindow = Duration.decode(options.rateLimitWindow ?? options.rateLimitWait ?? Duration.seconds(60))
    if (!Limits.contains(Limits.rateLimitWindow, rateLimitWindow)) {
      return yield* outOfRange(windowOption, Limits.rateLimitWindow, rateLimitWindow)
    }
    const retry = options.retry ?? {}
    const maxRetries = retry.maxRetries ?? DEFAULT_MAX_RETRIES
    if (!Limits.contains(Limits.maxRetries, maxRetries)) {
      return yield* outOfRange("retry", Limits.maxRetries, maxRetries)
    }
    for (const delay of [retry.base, retry.cap]) {
      if (delay === undefined) continue
      const decoded = Duration.decode(delay)
      if (!Limits.contains(Limits.backoffDelay, decoded)) {
        return yield* outOfRange("retry", Limits.backoffDelay, decoded)
      }
    }
    const onWarning = options.onWarning ?? ((warning: Warning) => Effect.logWarning(warningMessage(warning)))
    const limiterOptions = { window: rateLimitWindow, maxConcurrency }
    let rateLimiter = options.rateLimiter
    if (rateLimiter === undefined) {
      const shared = yield* Effect.serviceOption(RateLimiters)
      rateLimiter =
        shared._tag === "Some"
          ? yield* shared.value.forCustomer(options.customerId ?? "default", limiterOptions)
          : RateLimiter.make({ ...limiterOptions, customerId: options.customerId })
    }
    const concurrency =
      options.concurrency === undefined
        ? rateLimiter.concurrency
        : typeof options.concurrency === "number"
          ? ConcurrencyLimit.fixed(options.concurrency)
          : options.concurrency
    return {
      mode,
      dryRun,
      timeZone,
      defaultRegion,
      batchSize,
      workers: concurrency.snapshot().max,
      onWarning,
      delivery: {
        retrySchedule: options.retrySchedule ?? retrySchedule({ ...retry, rateLimitWait: rateLimitWindow }),
        maxAttempts: options.retrySchedule === undefined ? maxRetries + 1 : null,
        rateLimiter,
        concurrency,
        batchSize,
        onWarning,
        onWait: options.onWait,
        onSend: options.onSend,
        stop: options.stop
      }
    }
  })
