/**
 * `createClient`: Uplink as a plain object with async methods, for Node code that does not use Effect. It is a
 * facade over the same core the CLI and the server use — one `ManagedRuntime` holding the Campaign Management client
 * (configuration, OAuth, transport, retries) — so every run goes through the same pipeline: validation, hashing,
 * dedupe, batching, delivery with retries and rate limiting, one outcome per record. Settings not given come from
 * the `MSADS_*` variables, exactly as the CLI reads them. Every failure is thrown as an `UplinkError`; an
 * `AbortSignal` stops a run the way Ctrl-C stops the CLI (requests in flight finish, every record read gets its
 * outcome). `close()` (or `await using`) releases connections.
 */
import { type OperationName, type RequestOf, type ResponseOf, loadOperation } from "@uplink/campaign-management/wire"
import type * as Schemas from "@uplink/campaign-management/schemas"
import * as ConfigProvider from "effect/ConfigProvider"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import {
  Auth,
  CampaignManagement,
  CampaignManagementSender,
  fetchOfflineGoalNames,
  type GoalCheck,
  layerNodeHttpClient,
  type Mode,
  MsadsConfig,
  OfflineConversions,
  OfflineGoals,
  type Outcome,
  makeGoalCheck,
  type PipelineInput,
  type PipelineOptions,
  RateLimiters,
  type Sender,
  type SourceRecord,
  Summary,
  TokenStore,
  Warning
} from "../index.js"
import { type PlainRequest, type PlainResponse, toEncoded, toPlainResponse } from "./plain.js"
import {
  type AdjustmentRecord,
  type ConversionRecord,
  type RecordOutcome,
  toRecordOutcome,
  toSourceRecord
} from "./records.js"
import { UplinkError, fromCause, fromFailure } from "./UplinkError.js"

/** How to reach Microsoft; each setting left out is read from its `MSADS_*` variable. */
export interface ClientOptions {
  /** `MSADS_DEVELOPER_TOKEN`. */
  readonly developerToken?: string | undefined
  /** The manager account (customer) id, `MSADS_CUSTOMER_ID`. */
  readonly customerId?: number | bigint | string | undefined
  /** The ad account id, `MSADS_ACCOUNT_ID`. */
  readonly accountId?: number | bigint | string | undefined
  /**
   * A static access token, or OAuth refresh (the newest refresh token is kept in `tokenFile`). Default:
   * `MSADS_ACCESS_TOKEN`, else `MSADS_CLIENT_ID` + `MSADS_REFRESH_TOKEN` (+ `MSADS_CLIENT_SECRET`).
   */
  readonly auth?:
    | { readonly accessToken: string }
    | { readonly clientId: string; readonly refreshToken: string; readonly clientSecret?: string | undefined }
    | undefined
  /** `production` (default) or `sandbox`, `MSADS_ENVIRONMENT`. */
  readonly environment?: "production" | "sandbox" | undefined
  /** `rest` (default) or `soap`, `MSADS_TRANSPORT`. */
  readonly transport?: "rest" | "soap" | undefined
  /** A base URL instead of Microsoft's (e.g. the emulator's), `MSADS_ENDPOINT`. */
  readonly endpoint?: string | undefined
  /** Where rotated refresh tokens are kept (0600): default `UPLINK_TOKEN_FILE`, else `$XDG_CONFIG_HOME/uplink/tokens.json`. */
  readonly tokenFile?: string | undefined
}

/** Options of one run. */
export interface RunOptions {
  /** Stops the run gently: no more records are read or sent, requests in flight finish, every record read gets its outcome. */
  readonly signal?: AbortSignal | undefined
  /** IANA time zone for times written without `Z` or an offset (default: such times are invalid). */
  readonly timeZone?: string | undefined
  /** Region (ISO 3166 alpha-2) for raw phone numbers without a country code. */
  readonly defaultRegion?: string | undefined
  /** Records per request, 1–1,000 (default 1,000). */
  readonly batchSize?: number | undefined
  /** Requests in flight at once, 1–64: exactly this many (default: adaptive, up to `maxConcurrency`). */
  readonly concurrency?: number | undefined
  /** The most requests the adaptive limit lets be in flight, 1–64 (default 16). */
  readonly maxConcurrency?: number | undefined
  /** Fetch the account's goals first: records naming no goal become invalid 5606 before sending. */
  readonly goalCheck?: boolean | undefined
  /** Validate and hash only: nothing is sent, records that would be sent are `ready`. */
  readonly dryRun?: boolean | undefined
  /** Told every warning as it happens (they are also in the result). */
  readonly onWarning?: ((message: string) => void) | undefined
}

