/**
 * The production `Deliverer`: each outbox batch goes through @uplink/core's pipeline (`OfflineConversions.apply` /
 * `.adjust`: validate again, dedupe, one request of up to 1,000 items, retries under the customer's rate limiter,
 * partial errors mapped back to records) over `CampaignManagement` configured from the `MSADS_*` variables. Pipeline
 * outcomes become outbox outcomes; a batch whose request never succeeded becomes `Retry` unless core's retry table
 * says sending it again can never help (`cause.retry` of the failed outcome is `never`): transient failures, 117 and
 * refused credentials (`later`: they may be fixed) keep the records for later. Every 117 is counted in
 * `uplink_rate_limited_total`. Missing or broken credentials do not stop the server: the deliverer then reports
 * `NotConfigured` (shown by `/readyz`) and records stay pending. A record refused with 5615 waits in the outbox for
 * its goal (`NotAccepted`). The same clients serve the report poller (`layerWithReportsFromEnv`).
 *
 * The `Sender` is core's (`makeCampaignManagementSender`) with the server's narrow hook into rate limiting across
 * instances around each call: before it, wait for the `SharedThrottle` (a pause or pace that another instance's 117
 * imposed); after it, report a 117 (and count it) or a call that went through. The customer's own limiter comes from
 * core's `RateLimiters` under the real customer id, so `/metrics` shows it by that id.
 */
import {
  CampaignManagement,
  type CampaignManagementShape,
  type DeliveryFailure,
  makeCampaignManagementSender,
  MsadsConfig,
  OfflineConversions,
  OfflineGoals,
  Outcome,
  type RateLimiter,
  RateLimiters,
  Sender,
  type SenderShape,
  ServiceCodes
} from "@uplink/core"
import { Reconciliation, ReportClient } from "@uplink/core/reconciliation"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { Deliverer, type DelivererShape, DeliveryOutcome, retryAll } from "./Deliverer.js"
import type { ClaimedRecord, RecordKind } from "./Outbox.js"
import { ReportSource, type ReportSourceShape } from "./ReportPoller.js"
import * as ServerMetrics from "./ServerMetrics.js"
import { SharedThrottle, type SharedThrottleShape } from "./SharedThrottle.js"

/** Knobs of the in-process retries of one batch (the outbox retries later, with its own backoff). */
export interface CoreDelivererOptions {
  /** Sends of one request after the first (default 2). */
  readonly maxRetries?: number | undefined
  /** Longest backoff between them (default 5 s). */
  readonly retryCap?: Duration.DurationInput | undefined
  /** The wait after 117 (default 60 s, the documented guidance): the customer's throttling window. */
  readonly rateLimitWait?: Duration.DurationInput | undefined
}

/** The shared throttle of the customer this deliverer sends for. */
export interface ThrottleHook {
  readonly shared: SharedThrottleShape
  readonly customerId: string
  /** The pause after a 117 that names no wait, in ms. */
  readonly rateLimitWaitMs: number
}

/**
 * `sender` with the server's hooks around each call: the shared throttle (wait before, report after) and the count of
 * 117s for the metrics. Failures pass through as core made them (their `retry` decides what becomes of the records).
 */
export const withThrottle = (sender: SenderShape, throttle: Option.Option<ThrottleHook>): SenderShape => {
  const rateLimited = (failure: DeliveryFailure) =>
    Effect.zipRight(
      Metric.increment(ServerMetrics.rateLimited),
      Option.match(throttle, {
        onNone: () => Effect.void,
        onSome: (hook) =>
          hook.shared.rateLimited(
            hook.customerId,
            failure.retryAfter === undefined ? hook.rateLimitWaitMs : Duration.toMillis(failure.retryAfter)
          )
      })
    )
  const hooked = <A>(call: Effect.Effect<A, DeliveryFailure>): Effect.Effect<A, DeliveryFailure> =>
    Option.match(throttle, {
      onNone: () => call,
      onSome: (hook) =>
        hook.shared.acquire(hook.customerId).pipe(
          Effect.zipRight(call),
          Effect.tap(() => hook.shared.succeeded(hook.customerId))
        )
    }).pipe(Effect.tapError((failure) => (failure.retry === "afterWait" ? rateLimited(failure) : Effect.void)))
  return {
    applyConversions: (batch) => hooked(sender.applyConversions(batch)),
    applyAdjustments: (batch) => hooked(sender.applyAdjustments(batch))
  }
}

/** The code Microsoft refuses a record with while its goal is younger than two hours (5615). */
const NOT_ACCEPTED_FOR_GOAL = ServiceCodes.NotAcceptedForGoal.code

