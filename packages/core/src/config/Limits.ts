/**
 * `Limits`: the range of every numeric setting of Uplink, stated once. The pipeline's options (`batchSize`,
 * `concurrency`, `maxConcurrency`, `rateLimitWindow`, `retry`), the numeric `MSADS_*` / `UPLINK_*` variables core reads
 * (`MSADS_REQUEST_TIMEOUT`, `UPLINK_RATE_LIMIT_WINDOW`, `UPLINK_MAX_CONCURRENCY`) and the CLI's numeric flags are
 * checked against these ranges,
 * and messages quote them (`describe`). A value outside its range is refused with a message that names the setting
 * and its range; nothing is clamped silently.
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"

/** A range of whole numbers, both ends included. */
export interface IntegerRange {
  readonly _tag: "IntegerRange"
  readonly min: number
  readonly max: number
}

/** A range of finite numbers, both ends included. */
export interface NumberRange {
  readonly _tag: "NumberRange"
  readonly min: number
  readonly max: number
}

/** A range of durations, both ends included. */
export interface DurationRange {
  readonly _tag: "DurationRange"
  readonly min: Duration.Duration
  readonly max: Duration.Duration
}

export type Range = IntegerRange | NumberRange | DurationRange

const integers = (min: number, max: number): IntegerRange => ({ _tag: "IntegerRange", min, max })
const durations = (min: Duration.DurationInput, max: Duration.DurationInput): DurationRange => ({
  _tag: "DurationRange",
  min: Duration.decode(min),
  max: Duration.decode(max)
})

/** Items per request: the service takes at most 1,000 (api-facts.md §2.1). */
export const batchSize: IntegerRange = integers(1, 1000)

/** Requests in flight at once, exactly (`concurrency`, `--concurrency`; DESIGN.md §5: a hard cap of 64). */
export const concurrency: IntegerRange = integers(1, 64)

/**
 * The bound of the adaptive concurrency (`maxConcurrency`, `--max-concurrency`, `UPLINK_MAX_CONCURRENCY`; DESIGN.md
 * §5: default 16, at most 64).
 */
export const maxConcurrency: IntegerRange = integers(1, 64)

/**
 * Microsoft's throttling window (`rateLimitWindow`, `--rate-limit-window`, `UPLINK_RATE_LIMIT_WINDOW`; default 60 s):
 * after a 117 delivery waits at most what remains of it, then paces to what it admitted.
 */
export const rateLimitWindow: DurationRange = durations("100 millis", "10 minutes")

/** The former name of `rateLimitWindow` (the pipeline's `rateLimitWait` option). */
export const rateLimitWait: DurationRange = rateLimitWindow

/** How long one HTTP exchange may take (`MSADS_REQUEST_TIMEOUT`). Node's timers cannot go past ~24.8 days. */
export const requestTimeout: DurationRange = durations("1 second", "1 hour")

/** How many times a request is sent again at most (`retry.maxRetries`). */
export const maxRetries: IntegerRange = integers(0, 20)

/** The first backoff delay and the longest one (`retry.base`, `retry.cap`). */
export const backoffDelay: DurationRange = durations("1 millis", "10 minutes")

/** A goal's conversion window in days (`uplink goals create --conversion-window-days`; the service takes 1–90 days). */
export const conversionWindowDays: IntegerRange = integers(1, 90)

/** A goal's fixed revenue value (the service documents 0 to 9,999,999). */
export const goalValue: NumberRange = { _tag: "NumberRange", min: 0, max: 9_999_999 }

/**
 * How long `uplink apply --wait-for-report` waits for Microsoft's per-goal report to cover the run (`--report-timeout`,
 * default 10 minutes): Microsoft documents a delay of up to several hours, so the longest wait is a day.
 */
export const reportTimeout: DurationRange = durations("1 second", "24 hours")

/**
 * How many UTC days one per-goal report may cover (`uplink report --goals --from/--to`, and every other use of
 * GetOfflineConversionReportByGoalIds). Microsoft takes at most 7 days and 20 goal ids per request and documents no
 * look-back limit (docs/microsoft-api.md §5), so a range is split into requests and, unbounded, ten years would be
 * 522 requests per 20 goals. Uplink's own cap is 90 days: the longest conversion window a goal can have (and
 * Microsoft's 90-day look-back for conversions and their clicks), at most 13 requests per 20 goals.
 */
export const reportDays: IntegerRange = integers(1, 90)

