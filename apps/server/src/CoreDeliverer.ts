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
 * last failure and counts 117s for the metrics.
 */
import {
  CampaignManagement,
  Deliver,
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
import type { ClaimedRecord, RecordKind } from "./Outbox.js"
import * as ServerMetrics from "./ServerMetrics.js"

/** Knobs of the in-process retries of one batch (the outbox retries later, with its own backoff). */
export interface CoreDelivererOptions {
  /** Sends of one request after the first (default 2). */
  readonly maxRetries?: number | undefined
  /** Longest backoff between them (default 5 s). */
  readonly retryCap?: Duration.DurationInput | undefined
  /** The wait after 117 (default 60 s, the documented guidance). */
  readonly rateLimitWait?: Duration.DurationInput | undefined
}

/** Whether a batch that failed with `error` may succeed later without anyone changing it. */
const canPassLater = (error: CampaignManagementError) =>
  error.isRetryable || error.reason._tag === "RateLimitError" || error.reason._tag === "AuthenticationError"

/** The pipeline's `Sender` over `CampaignManagement` (one attempt per call: the pipeline retries), reporting failures. */
export const senderFrom = (
  client: CampaignManagementShape,
  onFailure: (error: CampaignManagementError) => Effect.Effect<void> = () => Effect.void
): SenderShape => {
  const failed = (error: CampaignManagementError) =>
    Effect.zipRight(
      Effect.all([
        onFailure(error),
        error.reason._tag === "RateLimitError" ? Metric.increment(ServerMetrics.rateLimited) : Effect.void
      ]),
      Effect.fail(toDeliveryError(error))
    )
  return {
    applyConversions: (batch) =>
      client.callOnce("ApplyOfflineConversions", { OfflineConversions: batch }).pipe(
        Effect.map((result) => result.response.PartialErrors ?? []),
        Effect.catchAll(failed)
      ),
    applyAdjustments: (batch) =>
      client.callOnce("ApplyOfflineConversionAdjustments", { OfflineConversionAdjustments: batch }).pipe(
        Effect.map((result) => result.response.PartialErrors ?? []),
        Effect.catchAll(failed)
      )
  }
}

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
export const make = (client: CampaignManagementShape, description: string, options: CoreDelivererOptions = {}) =>
  Effect.sync((): DelivererShape => {
    const rateLimitWait = options.rateLimitWait ?? Duration.seconds(60)
    const rateLimiter = RateLimiter.make({ rateLimitWait })
    const retrySchedule = Deliver.retrySchedule({
      maxRetries: options.maxRetries ?? 2,
      cap: options.retryCap ?? Duration.seconds(5),
      rateLimitWait
    })

    const deliver = (kind: RecordKind, records: ReadonlyArray<ClaimedRecord>) =>
      Effect.gen(function* () {
        const lastFailure = yield* Ref.make(Option.none<CampaignManagementError>())
        const sender = senderFrom(client, (error) => Ref.set(lastFailure, Option.some(error)))
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

/**
 * The deliverer configured from the `MSADS_*` variables (DESIGN.md §5); `NotConfigured` with the reason when they
 * are missing or invalid (the message names the variable, never its value).
 */
export const layerFromEnv = (options: CoreDelivererOptions = {}): Layer.Layer<Deliverer> =>
  Layer.scoped(
    Deliverer,
    Effect.gen(function* () {
      const built = yield* Layer.build(Layer.merge(CampaignManagement.layerConfig, MsadsConfig.layer)).pipe(
        Effect.either
      )
      if (built._tag === "Left") {
        const reason = `delivery is not configured: ${built.left.message ?? String(built.left)}`
        return {
          readiness: { _tag: "NotConfigured", reason },
          deliver: (_kind, records) => Effect.succeed(retryAll(records, reason))
        } satisfies DelivererShape
      }
      const client = yield* Effect.provide(CampaignManagement, built.right)
      const description = yield* Effect.provide(describeConfig, built.right)
      return yield* make(client, description, options)
    }) as Effect.Effect<DelivererShape, never, Scope.Scope>
  )
