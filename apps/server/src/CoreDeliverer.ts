/**
 * The production `Deliverer`: each outbox batch goes through @uplink/core's pipeline (`OfflineConversions.apply` /
 * `.adjust`: validate again, dedupe, one request of up to 1,000 items, retries under the shared rate limiter, partial
 * errors mapped back to records) over `CampaignManagement` configured from the `MSADS_*` variables. Pipeline outcomes
 * become outbox outcomes; a batch whose request never succeeded becomes `Retry` when the cause can pass (transient
 * failures, 117, credentials that may be fixed) and `Failed` only when sending it again cannot help. Every 117 is
 * counted in `uplink_rate_limited_total`. Missing or broken credentials do not stop the server: the deliverer then
 * reports `NotConfigured` (shown by `/readyz`) and records stay pending.
 *
 * `senderFrom` is core's Sender adapter (`toDeliveryError` maps the failures) plus a hook that remembers the batch's
 * last failure and counts 117s for the metrics, and the server's narrow hook into rate limiting across instances:
 * before each call it waits for the `SharedThrottle` (a pause or pace that another instance's 117 imposed), reports
 * a 117 to it, and a call that went through. Core's own limiter keeps pacing this instance as before.
 */
import {
  CampaignManagement,
  Deliver,
  OfflineGoals,
  Reconciliation,
  ReportClient,
  type CampaignManagementError,
  type CampaignManagementShape,
  MsadsConfig,
  OfflineConversions,
  Outcome,
  RateLimiter,
  Sender,
  type SenderShape,
  toDeliveryError
} from "@uplink/core"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { Deliverer, type DelivererShape, DeliveryOutcome, retryAll } from "./Deliverer.js"
import { ReportSource, type ReportSourceShape } from "./ReportPoller.js"
import type { ClaimedRecord, RecordKind } from "./Outbox.js"
import * as ServerMetrics from "./ServerMetrics.js"
import { SharedThrottle, type SharedThrottleShape } from "./SharedThrottle.js"

/** Knobs of the in-process retries of one batch (the outbox retries later, with its own backoff). */
export interface CoreDelivererOptions {
  /** Sends of one request after the first (default 2). */
  readonly maxRetries?: number | undefined
  /** Longest backoff between them (default 5 s). */
  readonly retryCap?: Duration.DurationInput | undefined
  /** The wait after 117 (default 60 s, the documented guidance). */
  readonly rateLimitWait?: Duration.DurationInput | undefined
}

/** The shared throttle of the customer this deliverer sends for. */
export interface ThrottleHook {
  readonly shared: SharedThrottleShape
  readonly customerId: string
  /** The pause after a 117 that names no wait, in ms. */
  readonly rateLimitWaitMs: number
}

/** Whether a batch that failed with `error` may succeed later without anyone changing it. */
const canPassLater = (error: CampaignManagementError) =>
  error.isRetryable || error.reason._tag === "RateLimitError" || error.reason._tag === "AuthenticationError"

