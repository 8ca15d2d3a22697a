/**
 * The server's metrics as Effect `Metric`s, and `/metrics` rendering of every metric of the process (these, and any
 * that @uplink/core records) in the Prometheus text exposition format 0.0.4. Queue depth and the other outbox gauges
 * (leased records and the oldest pending record's age for the whole outbox, which several instances may share, and
 * the records this instance holds) are read from the outbox at scrape time, so they are right after a restart too;
 * so is the state of every delivery limiter of the process (@uplink/core's `RateLimiter.liveStates`: concurrency,
 * 117s, waits), by customer id. Per goal (label `goal`: the goal name, at most `MAX_GOAL_LABELS` distinct names, then
 * `(other)`): the identifier hygiene of the records received (shares of click id, email and phone since the process
 * started, digests found in raw columns, phones not normalised, mistyped email domains), and the attribution from the
 * last per-goal report (success rate, counted, unattributed by reason, sent). Counts only: no identifier is a label.
 */
import { type Hygiene, type Reconciliation, RateLimiter } from "@uplink/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import type * as MetricPair from "effect/MetricPair"
import * as MetricState from "effect/MetricState"
import * as Option from "effect/Option"
import type { OutboxGauges, RecordKind } from "./Outbox.js"

/** Records that arrived in requests, valid or not. */
export const received = Metric.counter("uplink_records_received_total", {
  description: "Records received in requests (valid or not)",
  incremental: true
})

/** Records refused at intake (validation). */
export const invalid = Metric.counter("uplink_records_invalid_total", {
  description: "Records refused at intake because they failed validation",
  incremental: true
})

/** Records committed to the outbox (repeats of a known id excluded). */
export const enqueued = Metric.counter("uplink_records_enqueued_total", {
  description: "Records committed to the outbox",
  incremental: true
})

/** Final delivery outcomes. */
export const delivered = Metric.counter("uplink_records_delivered_total", {
  description: "Final delivery outcomes by status (accepted, rejected, duplicate, failed)",
  incremental: true
})

/** Records put back after a transient failure. */
export const retries = Metric.counter("uplink_delivery_retries_total", {
  description: "Records rescheduled after a transient delivery failure",
  incremental: true
})

/** 117 CallRateExceeded answers. */
export const rateLimited = Metric.counter("uplink_rate_limited_total", {
  description: "Calls answered with 117 CallRateExceeded (or HTTP 429)",
  incremental: true
})

/** Batches delivered and their wall time. */
export const batchDuration = Metric.histogram(
  "uplink_batch_duration_seconds",
  MetricBoundaries.exponential({ start: 0.005, factor: 2, count: 16 }),
  "Wall time of one delivery batch, from claim to outcomes written"
)

/** Outbox records by status, set at scrape time. */
export const queueDepth = Metric.gauge("uplink_outbox_records", {
  description: "Outbox records by status (pending and sending are the queue depth)"
})

/** Records under an unexpired lease, in the whole outbox (every instance). */
export const outboxLeased = Metric.gauge("uplink_outbox_leased_records", {
  description: "Records being delivered under an unexpired lease, by any instance sharing the outbox"
})

/** Age of the oldest record not yet delivered, in the whole outbox. */
export const outboxOldestPendingAge = Metric.gauge("uplink_outbox_oldest_pending_age_seconds", {
  description: "How long the oldest record not yet delivered (pending or sending) has waited; 0 when none"
})

/** Records this instance holds under an unexpired lease. */
export const instanceLeased = Metric.gauge("uplink_instance_leased_records", {
  description: "Records this instance is delivering under an unexpired lease (label: the instance's lease owner id)"
})

/** Delivery limiter state by customer id (`customer_id`), set at scrape time from @uplink/core. */
export const deliveryConcurrency = Metric.gauge("uplink_delivery_concurrency", {
  description: "Requests the delivery limiter lets be in flight now (adaptive concurrency)"
})
export const deliveryInFlight = Metric.gauge("uplink_delivery_in_flight", {
  description: "Delivery requests in flight now"
})
export const deliveryThrottles = Metric.gauge("uplink_delivery_throttles", {
  description: "117 CallRateExceeded (or HTTP 429) answers the delivery limiter has seen since it was made"
})
export const deliveryAdmitted = Metric.gauge("uplink_delivery_admitted_per_window", {
  description: "Calls per throttling window Microsoft admitted, as learnt from the last 117 (absent before any)"
})
export const deliveryPaused = Metric.gauge("uplink_delivery_paused_seconds", {
  description: "Seconds until delivery resumes after a 117 (0 when not paused)"
})
export const deliveryWaited = Metric.gauge("uplink_delivery_wait_seconds", {
  description: "Seconds delivery requests have waited since the limiter was made, by reason (rateLimited, paced)"
})

