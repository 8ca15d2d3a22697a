/**
 * The run of `uplink demo` (imported when the command runs; the definition is in `../commands/demo.ts`): the README's
 * first command. Starts the emulator in-process in demo mode, creates a goal, applies
 * the bundled sample file (a few rows of every outcome), prints the summary and where the sample and results files
 * are. It needs no credentials and touches nothing outside a temporary folder.
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { CampaignManagement } from "@uplink/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { DEMO_NEW_GOAL, demoCsv } from "../demo/sample.js"
import type { DemoFlags } from "../commands/demo.js"
import { UserError } from "../userError.js"
import { runApply } from "./apply.js"
import { clientLayer } from "./client.js"

/** Runs the demo and returns its exit code (a run with invalid or rejected rows, as the sample has, is a success). */
export const runDemo = (flags: DemoFlags) =>
  Effect.gen(function* () {
    // Imported here, not at the top: the emulator serves every operation, and `uplink` must not load them to start.
    const { defaultCredentials, start } = yield* Effect.promise(() => import("@uplink/emulator"))
    const emulator = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => start({ demo: true, port: 0 }),
        catch: (error) => new UserError({ message: `cannot start the emulator: ${String(error)}` })
      }),
      (running) => Effect.promise(() => running.stop())
    )
    const settings = new Map([
      ["MSADS_ENDPOINT", emulator.url],
      ["MSADS_DEVELOPER_TOKEN", defaultCredentials.developerToken],
      ["MSADS_CUSTOMER_ID", defaultCredentials.customerId],
      ["MSADS_ACCOUNT_ID", defaultCredentials.accountId],
      ["MSADS_ACCESS_TOKEN", defaultCredentials.accessToken]
    ])
    const connection = { transport: flags.transport, environment: Option.none(), endpoint: Option.none() }
    const folder = mkdtempSync(join(tmpdir(), "uplink-demo-"))
    const sample = join(folder, "conversions.csv")
    const results = join(folder, "results.csv")
    writeFileSync(sample, demoCsv(Date.now()))
    if (!flags.json) {
      yield* Console.log(`Started the emulator at ${emulator.url} (demo mode).`)
    }
    yield* Effect.gen(function* () {
      const client = yield* CampaignManagement
      yield* client.call("AddConversionGoals", {
        ConversionGoals: [
          {
            _tag: "OfflineConversionGoal",
            Name: DEMO_NEW_GOAL,
            ConversionWindowInMinutes: 30 * 24 * 60,
            CountType: "All",
            Revenue: { Type: "FixedValue", Value: 5, CurrencyCode: "USD" },
            Scope: "Account",
            Status: "Active",
            Type: ["OfflineConversion"]
          }
        ]
      })
    }).pipe(Effect.provide(clientLayer(connection, settings)))
    if (!flags.json) {
      yield* Console.log(
        `Created the goal ${JSON.stringify(DEMO_NEW_GOAL)} (Microsoft takes its conversions after 2 hours).`
      )
      yield* Console.log(`Applying ${sample}:\n`)
    }
    const code = yield* runApply(
      "apply",
      {
        file: sample,
        format: "auto",
        timezone: Option.none(),
        defaultRegion: Option.some("US"),
        goalCheck: false,
        hold: false,
        waitForReport: false,
        reportTimeout: Option.none(),
        // The demo's emulator is gone after the run: its counts do not belong in the user's ledger.
        ledger: Option.none(),
        noLedger: true,
        batchSize: Option.none(),
        concurrency: Option.none(),
        maxConcurrency: Option.none(),
        rateLimitWindow: Option.none(),
        dryRun: false,
        results: Option.some(results),
        json: flags.json,
        ...connection,
        verbose: false
      },
      settings
    )
    if (!flags.json) {
      yield* Console.log(`\nSample file: ${sample}`)
      yield* Console.log("Next: point MSADS_* at your account (see the README) and run `uplink apply <your file>`.")
    }
    return code === 2 ? 0 : code
  }).pipe(Effect.scoped)
