/**
 * The run of `uplink apply <file|->` and `uplink adjust <file|->` (imported when the command runs; the definition,
 * flags and help are in `../commands/apply.ts`): run a file (or standard input) through the core pipeline and
 * report one outcome per record — progress bar on a terminal, a summary table (or `--json`), the results CSV with
 * `--results`, and the exit code (the root README, "The CLI"). `--dry-run` validates and hashes without any network call.
 *
 * Safety (README "Safety"): a results path that is the input file is refused before anything is opened for writing,
 * and the results file is opened only once the input has been read from; delivery waits are shown as they start.
 * Three things stop a run early through the pipeline's stop signal (no more input is read, requests in flight finish,
 * records read but not sent are `failed` with the kind `NotSent`), and the summary says which one happened:
 * - Ctrl-C (exit 130); a second Ctrl-C, or requests still in flight after the grace period, abandons the run at once
 *   and names the line ranges whose outcome is unknown;
 * - a results file that cannot be written any more (delivery exit codes: 3, since records were not sent);
 * - Microsoft refusing the credentials (exit 1 when nothing was delivered, naming the access token).
 *
 * Around the records: the run's identifier hygiene (`Hygiene`) and, with `--goal-check`, its goal-settings findings
 * are counted through the pipeline's `inspect` hook and printed with the summary; records for a goal Uplink created
 * less than two hours ago are refused (invalid 5615), or with `--hold` the run waits, visibly, until the goal takes
 * them; the outcomes are counted into the ledger (`../ledger.ts`, counts only) and written at the end; with
 * `--wait-for-report` the run then waits for Microsoft's per-goal report (`./attribution.ts`).
 */
import { randomUUID } from "node:crypto"
import { statSync } from "node:fs"
import {
  CampaignManagement,
  type CampaignManagementShape,
  fixedConcurrency,
  GoalReadiness,
  GoalTimes,
  Hygiene,
  makeCampaignManagementSender,
  makeGoalCheck,
  OfflineConversions,
  type Outcome,
  type PipelineOptions,
  RateLimiter,
  ResultsCsv,
  Sender,
  Summary,
  Warning
} from "@uplink/core"
import * as Limits from "@uplink/core/Limits"
import { Ledger, ReportClient } from "@uplink/core/reconciliation"
import * as Chunk from "effect/Chunk"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Sink from "effect/Sink"
import * as Stream from "effect/Stream"
import type { ApplyFlags, ApplyTuning } from "../commands/apply.js"
import { type Abandon, watchInterrupts } from "../interrupt.js"
import { ledgerPath, openLedger } from "../ledger.js"
import { credentialSource, refusedCredentials } from "../render/credentials.js"
import { deliveryStatus, deliverySummary } from "../render/delivery.js"
import { makeProgress, type Progress } from "../render/progress.js"
import { renderHygiene } from "../render/hygiene.js"
import { renderSummary } from "../render/summaryTable.js"
import { makeWaitReporter, progressNote, seconds } from "../render/waits.js"
import { UserError } from "../userError.js"
import { type AttributionResult, awaitReport, type Baseline, renderAttribution, takeBaseline } from "./attribution.js"
import { configLayer } from "../options.js"

type Flags = ApplyFlags

const DEFAULT_GRACE = Duration.seconds(30)

/** The stop reasons the pipeline puts into the `NotSent` outcomes' message ("not sent: …"). */
const RESULTS_FAILED = "the results file could not be written"
const CREDENTIALS_REFUSED = "Microsoft refused the credentials"

const unwrap = <A>(option: Option.Option<A>): A | undefined => Option.getOrUndefined(option)

