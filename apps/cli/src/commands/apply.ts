/**
 * The definition of `uplink apply <file|->` and `uplink adjust <file|->`: the argument, the flags and their help. The
 * run itself (`../run/apply.ts`: the core pipeline, progress, summary, results file) is imported when the command
 * runs, so that every other command, `--help` and `--version` start without loading it.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type { PipelineOptions } from "@uplink/core"
import * as Limits from "@uplink/core/Limits"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { SignalSource } from "../interrupt.js"
import { connection, durationFlag, integerFlag, json as jsonOption, ledgerFlags } from "../options.js"

const file = Args.text({ name: "file" }).pipe(
  Args.withDescription("CSV, Bulk CSV or JSON Lines file; - reads standard input")
)

const pipelineFlags = {
  format: Options.choice("format", ["auto", "csv", "bulk", "jsonl"]).pipe(
    Options.withDefault("auto" as const),
    Options.withDescription("input format (auto: JSON Lines if the input starts with {, else CSV or Bulk CSV)")
  ),
  timezone: Options.text("timezone").pipe(
    Options.withDescription("IANA time zone for times without Z or an offset, e.g. America/New_York"),
    Options.optional
  ),
  defaultRegion: Options.text("default-region").pipe(
    Options.withDescription("country (ISO 3166 alpha-2) for raw phone numbers without a country code, e.g. US"),
    Options.optional
  ),
  goalCheck: Options.boolean("goal-check").pipe(
    Options.withDescription(
      "fetch the account's offline conversion goals first; unknown names become invalid 5606, and records are " +
        "checked against their goal's conversion window and enhanced-conversions setting (warnings)"
    )
  ),
  hold: Options.boolean("hold").pipe(
    Options.withDescription(
      "records for a goal Uplink created less than two hours ago: wait until Microsoft takes them, then send " +
        "(without --hold they are refused, invalid 5615)"
    )
  ),
  waitForReport: Options.boolean("wait-for-report").pipe(
    Options.withDescription(
      "after sending, wait until Microsoft's per-goal report covers the run (up to --report-timeout) and print " +
        "which records it counted and why the others did not count"
    )
  ),
  reportTimeout: durationFlag(
    "report-timeout",
    Limits.reportTimeout,
    "how long --wait-for-report waits (default 10 minutes; Microsoft may take several hours); only with --wait-for-report"
  ).pipe(Options.optional),
  batchSize: integerFlag("batch-size", Limits.batchSize, "items per request (default 1000)").pipe(Options.optional),
  concurrency: integerFlag(
    "concurrency",
    Limits.concurrency,
    "exactly this many requests in flight (default: adaptive, up to --max-concurrency)"
  ).pipe(Options.optional),
  maxConcurrency: integerFlag(
    "max-concurrency",
    Limits.maxConcurrency,
    "the most requests in flight the adaptive limit may reach; overrides UPLINK_MAX_CONCURRENCY (default 16)"
  ).pipe(Options.optional),
  rateLimitWindow: durationFlag(
    "rate-limit-window",
    Limits.rateLimitWindow,
    "Microsoft's throttling window: after a rate limit (117) wait at most what remains of it, then pace to what it " +
      "admitted; overrides UPLINK_RATE_LIMIT_WINDOW (default 60 seconds)"
  ).pipe(Options.optional),
  dryRun: Options.boolean("dry-run").pipe(Options.withDescription("validate and hash only; nothing is sent")),
  results: Options.text("results").pipe(
    Options.withDescription("write one CSV row per input record to this file (never the input file itself)"),
    Options.optional
  ),
  json: jsonOption
}

export type ApplyFlags = Command.Command.ParseConfig<typeof pipelineFlags & typeof connection & typeof ledgerFlags> & {
  readonly file: string
}

/** Settings of a run that are not flags: tests shorten them. */
export interface ApplyTuning {
  /** How long the first Ctrl-C waits for the requests in flight before abandoning them (default 30 seconds). */
  readonly grace?: Duration.DurationInput | undefined
  /** Knobs of the retry schedule (default: the pipeline's, 5 retries with backoff from 1 second). */
  readonly retry?: PipelineOptions["retry"]
  /** Where Ctrl-C (SIGINT) comes from (default: this process). */
  readonly signals?: SignalSource | undefined
  /** What `-` reads (default: this process's standard input). */
  readonly stdin?: Stream.Stream<Uint8Array, unknown> | undefined
  /** How often `--wait-for-report` asks for the report (default: a tenth of the timeout, 1 to 30 seconds). */
  readonly reportPollInterval?: Duration.DurationInput | undefined
}

/** The `apply` or `adjust` command; `setExitCode` receives the run's exit code. */
export const applyCommand = (mode: "apply" | "adjust", setExitCode: (code: number) => void, tuning?: ApplyTuning) =>
  Command.make(mode, { file, ...pipelineFlags, ...ledgerFlags, ...connection }, (flags) =>
    Effect.flatMap(
      Effect.promise(() => import("../run/apply.js")),
      ({ runApply }) => Effect.map(Effect.scoped(runApply(mode, flags as ApplyFlags, undefined, tuning)), setExitCode)
    )
  ).pipe(
    Command.withDescription(
      mode === "apply"
        ? "send offline conversions (ApplyOfflineConversions)"
        : "restate or retract offline conversions (ApplyOfflineConversionAdjustments)"
    )
  )