/** Counts of a run's outcomes. */
export interface RunSummary {
  readonly total: number
  readonly byStatus: Summary.Summary["byStatus"]
  /** Count per code: `"5604"`, `"ExternalAttributionRequiredFieldEmpty"`, `"Timeout"`, … */
  readonly byCode: Summary.Summary["byCode"]
  /** Whether the signal stopped the run (records read but not sent are `failed` with `NotSent`). */
  readonly interrupted: boolean
}

/** What a run gives: one outcome per record, in the records' order; the counts; the warnings. */
export interface RunResult {
  readonly outcomes: ReadonlyArray<RecordOutcome>
  readonly summary: RunSummary
  readonly warnings: ReadonlyArray<string>
}

/** Where a streamed run reads: records (sync or async), or the path of a CSV, Bulk CSV or JSON Lines file. */
export type RecordSource<A> = Iterable<A> | AsyncIterable<A> | string

/** One day of `report`. */
export interface DailyReport {
  /** The upload day, `YYYY-MM-DD`. */
  readonly date: string | null
  readonly successCount: number
  readonly failureCount: number
}

/** The result of `call`. */
export interface CallResult<A> {
  readonly response: A
  readonly trackingId: string | undefined
}

/** The client. */
export interface UplinkClient extends AsyncDisposable {
  /** Sends `records` (ApplyOfflineConversions) and answers every record's outcome. */
  readonly applyOfflineConversions: (
    records: Iterable<ConversionRecord> | AsyncIterable<ConversionRecord>,
    options?: RunOptions
  ) => Promise<RunResult>
  /** Sends restatements and retractions (ApplyOfflineConversionAdjustments). */
  readonly applyOfflineConversionAdjustments: (
    records: Iterable<AdjustmentRecord> | AsyncIterable<AdjustmentRecord>,
    options?: RunOptions
  ) => Promise<RunResult>
  /** Like `applyOfflineConversions`, for large inputs: outcomes as they are decided, memory bounded. */
  readonly streamOfflineConversions: (
    source: RecordSource<ConversionRecord>,
    options?: RunOptions
  ) => AsyncIterableIterator<RecordOutcome>
  readonly streamOfflineConversionAdjustments: (
    source: RecordSource<AdjustmentRecord>,
    options?: RunOptions
  ) => AsyncIterableIterator<RecordOutcome>
  readonly goals: {
    /** The account's offline conversion goals. */
    readonly list: () => Promise<ReadonlyArray<PlainResponse<Schemas.ConversionGoalUnion>>>
    /** Creates an offline conversion goal; Microsoft accepts its conversions two hours later. */
    readonly create: (spec: OfflineGoals.OfflineGoalSpec) => Promise<{ readonly id: string | undefined }>
  }
  /** Daily success and failure counts of uploads from `from` to `to` (days, UTC; GetOfflineConversionReports). */
  readonly report: (range: {
    readonly from: Date | string
    readonly to: Date | string
  }) => Promise<ReadonlyArray<DailyReport>>
  /** Any operation of the service, with its contract's types (times as `Date`, ids as bigint). */
  readonly call: <Op extends OperationName>(
    operation: Op,
    request: PlainRequest<RequestOf<Op>>
  ) => Promise<CallResult<PlainResponse<ResponseOf<Op>>>>
  /** Releases connections; the client cannot be used afterwards. */
  readonly close: () => Promise<void>
}

type Services = CampaignManagement | Sender | MsadsConfig | RateLimiters

/** The settings given, as the `MSADS_*` values core's configuration reads; the environment fills in the rest. */
const settingsOf = (options: ClientOptions): Map<string, string> => {
  const settings = new Map<string, string>()
  const set = (name: string, value: string | number | bigint | undefined) => {
    if (value !== undefined) settings.set(name, String(value))
  }
  set("MSADS_DEVELOPER_TOKEN", options.developerToken)
  set("MSADS_CUSTOMER_ID", options.customerId)
  set("MSADS_ACCOUNT_ID", options.accountId)
  set("MSADS_ENVIRONMENT", options.environment)
  set("MSADS_TRANSPORT", options.transport)
  set("MSADS_ENDPOINT", options.endpoint)
  return settings
}

