/**
 * The per-goal attribution on the server: the report poller fetches at start and every `UPLINK_REPORT_POLL_INTERVAL`
 * (TestClock), `GET /v1/goals/{id}/health` and `/metrics` show success rate and unattributed counts by reason per goal
 * next to what the server delivered (its ledger), `/metrics` has the identifier shares per goal, and no raw or hashed
 * identifier reaches the ledger, the logs or the metrics.
 */
import { createHash } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import type { Reconciliation } from "@uplink/core/reconciliation"
import { clickId } from "@uplink/emulator/testing"
import { Effect, Exit, Layer, Option, Ref, Scope, TestClock } from "effect"
import { Outbox } from "../src/Outbox.js"
import * as ReportPoller from "../src/ReportPoller.js"
import * as ServerMetrics from "../src/ServerMetrics.js"
import { storageLayer } from "../src/Server.js"
import { ServerConfig } from "../src/ServerConfig.js"
import { request, startInProcess } from "./support/InProcessServer.js"
import { makeTestDeliverer } from "./support/TestDeliverer.js"
import { isoMinutesAgo } from "./support/records.js"

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

/** Microsoft's report for goal 77 ("Purchase"): 3 counted, 1 unattributed (NoMatchingClickFound), today. */
const purchaseReport = (sent: number | null = null): Reconciliation.GoalReport => {
  const day = new Date().toISOString().slice(0, 10)
  return {
    id: "77",
    name: "Purchase",
    successCount: 3,
    unattributedCount: 1,
    successRate: 0.75,
    unattributed: { NoMatchingClickFound: 1 },
    sent,
    days: [{ date: day, successCount: 3, unattributedCount: 1, unattributed: { NoMatchingClickFound: 1 }, sent }]
  }
}

const scriptedSource = (calls: Ref.Ref<number>): ReportPoller.ReportSourceShape => ({
  goals: Effect.zipRight(
    Ref.update(calls, (n) => n + 1),
    Effect.succeed([{ id: 77n, name: "Purchase" }])
  ),
  report: () => Effect.succeed([purchaseReport()])
})

describe("the report poller", () => {
  it.scoped("fetches at start and then every UPLINK_REPORT_POLL_INTERVAL", () =>
    Effect.gen(function* () {
      const calls = yield* Ref.make(0)
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(
        ReportPoller.layer.pipe(
          Layer.provide(Layer.succeed(ReportPoller.ReportSource, scriptedSource(calls))),
          Layer.provideMerge(storageLayer),
          Layer.provideMerge(ServerConfig.layerWith({ reportPollIntervalMs: 60_000 }))
        ),
        scope
      )
      const poller = yield* Effect.provide(ReportPoller.ReportPoller, context)
      yield* TestClock.adjust(0)
      expect(yield* Ref.get(calls)).toBe(1)
      const latest = Option.getOrThrow(yield* poller.latest)
      expect(latest.goals.get("77")).toMatchObject({
        successRate: 0.75,
        unattributed: { NoMatchingClickFound: 1 },
        sent: 0
      })
      yield* TestClock.adjust(59_999)
      expect(yield* Ref.get(calls)).toBe(1)
      yield* TestClock.adjust(1)
      expect(yield* Ref.get(calls)).toBe(2)
      yield* TestClock.adjust(60_000)
      expect(yield* Ref.get(calls)).toBe(3)
      yield* Scope.close(scope, Exit.void)
    })
  )

  it.scoped("without a working source, health says why there is no report", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const source: ReportPoller.ReportSourceShape = {
        goals: Effect.fail({ message: "delivery is not configured: MSADS_DEVELOPER_TOKEN is not set." }),
        report: () => Effect.succeed([])
      }
      const context = yield* Layer.buildWithScope(
        ReportPoller.layer.pipe(
          Layer.provide(Layer.succeed(ReportPoller.ReportSource, source)),
          Layer.provideMerge(storageLayer),
          Layer.provideMerge(ServerConfig.layerWith({}))
        ),
        scope
      )
      const poller = yield* Effect.provide(ReportPoller.ReportPoller, context)
      yield* TestClock.adjust(0)
      expect(yield* poller.latest).toEqual(Option.none())
      expect(yield* poller.unavailable).toContain("MSADS_DEVELOPER_TOKEN is not set")
      yield* Scope.close(scope, Exit.void)
    })
  )
})

describe("the per-goal attribution gauges", () => {
  it.effect("set a reason the goal no longer has to 0 instead of keeping its old count", () =>
    Effect.gen(function* () {
      const report = (unattributed: Record<string, number>): Reconciliation.GoalReport => ({
        id: "9901",
        name: "Gauge Goal",
        successCount: 5,
        unattributedCount: Object.values(unattributed).reduce((sum, n) => sum + n, 0),
        successRate: 0.5,
        unattributed,
        sent: 7,
        days: []
      })
      const series = (reason: string) => `uplink_goal_unattributed{goal="Gauge Goal",goal_id="9901",reason="${reason}"}`
      yield* ServerMetrics.recordGoalReports([report({ NoMatchingClickFound: 3, DuplicateConversionKey: 2 })])
      const before = yield* ServerMetrics.prometheusText
      expect(before).toContain(`${series("NoMatchingClickFound")} 3`)
      expect(before).toContain(`${series("DuplicateConversionKey")} 2`)
      // A week later the duplicates are out of the report's 7 days.
      yield* ServerMetrics.recordGoalReports([report({ NoMatchingClickFound: 1 })])
      const after = yield* ServerMetrics.prometheusText
      expect(after).toContain(`${series("NoMatchingClickFound")} 1`)
      expect(after).toContain(`${series("DuplicateConversionKey")} 0`)
      expect(after).toContain('uplink_goal_sent{goal="Gauge Goal",goal_id="9901"} 7')
    })
  )
})

