/**
 * What `UPLINK_DB` names: an SQLite file (a path, or `sqlite:<path>`) or a PostgreSQL database (`postgres://…` or
 * `postgresql://…`). The URL of a PostgreSQL database is kept `Redacted`; what is shown of it (`shown`) has its
 * password replaced by `***`, and `scrubSecrets` removes the password (plain or URL-encoded) and any URL credentials
 * from a text before it reaches a log, an answer or an error message. `sslmode` in the URL has libpq's meaning
 * (`disable`, `require`, `verify-ca`, `verify-full`); other values are refused at start, naming the accepted ones.
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/** Where the outbox lives. */
export type DatabaseTarget =
  | { readonly _tag: "Sqlite"; readonly path: string }
  | {
      readonly _tag: "Postgres"
      /** The connection string as given (with `uselibpqcompat=true` added when it names an `sslmode`). */
      readonly url: Redacted.Redacted<string>
      /** The URL with its password replaced by `***`, for messages. */
      readonly shown: string
      /** The password, to scrub from error messages; `None` when the URL has none. */
      readonly password: Option.Option<Redacted.Redacted<string>>
    }

/** The `sslmode` values accepted, with libpq's meaning. */
export const sslModes = ["disable", "require", "verify-ca", "verify-full"] as const

/** Replaces the password of every `scheme://user:password@` in `text` (and `password=` parameters) by `***`. */
export const redactUrls = (text: string): string =>
  text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@\s/]*@/gi, "$1:***@")
    .replace(/([?&]password=)[^&\s]*/gi, "$1***")

/** `text` without the database password (plain or URL-encoded) and without URL credentials. */
export const scrubSecrets = (text: string, target: DatabaseTarget): string => {
  let scrubbed = text
  if (target._tag === "Postgres" && Option.isSome(target.password)) {
    const password = Redacted.value(target.password.value)
    if (password !== "") {
      for (const form of new Set([password, encodeURIComponent(password)])) scrubbed = scrubbed.split(form).join("***")
    }
  }
  return redactUrls(scrubbed)
}

/** The target `text` names, or the message that says what is wrong with it (never showing a password). */
export const parseDatabaseTarget = (text: string): Either.Either<DatabaseTarget, string> => {
  const trimmed = text.trim()
  if (trimmed === "") return Either.left("UPLINK_DB is empty: give a file path, sqlite:<path> or postgres://…")
  if (/^postgres(ql)?:\/\//i.test(trimmed)) {
    let url: URL
    try {
      url = new URL(trimmed)
    } catch {
      return Either.left(`UPLINK_DB is not a valid PostgreSQL URL: ${redactUrls(trimmed)}`)
    }
    const shown = redactUrls(trimmed)
    if (url.hostname === "" && !url.searchParams.has("host")) {
      return Either.left(`UPLINK_DB names no host: ${shown} (postgres://user:password@host:5432/database)`)
    }
    const sslmode = url.searchParams.get("sslmode")
    if (sslmode !== null && !(sslModes as ReadonlyArray<string>).includes(sslmode)) {
      return Either.left(`UPLINK_DB: sslmode must be one of ${sslModes.join(", ")}, got ${JSON.stringify(sslmode)}`)
    }
    // node-postgres gives sslmode libpq's meaning only when asked to (otherwise `require` verifies the certificate).
    if (sslmode !== null && !url.searchParams.has("uselibpqcompat")) url.searchParams.set("uselibpqcompat", "true")
    const password = url.password === "" ? Option.none() : Option.some(Redacted.make(decodeURIComponent(url.password)))
    return Either.right({ _tag: "Postgres", url: Redacted.make(url.toString()), shown, password })
  }
  if (/^sqlite:/i.test(trimmed)) {
    const rest = trimmed.slice("sqlite:".length)
    const path = rest.startsWith("//") ? rest.slice(2) : rest
    if (path === "") return Either.left("UPLINK_DB: sqlite: names no file (sqlite:./uplink.db)")
    return Either.right({ _tag: "Sqlite", path })
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed)
  if (scheme !== null) {
    return Either.left(
      `UPLINK_DB: the ${scheme[1]}: scheme is not supported; use a file path, sqlite:<path> or postgres://…`
    )
  }
  return Either.right({ _tag: "Sqlite", path: trimmed })
}

/** What a log or `/readyz` may show of the target: the file, or the URL without its password. */
export const describeTarget = (target: DatabaseTarget): string =>
  target._tag === "Sqlite" ? `SQLite ${target.path}` : `PostgreSQL ${target.shown}`