const plural = (n: number, word: string) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`

/** The message for a results path `ResultsCsv.checkTarget` refused. */
const refusedResultsPath = (error: ResultsCsv.ResultsWriteError, input: string): UserError =>
  new UserError({
    message:
      error.reason === "SameAsInput"
        ? `--results ${error.path} is the input file ${input}: writing the results there would destroy the input ` +
          "before it is read. Choose another path for --results."
        : `--results: ${error.message}`
  })

/** Runs one file through the pipeline and returns the exit code; `extraConfig` adds settings (the demo's). */
export const runApply = (
  mode: "apply" | "adjust",
  flags: Flags,
  extraConfig?: ReadonlyMap<string, string>,
  tuning: ApplyTuning = {}
) =>
  Effect.gen(function* () {
    // A flag that would change nothing is refused, never ignored.
    if (Option.isSome(flags.reportTimeout) && !flags.waitForReport) {
      return yield* new UserError({
        message:
          "--report-timeout only sets how long --wait-for-report waits: add --wait-for-report, or leave " +
          "--report-timeout out"
      })
    }
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
    const resultsPath = unwrap(flags.results)
    // Before anything is opened for writing: the results file must not be the input.
    if (resultsPath !== undefined) {
      yield* Effect.mapError(ResultsCsv.checkTarget(resultsPath, flags.file), (error) =>
        refusedResultsPath(error, flags.file)
      )
    }
    const settings = configLayer(flags, extraConfig)
    const rateLimitWindow = Option.isSome(flags.rateLimitWindow)
      ? flags.rateLimitWindow.value
      : unwrap(yield* Effect.provide(Limits.rateLimitWindowConfig, settings))
    const maxConcurrency = Option.isSome(flags.maxConcurrency)
      ? flags.maxConcurrency.value
      : unwrap(yield* Effect.provide(Limits.maxConcurrencyConfig, settings))
    // The run's own limits, so that the progress bar and the summary can show their state.
    const rateLimiter = RateLimiter.make({ window: rateLimitWindow, maxConcurrency })
    const concurrency = Option.isSome(flags.concurrency)
      ? fixedConcurrency(flags.concurrency.value)
      : rateLimiter.concurrency

    const kind = mode === "apply" ? "conversion" : "adjustment"
    const ledgerFile = flags.dryRun ? Option.none<string>() : yield* Effect.provide(ledgerPath(flags), settings)
    const runId = randomUUID()
    const ledgerTally = new Ledger.Tally()
    /** Accepted records per goal name (what `--wait-for-report` waits for). */
    const acceptedByGoal = new Map<string, number>()
    const hygiene = Hygiene.tally()
    /** Set once the goals are fetched (`--goal-check`). */
    const goalSettings: { check: GoalReadiness.GoalSettingsCheck | undefined } = { check: undefined }
    // Goals Uplink created less than two hours ago: their records are refused, or held with --hold.
    const goalTimes = yield* Effect.provide(GoalTimes.recorded, settings)
    const notReady = GoalReadiness.notReady(goalTimes, Date.now())
    const reportTimeout = Option.getOrElse(flags.reportTimeout, () => Duration.minutes(10))

    // No bar yet: it is drawn once the run is ready to read (a setting that fails must not leave one behind).
    let progress: Progress = makeProgress({ enabled: false })
    /** A line on stderr (above the progress bar when one is drawn). */
    const printErr = (line: string): Effect.Effect<void> =>
      progress.active ? Effect.sync(() => progress.log(line)) : Console.error(line)

    const stop = new AbortController()
    /** Requests sent whose outcomes have not been counted yet: first line → last line of the batch. */
    const inFlight = new Map<number, number>()
    const grace = Duration.decode(tuning.grace ?? DEFAULT_GRACE)
    const interrupts = yield* watchInterrupts(
      stop,
      grace,
      Effect.suspend(() =>
        printErr(
          inFlight.size === 0
            ? "uplink: interrupted: no more records are read (press Ctrl-C again to stop at once)"
            : `uplink: interrupted: no more records are read; waiting up to ${seconds(Duration.toMillis(grace))} for ` +
                `${plural(inFlight.size, "request")} in flight (press Ctrl-C again to stop at once)`
        )
      ),
      tuning.signals
    )

    const warnings: Array<string> = []
    const waits = makeWaitReporter()
    let bytesRead = 0
    // The file's path goes to the pipeline as it is (its fastest input: no stream stage per chunk read, and no byte
    // chunk kept alive by one); the progress bar's byte count comes from `onBytesRead`.
    const options: PipelineOptions = {
      format: flags.format,
      timeZone: unwrap(flags.timezone),
      defaultRegion: unwrap(flags.defaultRegion),
      batchSize: unwrap(flags.batchSize),
      concurrency: Option.isSome(flags.concurrency) ? concurrency : undefined,
      maxConcurrency,
      rateLimitWindow,
      rateLimiter,
      retry: tuning.retry,
      stop: stop.signal,
      onWarning: (warning) =>
        Effect.suspend(() => {
          const text = Warning.message(warning)
          warnings.push(text)
          return flags.json ? Effect.void : printErr(`uplink: warning: ${text}`)
        }),
      onWait: (wait) =>
        Effect.suspend(() => {
          const line = waits.line(wait)
          // The pause after a 117 shows as the limiter's countdown; other long waits as a note.
          if (wait.millis >= 500 && wait.reason !== "rateLimited") {
            progress.note(progressNote(wait), Date.now() + wait.millis)
          }
          return line === undefined || flags.json ? Effect.void : printErr(`uplink: ${line}`)
        }),
      onSend: (send) => {
        inFlight.set(send.firstLine, send.lastLine)
      },
      onBytesRead: (read) => {
        bytesRead = read
      },
      inspect: (record, result, nowMs, found) => {
        hygiene.observe(record, result, found)
        goalSettings.check?.inspect(result, nowMs, found)
      }
    }
    if (flags.hold && !flags.dryRun && notReady.size > 0) {
      const held = yield* holdForGoals(flags, options, notReady, stop.signal)
      if (held === "interrupted") {
        yield* Console.error("uplink: interrupted while holding for a new goal: nothing was sent")
        return 130
      }
    }
    // Only goals Uplink recorded can be refused as too young: without any, no per-record check at all.
    const goals = goalTimes.size === 0 ? undefined : makeGoalCheck(undefined, goalTimes, { refuseNotReady: true })
    const input = flags.file === "-" && tuning.stdin !== undefined ? tuning.stdin : flags.file
    const sending = flags.dryRun
      ? undefined
      : yield* sendingOutcomes(mode, input, { ...options, goals }, flags, extraConfig, goalTimes, goalSettings)
    // A dry run shows the records of a goal younger than two hours as the run would treat them: refused (5615),
    // or with --hold ready (the run would wait, then send them).
    const outcomes: Stream.Stream<Outcome.Outcome, unknown> =
      sending === undefined
        ? OfflineConversions.dryRun(input, { ...options, goals: flags.hold ? undefined : goals, mode })
        : sending.outcomes
    progress = makeProgress({
      enabled: !flags.json,
      totalBytes,
      status: flags.dryRun
        ? undefined
        : () => deliveryStatus(rateLimiter.stateAt(Date.now()), concurrency.snapshot(), Date.now())
    })
    let resultsError: ResultsCsv.ResultsWriteError | undefined
    const written =
      resultsPath === undefined
        ? outcomes
        : ResultsCsv.write(resultsPath, {
            onError: (error) => {
              resultsError = error
              stop.abort(RESULTS_FAILED)
            }
          })(outcomes)

    const messages = new Map<string, string>()
    let summary = Summary.empty
    let lastLine = 0
    let refused: Outcome.FailureCause | undefined
    /**
     * Counts a chunk of outcomes, keeps the first message of each code, forgets the requests whose outcomes came, and
     * moves the progress bar. Once per chunk, in a plain fold: stream stages per outcome (a running summary, a tap, a
     * map) were most of the time of a large run, and an effect per outcome kept outcomes alive past young collections
     * (peak memory grew with the file).
     */
    const track = (_: Summary.Summary, chunk: Chunk.Chunk<Outcome.Outcome>): Summary.Summary => {
      const list = Chunk.toReadonlyArray(chunk)
      const at = Date.now()
      for (let i = 0; i < list.length; i++) {
        const outcome = list[i]!
        if (!flags.dryRun) {
          ledgerTally.add(kind, outcome, at)
          if (outcome._tag === "Accepted") {
            const goal = outcome.identity.conversionName ?? ""
            acceptedByGoal.set(goal, (acceptedByGoal.get(goal) ?? 0) + 1)
          }
        }
        if (outcome.line > lastLine) lastLine = outcome.line
        if (inFlight.size > 0) inFlight.delete(outcome.line)
        const code = Summary.codeOf(outcome)
        if (code !== undefined && !messages.has(code)) {
          const message = outcomeMessage(outcome)
          if (message !== null) messages.set(code, message)
        }
        if (outcome._tag === "Failed" && refused === undefined && outcome.cause.kind === "Authentication") {
          // Every later request would be refused the same way: stop, and say which credential to fix.
          refused = outcome.cause
          stop.abort(CREDENTIALS_REFUSED)
        }
      }
      summary = Summary.addAll(summary, list)
      progress.update(summary.total, bytesRead)
      return summary
    }
    const abandoned: Abandon | undefined = yield* Effect.raceFirst(
      // Disconnected: abandoning the run does not wait for the requests in flight to be interrupted.
      Effect.as(Effect.disconnect(Stream.run(written, Sink.foldLeftChunks(Summary.empty, track))), undefined),
      interrupts.abandoned
    ).pipe(Effect.ensuring(Effect.sync(() => progress.stop())))

    const interrupted = interrupts.interrupted()
    const delivered = summary.byStatus.accepted + summary.byStatus.rejected
    const exitCode = interrupted
      ? 130
      : refused !== undefined && delivered === 0
        ? 1
        : flags.dryRun
          ? summary.byStatus.invalid > 0
            ? 2
            : 0
          : Summary.exitCode(summary)
    const notSent = summary.byCode[OfflineConversions.NOT_SENT] ?? 0
    const unknown = abandoned === undefined ? [] : [...inFlight].sort(([a], [b]) => a - b)
    const inputFullyRead = totalBytes === undefined ? !stop.signal.aborted : bytesRead >= totalBytes
    const credentials =
      refused === undefined ? undefined : refusedCredentials(refused, yield* credentialSourceIn(settings))

    const ledger = yield* writeLedger(ledgerFile, ledgerTally.take(runId, "cli"))
    if (ledger?.error != null && !flags.json) yield* Console.error(`uplink: ${ledger.error}`)
    let attribution: AttributionResult | undefined
    if (sending?.watch !== undefined && !interrupted && abandoned === undefined) {
      if (!flags.json) {
        yield* Console.error(
          `uplink: waiting for Microsoft's per-goal report to cover the run (up to ${Duration.format(reportTimeout)}; ` +
            "Ctrl-C stops waiting)"
        )
      }
      const interval =
        tuning.reportPollInterval === undefined
          ? Duration.millis(Math.min(30_000, Math.max(1_000, Duration.toMillis(reportTimeout) / 10)))
          : Duration.decode(tuning.reportPollInterval)
      attribution = yield* awaitReport(
        sending.watch.report,
        sending.watch.baseline,
        acceptedByGoal,
        reportTimeout,
        interval,
        stop.signal
      )
    }

    const notes: Array<string> = []
    const rest = inputFullyRead
      ? "every record of the input had been read"
      : `records after line ${lastLine.toLocaleString("en-US")} were not read` +
        (totalBytes === undefined || totalBytes === 0 ? "" : ` (${Math.floor((bytesRead / totalBytes) * 100)} % read)`)
    if (abandoned !== undefined) {
      notes.push(
        `Stopped at once (${abandoned === "second-interrupt" ? "second Ctrl-C" : `requests in flight did not finish within ${seconds(Duration.toMillis(grace))}`}).`,
        unknown.length === 0
          ? "No request was in flight: every record without an outcome above was not sent."
          : `The outcome of lines ${unknown.map(([first, last]) => `${first}–${last}`).join(", ")} is unknown: ` +
              "sent to Microsoft, no answer recorded. Records without an outcome (here and in the results file) " +
              "were not sent. Sending the file again is safe: Microsoft ignores exact duplicates."
      )
    } else if (interrupted) {
      notes.push(
        `Interrupted (Ctrl-C): ${plural(notSent, "record")} read but not sent (failed, NotSent); ${rest}. ` +
          "Requests in flight finished."
      )
    }
    if (resultsError !== undefined) {
      notes.push(
        `The results file could not be written: ${resultsError.message}. Reading stopped there: ` +
          `${plural(notSent, "record")} read but not sent (failed, NotSent); ${rest}. ` +
          `The counts above include records whose rows are missing from ${resultsError.path}.`
      )
    }
    if (credentials !== undefined && !interrupted) {
      notes.push(`Stopped: ${CREDENTIALS_REFUSED}; ${plural(notSent, "record")} read but not sent; ${rest}.`)
      // With exit 1 the advice goes to stderr, like every other "nothing could be attempted" message.
      if (exitCode !== 1) notes.push(...credentials)
    }

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
          waits: waits.tally,
          delivery: flags.dryRun ? null : deliverySummary(rateLimiter.stateAt(Date.now()), concurrency.snapshot()),
          interrupted,
          abandoned: abandoned ?? null,
          unknown: unknown.map(([firstLine, lastLine]) => ({ firstLine, lastLine })),
          notSent,
          inputFullyRead,
          resultsError: resultsError?.message ?? null,
          credentialsRefused: credentials?.join(" ") ?? null,
          results: resultsPath ?? null,
          hygiene: hygiene.report(),
          goalSettings: goalSettings.check?.report() ?? null,
          ledger,
          attribution: attribution ?? null,
          elapsedMs,
          exitCode
        })
      )
    } else {
      const title = flags.dryRun ? `uplink ${mode} --dry-run` : `uplink ${mode}`
      yield* Console.log(
        [
          renderSummary(summary, { title, resultsPath, elapsedMs, messages, notes }),
          ...renderHygiene(hygiene.report().total, goalSettings.check?.report() ?? {}),
          ...(ledger !== null && ledger.error === null ? ["", `Ledger: ${ledger.path} (run ${runId})`] : []),
          ...(attribution === undefined ? [] : renderAttribution(attribution))
        ].join("\n")
      )
    }
    if (credentials !== undefined && exitCode === 1) {
      for (const line of credentials) yield* Console.error(`uplink: ${line}`)
    }
    return exitCode
  })

