/**
 * Creation times of the goals Uplink created (`uplink goals create`), kept in `goals.json` beside the token file
 * (`$XDG_CONFIG_HOME/uplink/`). The service returns no creation time, and conversions for a goal younger than two
 * hours are rejected (5615), so `apply --goal-check` warns from these times.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { homedir } from "node:os"
import { dirname, join } from "node:path"
import * as Config from "effect/Config"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

const goalsFile = (): string => {
  const tokenFile = process.env.UPLINK_TOKEN_FILE
  if (tokenFile) return join(dirname(tokenFile), "goals.json")
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), ".config")
  return join(base, "uplink", "goals.json")
}

type GoalTimes = Record<string, Record<string, string>>

const read = (): GoalTimes => {
  try {
    return JSON.parse(readFileSync(goalsFile(), "utf8")) as GoalTimes
  } catch {
    return {}
  }
}

const accountKey = Config.option(Config.string("MSADS_ACCOUNT_ID")).pipe(
  Config.map((id) => Option.getOrElse(id, () => "default").trim())
)

/** Name → creation time of the goals Uplink created in the configured account. */
export const recordedGoalTimes = Effect.map(
  Effect.orElseSucceed(accountKey, () => "default"),
  (account) =>
    new Map(Object.entries(read()[account] ?? {}).map(([name, at]) => [name, DateTime.unsafeMake(at)] as const))
)

/** Records that `name` was created now in the configured account. */
export const recordGoalCreated = (name: string, at: Date) =>
  Effect.gen(function* () {
    const account = yield* Effect.orElseSucceed(accountKey, () => "default")
    const times = read()
    times[account] = { ...times[account], [name]: at.toISOString() }
    yield* Effect.try(() => {
      mkdirSync(dirname(goalsFile()), { recursive: true, mode: 0o700 })
      writeFileSync(goalsFile(), `${JSON.stringify(times, null, 2)}\n`, { mode: 0o600 })
    }).pipe(Effect.orElse(() => Effect.logWarning(`could not record the goal's creation time in ${goalsFile()}`)))
  })