/** Distinct goal names used as labels; later names are counted under `(other)` (a client picks goal names). */
export const MAX_GOAL_LABELS = 200

const goalLabels = new Set<string>()

/** The `goal` label of a goal name: the name, `(none)` for none, `(other)` past `MAX_GOAL_LABELS` names. */
export const goalLabel = (name: string): string => {
  const label = name === "" ? "(none)" : name
  if (goalLabels.has(label)) return label
  if (goalLabels.size >= MAX_GOAL_LABELS) return "(other)"
  goalLabels.add(label)
  return label
}

export const identifierRecords = Metric.counter("uplink_identifier_records_total", {
  description: "Valid and invalid records received, by goal (the denominator of the identifier shares)",
  incremental: true
})
export const identifierWith = Metric.counter("uplink_identifier_present_total", {
  description: "Records received with the identifier (click_id, email, phone; raw or hashed), by goal",
  incremental: true
})
export const identifierShare = Metric.gauge("uplink_identifier_share", {
  description: "Share of the records received since start that carry the identifier (click_id, email, phone), by goal"
})
export const identifierAlreadyHashed = Metric.counter("uplink_identifier_already_hashed_total", {
  description: "Raw Email/Phone values that already were SHA-256 digests (taken as the digest, not hashed again)",
  incremental: true
})
export const phoneNotNormalised = Metric.counter("uplink_identifier_phone_not_normalised_total", {
  description: "Records refused because their raw Phone could not be normalised to E.164, by goal",
  incremental: true
})
export const emailDomainTypos = Metric.counter("uplink_identifier_email_domain_typos_total", {
  description: "Raw emails whose domain looks like a typo of a common one (gmial.com, …), by goal; report only",
  incremental: true
})

const cumulative = new Map<string, { records: number; clickId: number; email: number; phone: number }>()

/** Counts a request's identifier hygiene per goal and sets each goal's shares since the process started. */
export const recordHygiene = (byGoal: Readonly<Record<string, Hygiene.HygieneReport>>): Effect.Effect<void> =>
  Effect.forEach(
    Object.entries(byGoal),
    ([name, report]) => {
      const goal = goalLabel(name)
      const total = cumulative.get(goal) ?? { records: 0, clickId: 0, email: 0, phone: 0 }
      total.records += report.records
      total.clickId += report.withClickId
      total.email += report.withEmail
      total.phone += report.withPhone
      cumulative.set(goal, total)
      const forGoal = <T, In, Out>(metric: Metric.Metric<T, In, Out>) => Metric.tagged(metric, "goal", goal)
      const identifiers = [
        ["click_id", report.withClickId, total.clickId],
        ["email", report.withEmail, total.email],
        ["phone", report.withPhone, total.phone]
      ] as const
      return Effect.all(
        [
          Metric.incrementBy(forGoal(identifierRecords), report.records),
          ...identifiers.flatMap(([identifier, now, sum]) => [
            Metric.incrementBy(Metric.tagged(forGoal(identifierWith), "identifier", identifier), now),
            Metric.set(Metric.tagged(forGoal(identifierShare), "identifier", identifier), sum / total.records)
          ]),
          Metric.incrementBy(
            Metric.tagged(forGoal(identifierAlreadyHashed), "field", "email"),
            report.alreadyHashed.email
          ),
          Metric.incrementBy(
            Metric.tagged(forGoal(identifierAlreadyHashed), "field", "phone"),
            report.alreadyHashed.phone
          ),
          Metric.incrementBy(forGoal(phoneNotNormalised), report.phoneNotNormalised),
          Metric.incrementBy(forGoal(emailDomainTypos), report.emailTypos.count)
        ],
        { discard: true }
      )
    },
    { discard: true }
  )