/**
 * The outbox outcome of a pipeline outcome. A failed record is kept for later (`Retry`, not before the service's
 * wait) unless its cause's `retry` is `never`; the retry table made that call, not this module. A record refused with
 * 5615 waits for its goal (`NotAccepted`).
 */
export const toDeliveryOutcome = (outcome: Outcome.Outcome): DeliveryOutcome => {
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
      if (outcome.cause.retry === "never") {
        return DeliveryOutcome.Failed({ code: described.code, errorCode: described.errorCode, message })
      }
      return DeliveryOutcome.Retry({ message, retryAfterMs: Option.fromNullable(outcome.cause.retryAfterMs) })
    }
    case "Ready":
      return DeliveryOutcome.Retry({ message: "the record was not sent", retryAfterMs: Option.none() })
  }
}

/** A deliverer over a `CampaignManagement` client, sending under the customer's `rateLimiter`. */
export const make = (
  client: CampaignManagementShape,
  description: string,
  rateLimiter: RateLimiter.RateLimiter,
  options: CoreDelivererOptions = {},
  shared: Option.Option<{ readonly throttle: SharedThrottleShape; readonly customerId: string }> = Option.none()
) =>
  Effect.gen(function* () {
    const rateLimitWait = options.rateLimitWait ?? Duration.seconds(60)
    const throttle = Option.map(
      shared,
      (found): ThrottleHook => ({
        shared: found.throttle,
        customerId: found.customerId,
        rateLimitWaitMs: Duration.toMillis(Duration.decode(rateLimitWait))
      })
    )
    const sender = withThrottle(
      yield* makeCampaignManagementSender.pipe(Effect.provideService(CampaignManagement, client)),
      throttle
    )
    // The pipeline's default schedule with the outbox's knobs: backoff capped at `retryCap`, the window after a 117.
    const retry = { maxRetries: options.maxRetries ?? 2, cap: options.retryCap ?? Duration.seconds(5) }

    const deliver = (kind: RecordKind, records: ReadonlyArray<ClaimedRecord>) =>
      Effect.gen(function* () {
        const input = {
          records: Stream.fromIterable(
            records.map((record, index) => ({ line: index + 1, id: record.id, values: record.fields }))
          )
        }
        // One batch per call (the outbox claims at most 1,000 records), so one request is in flight at a time.
        const pipelineOptions = {
          batchSize: 1_000,
          retry,
          rateLimitWindow: rateLimitWait,
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
        const byLine = new Map<number, Outcome.Outcome>()
        for (const outcome of exit.value) byLine.set(outcome.line, outcome)
        return records.map((_, index) => {
          const outcome = byLine.get(index + 1)
          return outcome === undefined
            ? DeliveryOutcome.Retry({
                message: "the pipeline gave no outcome for the record",
                retryAfterMs: Option.none()
              })
            : toDeliveryOutcome(outcome)
        })
      })

    return { readiness: { _tag: "Ready", description }, deliver } satisfies DelivererShape
  })

/** What `/readyz` says about the configuration: endpoint and transport, never a secret. */
const describeConfig = Effect.map(MsadsConfig, (config) => `${config.transport} to ${config.endpoints.restBase}`)

/**
 * The deliverer and, when the settings allow, the report source, over one set of clients from the environment. The
 * customer's limiter is taken from `RateLimiters` (one per customer id in the process).
 */
const buildFromEnv = (options: CoreDelivererOptions) =>
  Effect.gen(function* () {
    const throttle = yield* SharedThrottle
    const limiters = yield* RateLimiters
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
    const rateLimiter = yield* limiters.forCustomer(msads.customerId, {
      window: options.rateLimitWait ?? Duration.seconds(60)
    })
    const deliverer = yield* make(
      client,
      description,
      rateLimiter,
      options,
      Option.some({ throttle, customerId: msads.customerId })
    )
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
    Scope.Scope | SharedThrottle | RateLimiters
  >

/**
 * The deliverer configured from the `MSADS_*` variables (the root README, "Configuration"); `NotConfigured` with the
 * reason when they are missing or invalid (the message names the variable, never its value).
 */
export const layerFromEnv = (
  options: CoreDelivererOptions = {}
): Layer.Layer<Deliverer, never, SharedThrottle | RateLimiters> =>
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
): Layer.Layer<Deliverer | ReportSource, never, SharedThrottle | RateLimiters> =>
  Layer.scopedContext(
    Effect.map(buildFromEnv(options), (built) =>
      Context.make(Deliverer, built.deliverer).pipe(Context.add(ReportSource, built.reports))
    )
  )
