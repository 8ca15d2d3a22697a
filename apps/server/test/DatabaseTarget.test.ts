/**
 * `UPLINK_DB`: which engine a value selects, what is refused (with a message that names the variable and never the
 * password), and that the password is scrubbed from any text, plain or URL-encoded.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, Redacted } from "effect"
import { SqlError } from "@effect/sql"
import { describeTarget, parseDatabaseTarget, scrubSecrets } from "../src/DatabaseTarget.js"
import { describeOutboxError } from "../src/Outbox.js"
import { scrubError } from "../src/PgOutbox.js"

const parsed = (text: string) => Either.getOrThrow(parseDatabaseTarget(text))
const refused = (text: string) =>
  Either.getLeft(parseDatabaseTarget(text)).pipe((left) => (left._tag === "Some" ? left.value : ""))

describe("UPLINK_DB", () => {
  it("selects SQLite for a path or sqlite:, PostgreSQL for postgres:// and postgresql://", () => {
    expect(parsed("./uplink.db")).toEqual({ _tag: "Sqlite", path: "./uplink.db" })
    expect(parsed("/var/lib/uplink/outbox.db")).toEqual({ _tag: "Sqlite", path: "/var/lib/uplink/outbox.db" })
    expect(parsed("sqlite:./outbox.db")).toEqual({ _tag: "Sqlite", path: "./outbox.db" })
    expect(parsed("sqlite:///var/lib/outbox.db")).toEqual({ _tag: "Sqlite", path: "/var/lib/outbox.db" })
    for (const scheme of ["postgres", "postgresql", "POSTGRES"]) {
      const target = parsed(`${scheme}://uplink:s3cret@db.internal:5432/uplink`)
      expect(target._tag).toBe("Postgres")
      if (target._tag !== "Postgres") continue
      expect(target.shown).toBe(`${scheme}://uplink:***@db.internal:5432/uplink`)
      expect(describeTarget(target)).toBe(`PostgreSQL ${scheme}://uplink:***@db.internal:5432/uplink`)
    }
  })

  it("gives sslmode libpq's meaning and refuses other values", () => {
    const target = parsed("postgres://u:p@h/db?sslmode=require")
    expect(target._tag === "Postgres" && Redacted.value(target.url)).toBe(
      "postgres://u:p@h/db?sslmode=require&uselibpqcompat=true"
    )
    const plain = parsed("postgres://u:p@h/db")
    expect(plain._tag === "Postgres" && Redacted.value(plain.url)).toBe("postgres://u:p@h/db")
    expect(refused("postgres://u:p@h/db?sslmode=prefer")).toBe(
      'UPLINK_DB: sslmode must be one of disable, require, verify-ca, verify-full, got "prefer"'
    )
  })

  it("refuses other schemes, empty values and URLs without a host, never showing the password", () => {
    expect(refused("mysql://root:hunter2@h/db")).toBe(
      "UPLINK_DB: the mysql: scheme is not supported; use a file path, sqlite:<path> or postgres://…"
    )
    expect(refused(" ")).toContain("UPLINK_DB is empty")
    expect(refused("sqlite:")).toContain("names no file")
    expect(refused("postgres:///db")).toBe(
      "UPLINK_DB names no host: postgres:///db (postgres://user:password@host:5432/database)"
    )
    expect(refused("postgres://u:hunter2@/db")).toBe("UPLINK_DB is not a valid PostgreSQL URL: postgres://u:***@/db")
    const broken = refused("postgres://u:hunter2@h:99999/db")
    expect(broken).toBe("UPLINK_DB is not a valid PostgreSQL URL: postgres://u:***@h:99999/db")
  })

  it("scrubs the password, plain or URL-encoded, and any URL credentials from a text", () => {
    const target = parsed("postgres://uplink:p%40ss%2Fword@h/db")
    const text = 'password "p@ss/word" for postgres://uplink:p%40ss%2Fword@h/db and postgres://x:other@y/z?password=q'
    expect(scrubSecrets(text, target)).toBe(
      'password "***" for postgres://uplink:***@h/db and postgres://x:***@y/z?password=***'
    )
  })

  it("scrubs the password from an outbox error's message and cause, keeping the code", () => {
    const target = parsed("postgres://uplink:hunter2-secret@db/uplink")
    const cause = Object.assign(
      new Error("could not connect with hunter2-secret to postgres://uplink:hunter2-secret@db"),
      {
        code: "28P01"
      }
    )
    const scrubbed = scrubError(target)(new SqlError.SqlError({ message: "failed: hunter2-secret", cause }))
    expect(scrubbed.message).toBe("failed: ***")
    expect(describeOutboxError(scrubbed)).toBe("could not connect with *** to postgres://uplink:***@db (28P01)")
    const aggregate = Object.assign(new AggregateError([new Error("ECONNREFUSED hunter2-secret")], ""), {})
    const inner = scrubError(target)(new SqlError.SqlError({ message: "m", cause: aggregate }))
    expect(describeOutboxError(inner)).toBe("ECONNREFUSED ***")
  })
})
