/**
 * `uplink apply <file|->` and `uplink adjust <file|->`: run a file (or standard input) through the core pipeline and
 * report one outcome per record — progress bar on a terminal, a summary table (or `--json`), the results CSV with
 * `--results`, and the exit code of DESIGN.md §5. `--dry-run` validates and hashes without any network call.
 */
import { statSync } from "node:fs"
import { Args, Command, Options } from "@effect/cli"
import {
  CampaignManagement,
  GoalCheck,
  makeCampaignManagementSender,
  OfflineConversions,
  type Outcome,
  type PipelineOptions,
  ResultsCsv,
  Sender,
  Summary,
  Warning
} from "@uplink/core"
import { Chunk, Console, Context, Effect, Layer, Option, Sink, Stream } from "effect"
import { recordedGoalTimes } from "../goalTimes.js"
import { clientLayer, connection, json as jsonOption } from "../options.js"
import { makeProgress } from "../render/progress.js"
import { renderSummary } from "../render/summaryTable.js"
import { UserError } from "../userError.js"

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
    Options.withDescription("fetch the account's offline conversion goals first; unknown names become invalid 5606")
  ),
  batchSize: Options.integer("batch-size").pipe(
    Options.withDescription("items per request, at most 1000"),
    Options.optional
  ),
  concurrency: Options.integer("concurrency").pipe(
    Options.withDescription("requests in flight at once"),
    Options.optional
  ),
  dryRun: Options.boolean("dry-run").pipe(Options.withDescription("validate and hash only; nothing is sent")),
  results: Options.text("results").pipe(
    Options.withDescription("write one CSV row per input record to this file"),
    Options.optional
  ),
  json: jsonOption
}

export type ApplyFlags = Command.Command.ParseConfig<typeof pipelineFlags & typeof connection> & {
  readonly file: string
}
type Flags = ApplyFlags

const unwrap = <A>(option: Option.Option<A>): A | undefined => Option.getOrUndefined(option)

/** Runs one file through the pipeline and returns the exit code; `extraConfig` adds settings (the demo's). */
export const runApply = (mode: "apply" | "adjust", flags: Flags, extraConfig?: ReadonlyMap<string, string>) =>
  Effect.gen(function* () {
    const started = Date.now()
    let totalBytes: number | undefined
    if (flags.file !== "-") {
      try {
        totalBytes = statSync(flags.file).size
      } catch {
        return yield* new UserError({
          message: `cannot read ${flags.file}: no such file (give a CSV, Bulk CSV or JSON Lines file, or - for standard input)`
        })
      }
    }
    const warnings: Array<string> = []
    const options: PipelineOptions = {
      format: flags.format,
      timeZone: unwrap(flags.timezone),
      defaultRegion: unwrap(flags.defaultRegion),
      batchSize: unwrap(flags.batchSize),
      concurrency: unwrap(flags.concurrency),
      onWarning: (warning) =>
        Effect.sync(() => {
          const text = Warning.message(warning)
          warnings.push(text)
          if (!flags.json) process.stderr.write(`uplink: warning: ${text}\n`)
        })
    }
    // The file's path goes to the pipeline as it is (its fastest input: no stream stage per chunk read, and no byte
    // chunk kept alive by one); the progress bar's byte count comes from `onBytesRead`.
    let bytesRead = 0
    const reading: PipelineOptions = {
      ...options,
      onBytesRead: (read) => {
        bytesRead = read
      }
    }
    const outcomes: Stream.Stream<Outcome.Outcome, unknown> = flags.dryRun
      ? OfflineConversions.dryRun(flags.file, { ...reading, mode })
      : yield* sendingOutcomes(mode, flags.file, reading, flags, extraConfig)
    const progress = makeProgress({ enabled: !flags.json, totalBytes })
    const messages = new Map<string, string>()
    const resultsPath = unwrap(flags.results)
    const written = resultsPath === undefined ? outcomes : ResultsCsv.write(resultsPath)(outcomes)
    /**
     * Counts a chunk of outcomes, keeps the first message of each code and moves the progress bar. Once per chunk, in
     * a plain fold: stream stages per outcome (a running summary, a tap, a map) were most of the time of a large run,
     * and an effect per outcome kept outcomes alive past young collections (peak memory grew with the file).
     */
    const track = (summary: Summary.Summary, chunk: Chunk.Chunk<Outcome.Outcome>): Summary.Summary => {
      const list = Chunk.toReadonlyArray(chunk)
      for (let i = 0; i < list.length; i++) {
        const outcome = list[i]!
        const code = Summary.codeOf(outcome)
        if (code !== undefined && !messages.has(code)) {
          const message = outcomeMessage(outcome)
          if (message !== null) messages.set(code, message)
        }
      }
      const next = Summary.addAll(summary, list)
      progress.update(next.total, bytesRead)
      return next
    }
    const summary = yield* Stream.run(written, Sink.foldLeftChunks(Summary.empty, track)).pipe(
      Effect.ensuring(Effect.sync(() => progress.stop()))
    )
    const exitCode = flags.dryRun ? (summary.byStatus.invalid > 0 ? 2 : 0) : Summary.exitCode(summary)
    const elapsedMs = Date.now() - started
    if (flags.json) {
      yield* Console.log(
        JSON.stringify({
          command: mode,
          dryRun: flags.dryRun,
          total: summary.total,
          byStatus: summary.byStatus,
          byCode: summary.byCode,
          warnings,
          results: resultsPath ?? null,
          elapsedMs,
          exitCode
        })
      )
    } else {
      const title = flags.dryRun ? `uplink ${mode} --dry-run` : `uplink ${mode}`
      yield* Console.log(renderSummary(summary, { title, resultsPath, elapsedMs, messages }))
    }
    return exitCode
  })