/** The pipeline's `Sender` over `CampaignManagement` (one attempt per call: the pipeline retries), reporting failures. */
export const senderFrom = (
  client: CampaignManagementShape,
  onFailure: (error: CampaignManagementError) => Effect.Effect<void> = () => Effect.void,
  throttle: Option.Option<ThrottleHook> = Option.none()
): SenderShape => {
  const rateLimited = (error: CampaignManagementError) =>
    Option.match(throttle, {
      onNone: () => Effect.void,
      onSome: (hook) => {
        const reason = error.reason
        const waitMs =
          reason._tag === "RateLimitError" && reason.retryAfter !== undefined
            ? Duration.toMillis(reason.retryAfter)
            : hook.rateLimitWaitMs
        return hook.shared.rateLimited(hook.customerId, waitMs)
      }
    })
  const failed = (error: CampaignManagementError) =>
    Effect.zipRight(
      Effect.all([
        onFailure(error),
        error.reason._tag === "RateLimitError"
          ? Effect.zipRight(Metric.increment(ServerMetrics.rateLimited), rateLimited(error))
          : Effect.void
      ]),
      Effect.fail(toDeliveryError(error))
    )
  /** `call` after the shared throttle lets it start; a call that went through is reported to it. */
  const throttled = <A, E, R>(call: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Option.match(throttle, {
      onNone: () => call,
      onSome: (hook) =>
        hook.shared.acquire(hook.customerId).pipe(
          Effect.zipRight(call),
          Effect.tap(() => hook.shared.succeeded(hook.customerId))
        )
    })
  return {
    applyConversions: (batch) =>
      throttled(client.callOnce("ApplyOfflineConversions", { OfflineConversions: batch })).pipe(
        Effect.map((result) => result.response.PartialErrors ?? []),
        Effect.catchAll(failed)
      ),
    applyAdjustments: (batch) =>
      throttled(client.callOnce("ApplyOfflineConversionAdjustments", { OfflineConversionAdjustments: batch })).pipe(
        Effect.map((result) => result.response.PartialErrors ?? []),
        Effect.catchAll(failed)
      )
  }
}

/** The code Microsoft refuses a record with while its goal is younger than two hours. */
const NOT_ACCEPTED_FOR_GOAL = 5615

/** The outbox outcome of a pipeline outcome; `lastFailure` is the last failed call of this batch. */
const toDeliveryOutcome = (
  outcome: Outcome.Outcome,
  lastFailure: Option.Option<CampaignManagementError>
): DeliveryOutcome => {
  const described = Outcome.describe(outcome)
  switch (outcome._tag) {
    case "Accepted":
      return DeliveryOutcome.Accepted()
    case "Duplicate":
      return DeliveryOutcome.Duplicate()
    case "Rejected":
      if (described.code === NOT_ACCEPTED_FOR_GOAL && outcome.identity.conversionName !== null) {
        return DeliveryOutcome.NotAccepted({
          goal: outcome.identity.conversionName,
          message: described.message ?? "the goal does not take conversions yet (5615)"
        })
      }
      return DeliveryOutcome.Rejected({
        code: described.code,
        errorCode: described.errorCode,
        message: described.message ?? outcome._tag
      })
    case "Invalid":
      return DeliveryOutcome.Rejected({
        code: described.code,
        errorCode: described.errorCode,
        message: described.message ?? outcome._tag
      })
    case "Failed": {
      const message = described.message ?? "the request failed"
      if (Option.isSome(lastFailure) && !canPassLater(lastFailure.value)) {
        return DeliveryOutcome.Failed({ code: described.code, errorCode: described.errorCode, message })
      }
      const reason = Option.map(lastFailure, (error) => error.reason)
      const retryAfterMs = Option.flatMap(reason, (value) =>
        value._tag === "RateLimitError" && value.retryAfter !== undefined
          ? Option.some(Duration.toMillis(value.retryAfter))
          : Option.none()
      )
      return DeliveryOutcome.Retry({ message, retryAfterMs })
    }
    case "Ready":
      return DeliveryOutcome.Retry({ message: "the record was not sent", retryAfterMs: Option.none() })
  }
}

/** A deliverer over a `CampaignManagement` client. */
export const make = (
  client: CampaignManagementShape,
  description: string,
  options: CoreDelivererOptions = {},
  shared: Option.Option<{ readonly throttle: SharedThrottleShape; readonly customerId: string }> = Option.none()
) =>
  Effect.sync((): DelivererShape => {
    const rateLimitWait = options.rateLimitWait ?? Duration.seconds(60)
    const throttle = Option.map(
      shared,
      (found): ThrottleHook => ({
        shared: found.throttle,
        customerId: found.customerId,
        rateLimitWaitMs: Duration.toMillis(Duration.decode(rateLimitWait))
      })
    )
    const rateLimiter = RateLimiter.make({ rateLimitWait })
    const retrySchedule = Deliver.retrySchedule({
      maxRetries: options.maxRetries ?? 2,
      cap: options.retryCap ?? Duration.seconds(5),
      rateLimitWait
    })

    const deliver = (kind: RecordKind, records: ReadonlyArray<ClaimedRecord>) =>
      Effect.gen(function* () {
        const lastFailure = yield* Ref.make(Option.none<CampaignManagementError>())
        const sender = senderFrom(client, (error) => Ref.set(lastFailure, Option.some(error)), throttle)
        const input = {
          records: Stream.fromIterable(
            records.map((record, index) => ({ line: index + 1, id: record.id, values: record.fields }))
          )
        }
        const pipelineOptions = {
          batchSize: 1_000,
          concurrency: 1,
          retrySchedule,
          rateLimiter,
          onWarning: (warning: { readonly _tag: string }) =>
            Effect.logWarning("pipeline warning").pipe(Effect.annotateLogs({ warning: warning._tag }))
        }
        const stream =
          kind === "conversion"
            ? OfflineConversions.apply(input, pipelineOptions)
            : OfflineConversions.adjust(input, pipelineOptions)
        const exit = yield* stream.pipe(
          Stream.runCollect,
          Effect.provideService(Sender, Sender.of(sender)),
          Effect.exit
        )
        if (Exit.isFailure(exit)) {
          if (Cause.isInterruptedOnly(exit.cause)) return yield* Effect.interrupt
          return retryAll(records, `the pipeline could not run: ${Cause.pretty(exit.cause)}`)
        }
        const failure = yield* Ref.get(lastFailure)
        const byLine = new Map<number, Outcome.Outcome>()
        for (const outcome of exit.value) byLine.set(outcome.line, outcome)
        return records.map((_, index) => {
          const outcome = byLine.get(index + 1)
          return outcome === undefined
            ? DeliveryOutcome.Retry({
                message: "the pipeline gave no outcome for the record",
                retryAfterMs: Option.none()
              })
            : toDeliveryOutcome(outcome, failure)
        })
      })

    return { readiness: { _tag: "Ready", description }, deliver }
  })

/** What `/readyz` says about the configuration: endpoint and transport, never a secret. */
const describeConfig = Effect.map(MsadsConfig, (config) => `${config.transport} to ${config.endpoints.restBase}`)

/** The deliverer and, when the settings allow, the report source, over one set of clients from the environment. */
const buildFromEnv = (options: CoreDelivererOptions) =>
  Effect.gen(function* () {
    const throttle = yield* SharedThrottle
    const built = yield* Layer.build(Layer.merge(ReportClient.layerConfig, MsadsConfig.layer)).pipe(Effect.either)
    if (built._tag === "Left") {
      const reason = `delivery is not configured: ${built.left.message ?? String(built.left)}`
      const deliverer: DelivererShape = {
        readiness: { _tag: "NotConfigured", reason },
        deliver: (_kind, records) => Effect.succeed(retryAll(records, reason))
      }
      const reports: ReportSourceShape = {
        goals: Effect.fail({ message: reason }),
        report: () => Effect.fail({ message: reason })
      }
      return { deliverer, reports }
    }
    const client = yield* Effect.provide(CampaignManagement, built.right)
    const reportClient = yield* Effect.provide(ReportClient, built.right)
    const description = yield* Effect.provide(describeConfig, built.right)
    const msads = yield* Effect.provide(MsadsConfig, built.right)
    const deliverer = yield* make(client, description, options, Option.some({ throttle, customerId: msads.customerId }))
    const reports: ReportSourceShape = {
      goals: Effect.provideService(OfflineGoals.list, CampaignManagement, client).pipe(
        Effect.map((goals) =>
          goals.flatMap((goal) =>
            goal.Id === undefined || goal.Id === null ? [] : [{ id: goal.Id, name: goal.Name ?? "" }]
          )
        )
      ),
      report: (ids, fromMs, toMs) => Reconciliation.fetch(reportClient, ids, fromMs, toMs)
    }
    return { deliverer, reports }
  }) as Effect.Effect<
    { readonly deliverer: DelivererShape; readonly reports: ReportSourceShape },
    never,
    Scope.Scope | SharedThrottle
  >

/**
 * The deliverer configured from the `MSADS_*` variables (DESIGN.md §5); `NotConfigured` with the reason when they
 * are missing or invalid (the message names the variable, never its value).
 */
export const layerFromEnv = (options: CoreDelivererOptions = {}): Layer.Layer<Deliverer, never, SharedThrottle> =>
  Layer.scoped(
    Deliverer,
    Effect.map(buildFromEnv(options), (built) => built.deliverer)
  )

/**
 * The deliverer and the per-goal report source (the report poller's) over the same credentials and token: the
 * production assembly. Without working `MSADS_*` settings the report source fails with the same reason as delivery.
 */
export const layerWithReportsFromEnv = (
  options: CoreDelivererOptions = {}
): Layer.Layer<Deliverer | ReportSource, never, SharedThrottle> =>
  Layer.scopedContext(
    Effect.map(buildFromEnv(options), (built) =>
      Context.make(Deliverer, built.deliverer).pipe(Context.add(ReportSource, built.reports))
    )
  )