/** A TCP port to listen on; 0 picks a free one. */
export const port: IntegerRange = integers(0, 65535)

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`

/** A duration in words: "1 second", "10 minutes", "1500 ms". */
export const durationText = (duration: Duration.Duration): string => {
  const ms = Duration.toMillis(duration)
  if (!Number.isFinite(ms)) return "infinity"
  if (ms > 0 && ms % 86_400_000 === 0) return plural(ms / 86_400_000, "day")
  if (ms > 0 && ms % 3_600_000 === 0) return plural(ms / 3_600_000, "hour")
  if (ms > 0 && ms % 60_000 === 0) return plural(ms / 60_000, "minute")
  if (ms > 0 && ms % 1000 === 0) return plural(ms / 1000, "second")
  return `${ms} ms`
}

/** The range as words: "a whole number from 1 to 64", "a duration from 1 second to 10 minutes (…)". */
export const describe = (range: Range): string => {
  switch (range._tag) {
    case "IntegerRange":
      return `a whole number from ${range.min} to ${range.max}`
    case "NumberRange":
      return `a number from ${range.min} to ${range.max}`
    case "DurationRange":
      return `a duration from ${durationText(range.min)} to ${durationText(range.max)} (e.g. "30s", "2 minutes" or milliseconds)`
  }
}

/** Whether `value` is in `range`. */
export const contains = (range: Range, value: number | Duration.Duration): boolean => {
  switch (range._tag) {
    case "IntegerRange":
      return typeof value === "number" && Number.isInteger(value) && value >= range.min && value <= range.max
    case "NumberRange":
      return typeof value === "number" && Number.isFinite(value) && value >= range.min && value <= range.max
    case "DurationRange":
      return (
        Duration.isDuration(value) &&
        Duration.greaterThanOrEqualTo(value, range.min) &&
        Duration.lessThanOrEqualTo(value, range.max)
      )
  }
}

/** Why `value` is refused for the setting `name`, or undefined when it is in `range`. */
export const problem = (name: string, range: Range, value: number | Duration.Duration): string | undefined =>
  contains(range, value)
    ? undefined
    : `${name} must be ${describe(range)}, got ${Duration.isDuration(value) ? durationText(value) : String(value)}`

const SHORT_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000
}

/**
 * A duration written as whole milliseconds ("2500"), with a short unit ("30s", "2 m", "1h", "500ms"), or as an
 * Effect duration ("30 seconds", "2 minutes").
 */
export const parseDuration = (text: string): Option.Option<Duration.Duration> => {
  const trimmed = text.trim()
  if (/^[0-9]+$/.test(trimmed)) return Option.some(Duration.millis(Number(trimmed)))
  const short = /^([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|min|h|d)$/.exec(trimmed)
  if (short !== null) return Option.some(Duration.millis(Number(short[1]) * SHORT_UNITS[short[2]!]!))
  return Duration.decodeUnknown(trimmed)
}

/** A whole number written in decimal digits (an optional sign), or none for anything else ("1e3", "12abc", ""). */
export const parseInteger = (text: string): Option.Option<number> => {
  const trimmed = text.trim()
  return /^[+-]?[0-9]{1,15}$/.test(trimmed) ? Option.some(Number(trimmed)) : Option.none()
}

/** A finite decimal number ("12.5", "-3", "1e3"), or none. */
export const parseNumber = (text: string): Option.Option<number> => {
  const trimmed = text.trim()
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(trimmed)) return Option.none()
  const value = Number(trimmed)
  return Number.isFinite(value) ? Option.some(value) : Option.none()
}

/** Parses `text` for the setting `name` and checks it against `range`: the value, or why it is refused. */
export const parse = (name: string, range: Range, text: string): Either.Either<number | Duration.Duration, string> => {
  const parsed: Option.Option<number | Duration.Duration> =
    range._tag === "DurationRange"
      ? parseDuration(text)
      : range._tag === "IntegerRange"
        ? parseInteger(text)
        : parseNumber(text)
  if (Option.isNone(parsed)) return Either.left(`${name} must be ${describe(range)}, got ${JSON.stringify(text)}`)
  const refused = problem(name, range, parsed.value)
  return refused === undefined ? Either.right(parsed.value) : Either.left(refused)
}

/** A duration variable checked against `range`; a malformed or out-of-range value fails naming the variable. */
export const durationConfig = (name: string, range: DurationRange): Config.Config<Duration.Duration> =>
  Config.string(name).pipe(
    Config.mapOrFail((text) =>
      Either.mapBoth(parse(name, range, text), {
        onLeft: (message) => ConfigError.InvalidData([], message),
        onRight: (value) => value as Duration.Duration
      })
    )
  )

/** A whole-number variable checked against `range`; a malformed or out-of-range value fails naming the variable. */
export const integerConfig = (name: string, range: IntegerRange): Config.Config<number> =>
  Config.string(name).pipe(
    Config.mapOrFail((text) =>
      Either.mapBoth(parse(name, range, text), {
        onLeft: (message) => ConfigError.InvalidData([], message),
        onRight: (value) => value as number
      })
    )
  )

/** `UPLINK_RATE_LIMIT_WINDOW`: Microsoft's throttling window, when set. */
export const rateLimitWindowConfig: Config.Config<Option.Option<Duration.Duration>> = Config.option(
  durationConfig("UPLINK_RATE_LIMIT_WINDOW", rateLimitWindow)
)

/** `UPLINK_MAX_CONCURRENCY`: the bound of the adaptive concurrency, when set. */
export const maxConcurrencyConfig: Config.Config<Option.Option<number>> = Config.option(
  integerConfig("UPLINK_MAX_CONCURRENCY", maxConcurrency)
)
