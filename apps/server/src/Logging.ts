/**
 * Structured logs: one JSON object per line on standard output (Effect's JSON logger: message, level, timestamp,
 * annotations), at the level `UPLINK_LOG_LEVEL` names (default Info). What the server logs is chosen so that no
 * token, raw email or phone number can appear: requests are logged by method, path and status only, records by
 * counts, errors by message, keys of a body only when they look like field names (`loggableKeys`).
 */
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"

const levels: Record<string, LogLevel.LogLevel> = {
  trace: LogLevel.Trace,
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warning: LogLevel.Warning,
  warn: LogLevel.Warning,
  error: LogLevel.Error,
  none: LogLevel.None
}

const fieldNameLike = /^[A-Za-z][A-Za-z _-]{0,63}$/

/**
 * The keys of a request body that may be logged: only those that look like field names (a key is client text and
 * could hold anything, an email included), and how many others there were.
 */
export const loggableKeys = (keys: ReadonlyArray<string>) => {
  const named = keys.filter((key) => fieldNameLike.test(key))
  return { fields: named, otherKeys: keys.length - named.length }
}

/** The level from `UPLINK_LOG_LEVEL` (trace, debug, info, warning, error, none). */
export const logLevelFromEnv = (value: string | undefined): LogLevel.LogLevel =>
  levels[(value ?? "info").trim().toLowerCase()] ?? LogLevel.Info

/** Runs `effect` with JSON logs at the configured level. */
export const jsonLogging = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  effect.pipe(Logger.withMinimumLogLevel(logLevelFromEnv(process.env.UPLINK_LOG_LEVEL)), Effect.provide(Logger.json))