/**
 * The outcomes of a real run: builds the client once from flags and environment (a missing setting fails here, before
 * any record is read), fetches the goals for `--goal-check`, and sends through the pipeline.
 */
const sendingOutcomes = (
  mode: "apply" | "adjust",
  file: string,
  options: PipelineOptions,
  flags: Flags,
  extraConfig: ReadonlyMap<string, string> | undefined
) =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    const context = yield* Layer.buildWithScope(clientLayer(flags, extraConfig), scope)
    const client = Context.get(context, CampaignManagement)
    const sender = yield* makeCampaignManagementSender.pipe(Effect.provide(context))
    let goals: GoalCheck.GoalCheck | undefined
    if (flags.goalCheck) {
      const names = yield* GoalCheck.fetchOfflineGoalNames((op, request) =>
        Effect.map(client.call(op, request), (result) => result.response)
      )
      goals = GoalCheck.make(names, yield* recordedGoalTimes)
    }
    const run = mode === "apply" ? OfflineConversions.apply : OfflineConversions.adjust
    return run(file, { ...options, goals }).pipe(Stream.provideService(Sender, sender))
  })

const outcomeMessage = (outcome: Outcome.Outcome): string | null => {
  switch (outcome._tag) {
    case "Invalid":
      return outcome.message
    case "Rejected":
      return outcome.errors[0].message
    case "Failed":
      return outcome.cause.message
    default:
      return null
  }
}

/** The `apply` or `adjust` command; `setExitCode` receives the run's exit code. */
export const applyCommand = (mode: "apply" | "adjust", setExitCode: (code: number) => void) =>
  Command.make(mode, { file, ...pipelineFlags, ...connection }, (flags) =>
    Effect.map(Effect.scoped(runApply(mode, flags as Flags)), setExitCode)
  ).pipe(
    Command.withDescription(
      mode === "apply"
        ? "send offline conversions (ApplyOfflineConversions)"
        : "restate or retract offline conversions (ApplyOfflineConversionAdjustments)"
    )
  )