/** Where the run's credentials came from, read under the flags' settings. */
const credentialSourceIn = (settings: Layer.Layer<never>) => Effect.provide(credentialSource, settings)

/**
 * The outcomes of a real run: builds the clients once from flags and environment (a missing setting fails here,
 * before any record is read) — the conversions client and, for `--wait-for-report`, the REST report client over the
 * same credentials — fetches the goals for `--goal-check` (names, windows, enhanced conversions: one call), takes the
 * report's baseline for `--wait-for-report`, and sends through the pipeline.
 */
const sendingOutcomes = (
  mode: "apply" | "adjust",
  input: string | Stream.Stream<Uint8Array, unknown>,
  options: PipelineOptions,
  flags: Flags,
  extraConfig: ReadonlyMap<string, string> | undefined,
  goalTimes: GoalTimes.GoalTimes,
  goalSettings: { check: GoalReadiness.GoalSettingsCheck | undefined }
) =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    const context = yield* Layer.buildWithScope(
      ReportClient.layerConfig.pipe(Layer.provide(configLayer(flags, extraConfig))),
      scope
    )
    const client = Context.get(context, CampaignManagement)
    const sender = yield* makeCampaignManagementSender.pipe(Effect.provide(context))
    let goals = options.goals
    if (flags.goalCheck) {
      const facts = yield* GoalReadiness.fetchGoalFacts(
        (op, request) => Effect.map(client.call(op, request), (result) => result.response),
        goalTimes
      )
      goals = makeGoalCheck(facts.keys(), goalTimes, { refuseNotReady: true })
      goalSettings.check = new GoalReadiness.GoalSettingsCheck(facts)
    }
    let watch: { readonly report: CampaignManagementShape; readonly baseline: Baseline } | undefined
    if (flags.waitForReport) {
      const report = Context.get(context, ReportClient)
      watch = { report, baseline: yield* takeBaseline(client, report, Date.now()) }
    }
    const run = mode === "apply" ? OfflineConversions.apply : OfflineConversions.adjust
    return { outcomes: run(input, { ...options, goals }).pipe(Stream.provideService(Sender, sender)), watch }
  })