describe("GET /v1/goals/{id}/health without a report", () => {
  it.live("answers 503 report_unavailable saying why (no report source: delivery not configured)", () =>
    Effect.gen(function* () {
      const deliverer = yield* makeTestDeliverer()
      const server = yield* Effect.promise(() => startInProcess(deliverer.layer, { flushMs: 0 }))
      yield* Effect.addFinalizer(() => Effect.promise(() => server.stop()))
      const answer = yield* Effect.promise(() => request(server.url, "/v1/goals/77/health"))
      expect(answer.status).toBe(503)
      expect(yield* Effect.promise(() => answer.json())).toEqual({
        error: "report_unavailable",
        message: "delivery is not configured (MSADS_* settings), so the per-goal report is not fetched"
      })
    }).pipe(Effect.scoped)
  )
})

describe("GET /v1/goals/{id}/health and /metrics", () => {
  it.live("show the goal's attribution and what was sent; identifier shares per goal; no identifier anywhere", () =>
    Effect.gen(function* () {
      const deliverer = yield* makeTestDeliverer()
      const calls = yield* Ref.make(0)
      const server = yield* Effect.promise(() =>
        startInProcess(Layer.merge(deliverer.layer, Layer.succeed(ReportPoller.ReportSource, scriptedSource(calls))), {
          flushMs: 0,
          reportPollIntervalMs: 1_000,
          defaultRegion: Option.some("US")
        })
      )
      yield* Effect.addFinalizer(() => Effect.promise(() => server.stop()))
      const email = "Health.Person@Example.com"
      const phone = "(425) 555-0142"
      const digest = sha256("already.hashed@example.com")
      const records = [
        {
          id: "h1",
          MicrosoftClickId: clickId("h1"),
          ConversionName: "Purchase",
          ConversionTime: isoMinutesAgo(30),
          Email: email
        },
        {
          id: "h2",
          MicrosoftClickId: clickId("h2"),
          ConversionName: "Purchase",
          ConversionTime: isoMinutesAgo(31),
          Phone: phone
        },
        { id: "h3", ConversionName: "Purchase", ConversionTime: isoMinutesAgo(32), Email: digest },
        { id: "h4", MicrosoftClickId: clickId("h4"), ConversionName: "Purchase", ConversionTime: isoMinutesAgo(33) }
      ]
      const posted = yield* Effect.promise(() => request(server.url, "/v1/conversions", { body: { records } }))
      expect(posted.status).toBe(202)
      // The records are delivered (the test deliverer accepts them); a later poll includes them as sent.
      const health = yield* Effect.promise(async () => {
        for (let i = 0; i < 1_000; i++) {
          const answer = await request(server.url, "/v1/goals/77/health")
          if (answer.status === 200) {
            const body = (await answer.json()) as { sent: number | null }
            if (body.sent === 4) return body
          }
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
        throw new Error("the health of goal 77 never showed the 4 records sent")
      })
      expect(health).toMatchObject({
        id: "77",
        name: "Purchase",
        successCount: 3,
        unattributedCount: 1,
        successRate: 0.75,
        unattributed: { NoMatchingClickFound: 1 },
        sent: 4,
        waiting: 0
      })
      const unknown = yield* Effect.promise(() => request(server.url, "/v1/goals/12345/health"))
      expect(unknown.status).toBe(404)
      expect(((yield* Effect.promise(() => unknown.json())) as { error: string }).error).toBe("goal_not_found")

      const metrics = yield* Effect.promise(async () => (await request(server.url, "/metrics")).text())
      expect(metrics).toContain('uplink_goal_success_rate{goal="Purchase",goal_id="77"} 0.75')
      expect(metrics).toContain(
        'uplink_goal_unattributed{goal="Purchase",goal_id="77",reason="NoMatchingClickFound"} 1'
      )
      expect(metrics).toContain('uplink_goal_counted{goal="Purchase",goal_id="77"} 3')
      expect(metrics).toContain('uplink_identifier_share{goal="Purchase",identifier="click_id"} 0.75')
      expect(metrics).toContain('uplink_identifier_share{goal="Purchase",identifier="email"} 0.5')
      expect(metrics).toContain('uplink_identifier_share{goal="Purchase",identifier="phone"} 0.25')
      expect(metrics).toContain('uplink_identifier_already_hashed_total{goal="Purchase",field="email"} 1')

      // No identifier — raw, normalised or hashed, nor a click id — in the metrics, the logs or the ledger.
      const secrets = [
        email,
        email.toLowerCase(),
        sha256(email.toLowerCase()),
        phone,
        "+14255550142",
        sha256("+14255550142"),
        digest,
        ...records.flatMap((record) => (record.MicrosoftClickId === undefined ? [] : [record.MicrosoftClickId]))
      ]
      const logs = JSON.stringify(server.logs())
      const ledger = JSON.stringify(
        yield* Effect.promise(() => server.sql((sql) => sql<Record<string, unknown>>`SELECT * FROM uplink_ledger`))
      )
      expect(ledger).toContain("Purchase")
      for (const secret of secrets) {
        expect(metrics, secret).not.toContain(secret)
        expect(logs, secret).not.toContain(secret)
        expect(ledger, secret).not.toContain(secret)
      }
      const sent = yield* Effect.promise(() =>
        server.run(Effect.flatMap(Outbox, (outbox) => outbox.sent({ from: "2000-01-01", to: "2999-12-31" })))
      )
      expect(sent.map((row) => [row.goal, row.accepted])).toEqual([["Purchase", 4]])
    }).pipe(Effect.scoped)
  )
})