export const goalSuccessRate = Metric.gauge("uplink_goal_success_rate", {
  description: "Counted / (counted + unattributed) in the last per-goal report (7 UTC days), by goal and goal_id"
})
export const goalCounted = Metric.gauge("uplink_goal_counted", {
  description: "Conversions Microsoft counted for the goal in the last per-goal report (7 UTC days)"
})
export const goalUnattributed = Metric.gauge("uplink_goal_unattributed", {
  description: "Conversions Microsoft accepted but did not count in the last per-goal report (7 UTC days), by reason"
})
export const goalSent = Metric.gauge("uplink_goal_sent", {
  description: "Records this server delivered and Microsoft accepted for the goal in the same 7 UTC days (its ledger)"
})
export const reportPolls = Metric.counter("uplink_report_polls_total", {
  description: "Fetches of the per-goal attribution report, by result (ok, failed)",
  incremental: true
})

/** The reasons last set for each goal's `uplink_goal_unattributed` series (by goal label and id). */
const reportedReasons = new Map<string, ReadonlySet<string>>()

/**
 * Sets the per-goal attribution gauges from a report. A reason a goal had in an earlier report and no longer has
 * (the 7-day window moved past it) is set to 0, so that no series keeps a stale count.
 */
export const recordGoalReports = (reports: ReadonlyArray<Reconciliation.GoalReport>): Effect.Effect<void> =>
  Effect.forEach(
    reports,
    (report) => {
      const goal = goalLabel(report.name)
      const tagged = <T, In, Out>(metric: Metric.Metric<T, In, Out>) =>
        Metric.tagged(Metric.tagged(metric, "goal", goal), "goal_id", report.id)
      const key = `${goal}\u0000${report.id}`
      const reasons = new Set(Object.keys(report.unattributed))
      const gone = [...(reportedReasons.get(key) ?? [])].filter((reason) => !reasons.has(reason))
      reportedReasons.set(key, reasons)
      return Effect.all(
        [
          Metric.set(tagged(goalSuccessRate), report.successRate),
          Metric.set(tagged(goalCounted), report.successCount),
          Metric.set(tagged(goalSent), report.sent ?? 0),
          ...Object.entries(report.unattributed).map(([reason, n]) =>
            Metric.set(Metric.tagged(tagged(goalUnattributed), "reason", reason), n)
          ),
          ...gone.map((reason) => Metric.set(Metric.tagged(tagged(goalUnattributed), "reason", reason), 0))
        ],
        { discard: true }
      )
    },
    { discard: true }
  )

/** Sets the delivery limiter gauges from the state of every limiter of the process. */
export const recordDeliveryLimiters: Effect.Effect<void> = Effect.flatMap(Clock.currentTimeMillis, (now) =>
  Effect.forEach(
    RateLimiter.liveStates(now),
    (state) => {
      const tagged = (metric: Metric.Metric.Gauge<number>) =>
        Metric.tagged(metric, "customer_id", state.customerId ?? "default")
      return Effect.all(
        [
          Metric.set(tagged(deliveryConcurrency), state.concurrency.limit),
          Metric.set(tagged(deliveryInFlight), state.concurrency.inFlight),
          Metric.set(tagged(deliveryThrottles), state.throttles),
          state.admittedPerWindow === null
            ? Effect.void
            : Metric.set(tagged(deliveryAdmitted), state.admittedPerWindow),
          Metric.set(tagged(deliveryPaused), Math.max(0, state.pausedUntil - now) / 1000),
          Metric.set(Metric.tagged(tagged(deliveryWaited), "reason", "rateLimited"), state.waitedMs.rateLimited / 1000),
          Metric.set(Metric.tagged(tagged(deliveryWaited), "reason", "paced"), state.waitedMs.paced / 1000)
        ],
        { discard: true }
      )
    },
    { discard: true }
  )
)

/** Registers the metrics that appear only once used, so that `/metrics` lists them from the start. */
export const registerAll: Effect.Effect<void> = Effect.all(
  [Metric.value(batchDuration), Metric.value(rateLimited), Metric.value(retries), Metric.value(reportPolls)],
  { discard: true }
)

/** Tags a metric with the record kind. */
export const forKind = <Type, In, Out>(metric: Metric.Metric<Type, In, Out>, kind: RecordKind) =>
  Metric.tagged(metric, "kind", kind)

