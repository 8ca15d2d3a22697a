/**
 * Creation times of the goals Uplink created (`uplink goals create`), kept in `goals.json` beside the token file
 * (`UPLINK_TOKEN_FILE`'s folder, else `$XDG_CONFIG_HOME/uplink/`), per account id. Microsoft returns no creation time
 * for a goal and refuses its conversions for two hours (5615), so these recorded times are the only creation times
 * Uplink can know before sending: the CLI refuses (or, with `--hold`, holds) records for a goal younger than two
 * hours, and the server holds them in its outbox (reading the file again only when it changed: `makeRecordedReader`).
 * The file holds goal names and times only, mode 0600.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { tokenFileFromEnv } from "../auth/TokenStore.js"

/** Name → creation time (epoch ms) of the goals Uplink created in one account. */
export type GoalTimes = ReadonlyMap<string, number>

/** The file: `goals.json` in the token file's folder. */
export const goalTimesFile: Config.Config<string> = Config.map(tokenFileFromEnv, (tokenFile) =>
  NodePath.join(NodePath.dirname(tokenFile), "goals.json")
)

/** The account the times are kept under (`MSADS_ACCOUNT_ID`, else `default`). */
const accountKey: Config.Config<string> = Config.option(Config.string("MSADS_ACCOUNT_ID")).pipe(
  Config.map((id) => Option.getOrElse(id, () => "default").trim() || "default")
)

type TimesFile = Record<string, Record<string, string>>

/** The whole file, `{}` when it is missing or not JSON (the times are a help, never a reason to fail). */
const readFile = (path: string): TimesFile => {
  try {
    const parsed: unknown = JSON.parse(NodeFs.readFileSync(path, "utf8"))
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as TimesFile) : {}
  } catch {
    return {}
  }
}

/** The times recorded in `path` for `account`. */
export const readFrom = (path: string, account: string): GoalTimes => {
  const entries: Array<readonly [string, number]> = []
  for (const [name, at] of Object.entries(readFile(path)[account] ?? {})) {
    const ms = typeof at === "string" ? Date.parse(at) : Number.NaN
    if (Number.isFinite(ms)) entries.push([name, ms])
  }
  return new Map(entries)
}

/** The times recorded for the configured account (an empty map when the settings cannot be read). */
export const recorded: Effect.Effect<GoalTimes> = Effect.all([goalTimesFile, accountKey]).pipe(
  Effect.map(([path, account]) => readFrom(path, account)),
  Effect.orElseSucceed((): GoalTimes => new Map())
)

/** What identifies one version of the file: its modification time, size and inode (`missing` when it is absent). */
const fileVersion = (path: string): string => {
  try {
    const stat = NodeFs.statSync(path, { bigint: true })
    return `${stat.mtimeNs}:${stat.size}:${stat.ino}`
  } catch {
    return "missing"
  }
}

/**
 * `recorded` for a long-running process that asks often (the server, on every intake request): the file is read
 * again only when its modification time, size or inode changed since the last read (it is looked at before it is
 * read, so a change during a read is read again next time); otherwise the times read last are answered.
 */
export const makeRecordedReader: Effect.Effect<Effect.Effect<GoalTimes>> = Effect.sync(() => {
  let last:
    | { readonly path: string; readonly account: string; readonly version: string; readonly times: GoalTimes }
    | undefined
  return Effect.all([goalTimesFile, accountKey]).pipe(
    Effect.map(([path, account]): GoalTimes => {
      const version = fileVersion(path)
      if (last?.path === path && last.account === account && last.version === version) return last.times
      const times = readFrom(path, account)
      last = { path, account, version, times }
      return times
    }),
    Effect.orElseSucceed((): GoalTimes => new Map())
  )
})

/** Records that goal `name` was created at `at` in the configured account; a file that cannot be written is logged. */
export const record = (name: string, at: Date): Effect.Effect<void> =>
  Effect.gen(function* () {
    const [path, account] = yield* Effect.all([goalTimesFile, accountKey])
    const times = readFile(path)
    times[account] = { ...times[account], [name]: at.toISOString() }
    yield* Effect.try(() => {
      NodeFs.mkdirSync(NodePath.dirname(path), { recursive: true, mode: 0o700 })
      NodeFs.writeFileSync(path, `${JSON.stringify(times, null, 2)}\n`, { mode: 0o600 })
    }).pipe(Effect.orElse(() => Effect.logWarning(`could not record the goal's creation time in ${path}`)))
  }).pipe(Effect.orElse(() => Effect.logWarning("could not record the goal's creation time")))
