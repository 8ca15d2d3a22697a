#!/usr/bin/env node
/**
 * `uplink-server`: HTTP ingestion of offline conversions with a durable outbox (DESIGN.md §6). Flags `--host`,
 * `--port` and `--insecure` win over `UPLINK_HOST` / `UPLINK_PORT`; everything else comes from the environment
 * (README.md lists the variables). Logs are JSON lines on standard output; SIGTERM or SIGINT stops intake, lets the
 * worker finish or release its batch, and exits 0. `uplink-server migrate` brings the outbox's schema (SQLite file or
 * PostgreSQL database, `UPLINK_DB`) to this version and exits: 0 when done, 1 with the reason otherwise (a newer
 * schema than this binary knows, an unreachable database). The server itself also migrates at start.
 */
import { parseArgs } from "node:util"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as SqlError from "@effect/sql/SqlError"
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as CoreDeliverer from "./CoreDeliverer.js"
import { jsonLogging } from "./Logging.js"
import { describeOutboxError, migrateDatabase, OutboxSchemaError } from "./Outbox.js"
import { serverLayerWith } from "./Server.js"
import { configErrorMessages, ServerConfig, type ServerFlags } from "./ServerConfig.js"

const usage = `Usage: uplink-server [--host <host>] [--port <port>] [--insecure]
       uplink-server migrate      apply the outbox's schema migrations (UPLINK_DB) and exit

  --host <host>   interface to listen on (UPLINK_HOST, default 127.0.0.1)
  --port <port>   TCP port, 0 picks a free one (UPLINK_PORT, default 8787)
  --insecure      accept requests without a bearer token; only on a loopback host, only when
                  UPLINK_SERVER_TOKEN is not set

Environment: UPLINK_SERVER_TOKEN (at least 16 characters), UPLINK_DB (a file, sqlite:<path> or postgres://…),
UPLINK_DB_POOL_SIZE, UPLINK_DB_STATEMENT_TIMEOUT_MS, UPLINK_FLUSH_MS, UPLINK_BATCH_SIZE,
UPLINK_MAX_BODY_BYTES, UPLINK_MAX_RECORDS, UPLINK_LEASE_MS, UPLINK_RETRY_BASE_MS, UPLINK_RETRY_MAX_MS,
UPLINK_SHUTDOWN_GRACE_MS, UPLINK_TIMEZONE, UPLINK_DEFAULT_REGION, UPLINK_LOG_LEVEL and the MSADS_* delivery settings (MSADS_DEVELOPER_TOKEN, MSADS_CUSTOMER_ID, MSADS_ACCOUNT_ID, MSADS_ACCESS_TOKEN or
MSADS_CLIENT_ID + MSADS_REFRESH_TOKEN, MSADS_ENDPOINT, MSADS_TRANSPORT, …).
`

const parseFlags = (argv: ReadonlyArray<string>): ServerFlags | "help" | "migrate" => {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      host: { type: "string" },
      port: { type: "string" },
      insecure: { type: "boolean" },
      help: { type: "boolean", short: "h" }
    },
    strict: true,
    allowPositionals: true
  })
  if (values.help === true) return "help"
  if (positionals.length > 0) {
    if (positionals.length === 1 && positionals[0] === "migrate") return "migrate"
    throw new Error(`unknown command: ${positionals.join(" ")}`)
  }
  let port: number | undefined
  if (values.port !== undefined) {
    port = Number(values.port)
    if (!/^[0-9]+$/.test(values.port) || port > 65535) throw new Error(`--port must be 0–65535, got ${values.port}`)
  }
  return { host: values.host, port, insecure: values.insecure ?? false }
}

/** Why the server could not start, in words: each setting's problem, or SQLite's own message for the outbox. */
const startFailure = (cause: Cause.Cause<unknown>): string => {
  const reasons = [...Cause.failures(cause), ...Cause.defects(cause)].flatMap((error): ReadonlyArray<string> => {
    if (ConfigError.isConfigError(error)) return configErrorMessages(error)
    if (error instanceof SqlError.SqlError) return [`the outbox cannot be opened: ${describeOutboxError(error)}`]
    if (error instanceof OutboxSchemaError) return [`the outbox cannot be used: ${error.reason}`]
    return [error instanceof Error ? error.message : String(error)]
  })
  return reasons.length > 0 ? reasons.join("; ") : (Cause.pretty(cause).split("\n")[0] ?? "unknown cause")
}

let flags: ServerFlags | "help" | "migrate"
try {
  flags = parseFlags(process.argv.slice(2))
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${usage}`)
  process.exit(1)
}

if (flags === "help") {
  process.stdout.write(usage)
} else if (flags === "migrate") {
  // Migrating needs no token and serves nothing: the settings are read as for a loopback --insecure server.
  const program = migrateDatabase.pipe(
    Effect.tap((done) => Effect.logInfo("uplink-server migrate: done").pipe(Effect.annotateLogs({ database: done }))),
    Effect.provide(ServerConfig.layer({ host: "127.0.0.1", insecure: true })),
    Effect.tapErrorCause((cause) =>
      Effect.logError("uplink-server migrate failed").pipe(Effect.annotateLogs({ error: startFailure(cause) }))
    )
  )
  NodeRuntime.runMain(program.pipe(jsonLogging), { disableErrorReporting: true, disablePrettyLogger: true })
} else {
  const program = Layer.launch(serverLayerWith(CoreDeliverer.layerWithReportsFromEnv())).pipe(
    Effect.provide(ServerConfig.layer(flags)),
    Effect.tapErrorCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.void
        : Effect.logError("uplink-server cannot start").pipe(Effect.annotateLogs({ error: startFailure(cause) }))
    ),
    Effect.onExit(() => Effect.logInfo("uplink-server stopped"))
  )
  NodeRuntime.runMain(program.pipe(jsonLogging), { disableErrorReporting: true, disablePrettyLogger: true })
}