/** Sets the outbox-wide gauges and this instance's (`instance`: its lease owner id) from the outbox's gauges. */
export const recordOutboxGauges = (gauges: OutboxGauges, instance: string) =>
  Effect.gen(function* () {
    for (const [status, count] of Object.entries(gauges.counts)) {
      yield* Metric.set(Metric.tagged(queueDepth, "status", status), count)
    }
    yield* Metric.set(outboxLeased, gauges.leased)
    yield* Metric.set(outboxOldestPendingAge, Option.getOrElse(gauges.oldestPendingAgeMs, () => 0) / 1000)
    yield* Metric.set(Metric.tagged(instanceLeased, "instance", instance), gauges.leasedByInstance)
  })

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')
const escapeHelp = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")

const labels = (tags: ReadonlyArray<{ readonly key: string; readonly value: string }>, extra: string = "") => {
  const parts = tags.map((tag) => `${tag.key}="${escapeLabel(tag.value)}"`)
  if (extra !== "") parts.push(extra)
  return parts.length === 0 ? "" : `{${parts.join(",")}}`
}

const number = (value: number | bigint) => {
  if (typeof value === "bigint") return value.toString()
  if (value === Number.POSITIVE_INFINITY) return "+Inf"
  if (value === Number.NEGATIVE_INFINITY) return "-Inf"
  return Number.isNaN(value) ? "NaN" : String(value)
}

/** Renders metric pairs as Prometheus text. */
export const renderPrometheus = (pairs: ReadonlyArray<MetricPair.MetricPair.Untyped>): string => {
  const families = new Map<string, { type: string; help: string; lines: Array<string> }>()
  const family = (name: string, type: string, help: string | undefined) => {
    let entry = families.get(name)
    if (entry === undefined) {
      entry = { type, help: help ?? name, lines: [] }
      families.set(name, entry)
    }
    return entry
  }
  for (const pair of pairs) {
    const { name, description, tags } = pair.metricKey
    const help = description._tag === "Some" ? description.value : undefined
    const state = pair.metricState
    if (MetricState.isCounterState(state)) {
      family(name, "counter", help).lines.push(`${name}${labels(tags)} ${number(state.count)}`)
    } else if (MetricState.isGaugeState(state)) {
      family(name, "gauge", help).lines.push(`${name}${labels(tags)} ${number(state.value)}`)
    } else if (MetricState.isHistogramState(state)) {
      const lines = family(name, "histogram", help).lines
      let sawInfinity = false
      for (const [bound, count] of state.buckets) {
        if (bound === Number.POSITIVE_INFINITY) sawInfinity = true
        lines.push(`${name}_bucket${labels(tags, `le="${number(bound)}"`)} ${count}`)
      }
      if (!sawInfinity) lines.push(`${name}_bucket${labels(tags, 'le="+Inf"')} ${state.count}`)
      lines.push(`${name}_sum${labels(tags)} ${number(state.sum)}`)
      lines.push(`${name}_count${labels(tags)} ${state.count}`)
    } else if (MetricState.isFrequencyState(state)) {
      const lines = family(name, "counter", help).lines
      for (const [key, count] of state.occurrences) {
        lines.push(`${name}${labels(tags, `key="${escapeLabel(key)}"`)} ${count}`)
      }
    } else if (MetricState.isSummaryState(state)) {
      const lines = family(name, "summary", help).lines
      for (const [quantile, value] of state.quantiles) {
        if (value._tag === "Some") lines.push(`${name}${labels(tags, `quantile="${quantile}"`)} ${number(value.value)}`)
      }
      lines.push(`${name}_sum${labels(tags)} ${number(state.sum)}`)
      lines.push(`${name}_count${labels(tags)} ${state.count}`)
    }
  }
  const out: Array<string> = []
  for (const [name, entry] of [...families.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`# HELP ${name} ${escapeHelp(entry.help)}`, `# TYPE ${name} ${entry.type}`, ...entry.lines)
  }
  return `${out.join("\n")}\n`
}

/** Every metric of the process as Prometheus text (the delivery limiters' gauges set first). */
export const prometheusText: Effect.Effect<string> = Effect.zipRight(
  recordDeliveryLimiters,
  Effect.map(Metric.snapshot, renderPrometheus)
)