/** The runtime's services for `options`. */
const layerFor = (options: ClientOptions): Layer.Layer<Services, unknown> => {
  const auth =
    options.auth === undefined
      ? Auth.layerConfig
      : "accessToken" in options.auth
        ? Auth.layerStatic(options.auth.accessToken)
        : Auth.layerOAuth({
            clientId: options.auth.clientId,
            refreshToken: Redacted.make(options.auth.refreshToken),
            clientSecret: options.auth.clientSecret === undefined ? undefined : Redacted.make(options.auth.clientSecret)
          })
  const tokens = options.tokenFile === undefined ? TokenStore.layerConfig : TokenStore.layerFile(options.tokenFile)
  const client = CampaignManagement.layerTransportFromConfig.pipe(
    Layer.provide(auth),
    Layer.provide(Layer.mergeAll(MsadsConfig.layer, tokens, layerNodeHttpClient))
  )
  const provider = ConfigProvider.fromMap(settingsOf(options)).pipe(
    ConfigProvider.orElse(() => ConfigProvider.fromEnv())
  )
  return Layer.mergeAll(
    Layer.provideMerge(CampaignManagementSender, client),
    MsadsConfig.layer,
    RateLimiters.layer()
  ).pipe(Layer.provide(Layer.setConfigProvider(provider)))
}

/**
 * The outcomes of `stream` as an async iterator: the runtime is built on the first `next()`; a failure is thrown from
 * `next()` as an `UplinkError`; leaving the loop early (`return()`) interrupts the run.
 */
async function* iterate<A>(
  runtime: ManagedRuntime.ManagedRuntime<Services, unknown>,
  stream: Stream.Stream<A, UplinkError, Services>
): AsyncGenerator<A, void, undefined> {
  const built = await runtime.runtime().catch((error: unknown) => {
    throw fromFailure(error)
  })
  yield* Stream.toAsyncIterableRuntime(stream, built)
}

/** `UTC midnight` of a day given as a `Date` or `YYYY-MM-DD` text. */
const dayOf = (value: Date | string, name: string): Date => {
  const date = typeof value === "string" ? new Date(`${value.trim().slice(0, 10)}T00:00:00Z`) : value
  if (Number.isNaN(date.getTime())) {
    throw new UplinkError(`${name} must be a date such as 2026-11-01, got ${JSON.stringify(String(value))}`, {
      reason: "InvalidRequest"
    })
  }
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()))
}