/**
 * `--hold`: waits, visibly, until every goal the input uses that Uplink created less than two hours ago takes
 * conversions. A file is read once first (no network) to learn which goals it uses; standard input cannot be read
 * twice, so then every such goal is waited for. Ctrl-C (`stop`) ends the wait: nothing is sent.
 */
const holdForGoals = (
  flags: Flags,
  options: PipelineOptions,
  notReady: ReadonlyMap<string, number>,
  stop: AbortSignal
) =>
  Effect.gen(function* () {
    let used = new Set(notReady.keys())
    if (flags.file !== "-") {
      used = yield* OfflineConversions.dryRun(flags.file, {
        format: options.format,
        timeZone: options.timeZone,
        defaultRegion: options.defaultRegion,
        mode: "apply"
      }).pipe(
        Stream.runFold(new Set<string>(), (names, outcome) => {
          const name = outcome.identity.conversionName
          if (name !== null && notReady.has(name)) names.add(name)
          return names
        }),
        Effect.orElseSucceed(() => used)
      )
    }
    if (used.size === 0) return "ready" as const
    const readyAt = Math.max(...[...used].map((name) => notReady.get(name)!))
    const waitMs = readyAt - Date.now()
    if (waitMs <= 0) return "ready" as const
    const names = [...used].map((name) => JSON.stringify(name)).join(", ")
    yield* Console.error(
      `uplink: holding: Microsoft takes conversions for ${names} from ${new Date(readyAt).toISOString()} (two ` +
        `hours after it was created), in ${seconds(waitMs)}; waiting, then sending (Ctrl-C stops, nothing sent)`
    )
    const interrupted = yield* Effect.raceFirst(
      Effect.as(Effect.sleep(Duration.millis(waitMs)), false),
      Effect.as(
        Effect.async<void>((resume) => {
          if (stop.aborted) return resume(Effect.void)
          const done = () => resume(Effect.void)
          stop.addEventListener("abort", done, { once: true })
          return Effect.sync(() => stop.removeEventListener("abort", done))
        }),
        true
      )
    )
    if (interrupted) return "interrupted" as const
    yield* Console.error("uplink: the goal takes conversions now: sending")
    return "ready" as const
  })

/** What the ledger part of the summary says. */
interface LedgerResult {
  readonly path: string
  readonly runId: string | null
  readonly rows: number
  readonly error: string | null
}

/** Writes the run's rows to the ledger file (`None`: the ledger is off); a failure is reported, never fatal. */
const writeLedger = (
  path: Option.Option<string>,
  rows: ReadonlyArray<Ledger.LedgerRow>
): Effect.Effect<LedgerResult | null> =>
  Option.match(path, {
    onNone: () => Effect.succeed(null),
    onSome: (file) =>
      Effect.scoped(
        Effect.gen(function* () {
          const ledger = yield* openLedger(file, { create: true })
          yield* ledger.record(rows)
          return { path: file, runId: rows[0]?.runId ?? null, rows: rows.length, error: null }
        })
      ).pipe(
        Effect.catchAll((error) =>
          Effect.succeed({ path: file, runId: null, rows: 0, error: `the ledger was not written: ${error.message}` })
        )
      )
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
