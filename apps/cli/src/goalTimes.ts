/**
 * Creation times of the goals Uplink created (`uplink goals create`), kept in `goals.json` beside the token file
 * (`$XDG_CONFIG_HOME/uplink/`). The service returns no creation time, and conversions for a goal younger than two
 * hours are rejected (5615), so `apply --goal-check` warns from these times. The folder is read from the settings
 * (`UPLINK_TOKEN_FILE`, `XDG_CONFIG_HOME`) through the Effect `ConfigProvider`, like every other setting.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { tokenFileFromEnv } from "@uplink/core"
import * as Config from "effect/Config"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** `goals.json` beside the token file (`UPLINK_TOKEN_FILE`, else `$XDG_CONFIG_HOME/uplink/tokens.json`). */
const goalsFile = Config.map(tokenFileFromEnv, (tokenFile) => join(dirname(tokenFile), "goals.json"))

type GoalTimes = Record<string, Record<string, string>>

const read = (path: string): GoalTimes => {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as GoalTimes
  } catch {
    return {}
  }
}

const accountKey = Config.option(Config.string("MSADS_ACCOUNT_ID")).pipe(
  Config.map((id) => Option.getOrElse(id, () => "default").trim())
)

/** Name → creation time of the goals Uplink created in the configured account. */
export const recordedGoalTimes = Effect.map(
  Effect.all([Effect.orElseSucceed(accountKey, () => "default"), Effect.option(goalsFile)]),
  ([account, path]) =>
    new Map(
      Object.entries(Option.isSome(path) ? (read(path.value)[account] ?? {}) : {}).map(
        ([name, at]) => [name, DateTime.unsafeMake(at)] as const
      )
    )
)

/** Records that `name` was created now in the configured account. */
export const recordGoalCreated = (name: string, at: Date) =>
  Effect.gen(function* () {
    const account = yield* Effect.orElseSucceed(accountKey, () => "default")
    const path = yield* Effect.option(goalsFile)
    if (Option.isNone(path)) return yield* Effect.logWarning("could not record the goal's creation time")
    const times = read(path.value)
    times[account] = { ...times[account], [name]: at.toISOString() }
    yield* Effect.try(() => {
      mkdirSync(dirname(path.value), { recursive: true, mode: 0o700 })
      writeFileSync(path.value, `${JSON.stringify(times, null, 2)}\n`, { mode: 0o600 })
    }).pipe(Effect.orElse(() => Effect.logWarning(`could not record the goal's creation time in ${path.value}`)))
  })