/** A new client. Nothing is connected until the first call. */
export const createClient = (options: ClientOptions = {}): UplinkClient => {
  const runtime = ManagedRuntime.make(layerFor(options))
  let closed = false

  /** Runs `effect` with the client's services; every failure is an `UplinkError`. */
  const run = async <A>(effect: Effect.Effect<A, unknown, Services>): Promise<A> => {
    if (closed) throw new UplinkError("the client is closed", { reason: "Unexpected" })
    const exit = await runtime.runPromiseExit(effect)
    if (Exit.isSuccess(exit)) return exit.value
    throw fromCause(exit.cause)
  }

  /** The outcome stream of one run of `mode` over `source`, with its warnings collected in `warnings`. */
  const outcomes = (
    mode: Mode,
    source: RecordSource<unknown>,
    runOptions: RunOptions,
    warnings: Array<string>
  ): Stream.Stream<Outcome.Outcome, unknown, Services> => {
    const warn = (message: string) => {
      warnings.push(message)
      runOptions.onWarning?.(message)
    }
    const unknownFields = new Set<string>()
    let index = 0
    const input: PipelineInput<unknown> =
      typeof source === "string"
        ? source
        : {
            records: (Symbol.asyncIterator in source
              ? Stream.fromAsyncIterable(source as AsyncIterable<unknown>, (error) => error)
              : Stream.fromIterable(source as Iterable<unknown>)
            ).pipe(
              Stream.map((record): SourceRecord => toSourceRecord(record, index++, mode, unknownFields)),
              Stream.ensuring(
                Effect.sync(() => {
                  if (unknownFields.size > 0) {
                    warn(Warning.message(Warning.Warning.UnknownColumns({ columns: [...unknownFields] })))
                  }
                })
              )
            )
          }
    const pipelineOptions: PipelineOptions = {
      timeZone: runOptions.timeZone,
      defaultRegion: runOptions.defaultRegion,
      batchSize: runOptions.batchSize,
      concurrency: runOptions.concurrency,
      maxConcurrency: runOptions.maxConcurrency,
      stop: runOptions.signal,
      onWarning: (warning) => Effect.sync(() => warn(Warning.message(warning)))
    }
    const stream = Effect.gen(function* () {
      // Runs for one customer share its limiter (RateLimiters): concurrent runs of this client pace together.
      const { customerId } = yield* MsadsConfig
      let goals: GoalCheck | undefined
      if (runOptions.goalCheck === true && runOptions.dryRun !== true) {
        const client = yield* CampaignManagement
        const names = yield* fetchOfflineGoalNames((op, request) =>
          Effect.map(client.call(op, request), (result) => result.response)
        )
        goals = makeGoalCheck(names)
      }
      const withGoals = { ...pipelineOptions, goals, customerId }
      if (runOptions.dryRun === true) return OfflineConversions.dryRun(input, { ...withGoals, mode })
      return mode === "apply" ? OfflineConversions.apply(input, withGoals) : OfflineConversions.adjust(input, withGoals)
    })
    return Stream.unwrap(stream)
  }

  const runAll = (mode: Mode, source: RecordSource<unknown>, runOptions: RunOptions = {}): Promise<RunResult> => {
    const warnings: Array<string> = []
    const fromRecords = typeof source !== "string"
    return run(
      Stream.runFold(
        outcomes(mode, source, runOptions, warnings),
        { list: [] as Array<RecordOutcome>, summary: Summary.empty },
        (state, outcome) => {
          state.list.push(toRecordOutcome(outcome, fromRecords))
          state.summary = Summary.add(state.summary, outcome)
          return state
        }
      ).pipe(
        Effect.map(({ list, summary }) => ({
          outcomes: list.sort((a, b) => a.line - b.line),
          summary: { ...summary, interrupted: runOptions.signal?.aborted === true },
          warnings
        }))
      )
    )
  }

  const streamAll = (
    mode: Mode,
    source: RecordSource<unknown>,
    runOptions: RunOptions = {}
  ): AsyncIterableIterator<RecordOutcome> => {
    if (closed) throw new UplinkError("the client is closed", { reason: "Unexpected" })
    const fromRecords = typeof source !== "string"
    const stream = outcomes(mode, source, runOptions, []).pipe(
      Stream.map((outcome) => toRecordOutcome(outcome, fromRecords)),
      Stream.catchAllCause((cause) => Stream.fail(fromCause(cause)))
    )
    return iterate(runtime, stream)
  }

  const close = async () => {
    if (closed) return
    closed = true
    await runtime.dispose()
  }

  return {
    applyOfflineConversions: (records, runOptions) => runAll("apply", records, runOptions),
    applyOfflineConversionAdjustments: (records, runOptions) => runAll("adjust", records, runOptions),
    streamOfflineConversions: (source, runOptions) => streamAll("apply", source, runOptions),
    streamOfflineConversionAdjustments: (source, runOptions) => streamAll("adjust", source, runOptions),
    goals: {
      list: () => run(Effect.map(OfflineGoals.list, (goals) => goals.map((goal) => toPlainResponse(goal) as never))),
      create: (spec) => run(Effect.map(OfflineGoals.create(spec), (id) => ({ id: id?.toString() })))
    },
    report: (range) =>
      run(
        Effect.gen(function* () {
          const start = dayOf(range.from, "from")
          const end = new Date(dayOf(range.to, "to").getTime() + 24 * 60 * 60 * 1000)
          const client = yield* CampaignManagement
          const { response } = yield* client.call("GetOfflineConversionReports", {
            StartDateUtc: DateTime.unsafeMake(start),
            EndDateUtc: DateTime.unsafeMake(end)
          })
          return (response.DailySummaries ?? []).flatMap((day) =>
            day === null
              ? []
              : [
                  {
                    date: day.UploadDate === undefined ? null : day.UploadDate.pipe(DateTime.formatIso).slice(0, 10),
                    successCount: day.SuccessCount ?? 0,
                    failureCount: day.FailureCount ?? 0
                  }
                ]
          )
        })
      ),
    call: (operation, request) =>
      run(
        Effect.gen(function* () {
          const contract = yield* Effect.promise(() => loadOperation(operation))
          const decoded = yield* Schema.decodeUnknown(
            contract.request as unknown as Schema.Schema<RequestOf<typeof operation>, unknown>
          )(toEncoded(request)).pipe(
            Effect.mapError(
              (error) =>
                new UplinkError(
                  `${operation}: the request does not match the contract: ${ParseResult.TreeFormatter.formatErrorSync(error)}`,
                  { reason: "InvalidRequest", operation }
                )
            )
          )
          const client = yield* CampaignManagement
          const result = yield* client.call(operation, decoded)
          return { response: toPlainResponse(result.response) as never, trackingId: result.trackingId }
        })
      ),
    close,
    [Symbol.asyncDispose]: close
  }
}
