/**
 * The CLI's ledger file: where it is, whether it is on, and opening it. What it holds and how it is written and read
 * is @uplink/core's `Ledger` (counts per run, kind, goal and day — no click id, hash or value); this module runs those
 * statements on an SQLite file through better-sqlite3.
 *
 * Where: `--ledger <path>`, else `UPLINK_LEDGER`, else `$XDG_STATE_HOME/uplink/ledger.db` (default
 * `~/.local/state/uplink/ledger.db`). Off with `--no-ledger`, or `UPLINK_LEDGER=off` (also `none`, `0`, `false`).
 *
 * better-sqlite3 is a native module, so the bundle leaves it outside (a runtime dependency of @uplink/cli) and this
 * module loads it only when a ledger is opened: `--version`, `--help`, `--dry-run` and `--no-ledger` runs never load
 * it, and a machine where it could not be built still sends (the run says the ledger was not written, and why).
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { Ledger } from "@uplink/core"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** The parts of better-sqlite3 used here. */
interface Statement {
  readonly reader: boolean
  all(...params: ReadonlyArray<unknown>): Array<Record<string, unknown>>
  run(...params: ReadonlyArray<unknown>): unknown
}
interface Database {
  prepare(sql: string): Statement
  pragma(text: string): unknown
  close(): void
}
type DatabaseConstructor = new (path: string, options?: { readonly fileMustExist?: boolean }) => Database

const OFF = new Set(["off", "none", "0", "false", "no"])

/** The ledger settings of a command: its flags (`--ledger`, `--no-ledger`) over the environment. */
export interface LedgerFlags {
  readonly ledger: Option.Option<string>
  readonly noLedger: boolean
}

/** The ledger file for these flags and the environment, or `None` when the ledger is off. */
export const ledgerPath = (flags: LedgerFlags): Effect.Effect<Option.Option<string>> =>
  Effect.gen(function* () {
    if (flags.noLedger) return Option.none()
    const setting = Option.isSome(flags.ledger)
      ? flags.ledger
      : yield* Effect.orElseSucceed(Config.option(Config.nonEmptyString("UPLINK_LEDGER")), () => Option.none())
    if (Option.isSome(setting)) {
      const value = setting.value.trim()
      return OFF.has(value.toLowerCase()) ? Option.none() : Option.some(NodePath.resolve(value))
    }
    const state = yield* Effect.orElseSucceed(Config.option(Config.nonEmptyString("XDG_STATE_HOME")), () =>
      Option.none()
    )
    const home = yield* Effect.orElseSucceed(Config.option(Config.nonEmptyString("HOME")), () => Option.none())
    const base = Option.getOrElse(state, () =>
      NodePath.join(
        Option.getOrElse(home, () => NodeOs.homedir()),
        ".local",
        "state"
      )
    )
    return Option.some(NodePath.join(base, "uplink", "ledger.db"))
  })

const unavailable = (path: string, cause: unknown) =>
  new Ledger.LedgerError({
    reason: "Unavailable",
    message: `the ledger ${path} cannot be opened: ${cause instanceof Error ? cause.message : String(cause)}`
  })

/**
 * The ledger in the SQLite file `path` (created, with its folder, when `create`; else it must exist), closed with the
 * scope. WAL mode, so a report may read while a run writes.
 */
export const openLedger = (path: string, options: { readonly create: boolean }) =>
  Effect.gen(function* () {
    const module = yield* Effect.tryPromise({
      try: () => import("better-sqlite3") as Promise<{ readonly default: DatabaseConstructor }>,
      catch: (cause) => unavailable(path, cause)
    })
    const db = yield* Effect.acquireRelease(
      Effect.try({
        try: () => {
          if (options.create) NodeFs.mkdirSync(NodePath.dirname(path), { recursive: true, mode: 0o700 })
          const opened = new module.default(path, { fileMustExist: !options.create })
          opened.pragma("journal_mode = WAL")
          opened.pragma("busy_timeout = 5000")
          if (options.create) NodeFs.chmodSync(path, 0o600)
          return opened
        },
        catch: (cause) => unavailable(path, cause)
      }),
      (opened) => Effect.sync(() => opened.close())
    )
    const executor: Ledger.SqlExecutor = {
      dialect: "sqlite",
      execute: (sql, params) =>
        Effect.try({
          try: () => {
            const statement = db.prepare(sql)
            if (statement.reader) return statement.all(...params)
            statement.run(...params)
            return []
          },
          catch: (cause) =>
            new Ledger.LedgerError({
              reason: /^\s*SELECT/i.test(sql) ? "ReadFailed" : "WriteFailed",
              message: `the ledger ${path}: ${cause instanceof Error ? cause.message : String(cause)}`
            })
        })
    }
    return yield* Ledger.make(executor, path)
  })
