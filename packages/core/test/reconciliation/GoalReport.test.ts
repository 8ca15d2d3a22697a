import { afterAll, beforeAll, describe, expect, it, vi } from "@effect/vitest"
import { start, type RunningEmulator } from "@uplink/emulator"
import { DateTime, Effect, Layer } from "effect"
import { Auth } from "../../src/auth/Auth.js"
import { CampaignManagement } from "../../src/CampaignManagement.js"
import { MsadsConfig } from "../../src/config/MsadsConfig.js"
import * as Limits from "../../src/config/Limits.js"
import * as Ledger from "../../src/ledger/Ledger.js"
import * as GoalReport from "../../src/reconciliation/GoalReport.js"
import * as Reasons from "../../src/reconciliation/Reasons.js"
import { ReportClient } from "../../src/reconciliation/ReportClient.js"
import { layerNodeHttpClient } from "../../src/transport/NodeHttpClientLayer.js"

const DAY = 86_400_000

let emulator: RunningEmulator
beforeAll(async () => {
  emulator = await start({ port: 0, demo: true })
})
afterAll(() => emulator.stop())

/** Both clients over SOAP settings: the report client must still go over REST. */
const clients = () => {
  const config = MsadsConfig.layerWith({
    developerToken: "BBD37VB98",
    customerId: "1000001",
    accountId: "2000002",
    endpoint: emulator.url,
    transport: "soap"
  })
  return Layer.mergeAll(CampaignManagement.layerTransportFromConfig, ReportClient.layer).pipe(
    Layer.provide(Auth.layerStatic("emulator-access-token")),
    Layer.provide(Layer.merge(config, layerNodeHttpClient))
  )
}

const today = () => Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate())

describe("the per-goal report", () => {
  it("splits a range into requests of at most 7 days", () => {
    const from = Date.UTC(2026, 0, 1)
    expect(GoalReport.windows(from, from + 9 * DAY).map(([a, b]) => [(a - from) / DAY, (b - from) / DAY])).toEqual([
      [0, 6],
      [7, 9]
    ])
    expect(GoalReport.windows(from, from)).toEqual([[from, from]])
    expect(GoalReport.parseDay("2026-02-30")).toBeUndefined()
    expect(GoalReport.parseDay("2026-02-28")).toBe(Date.UTC(2026, 1, 28))
  })

  it.live(
    "fetches 25 goals over 10 days in 4 requests (20 goals, 7 days each), over REST when conversions use SOAP",
    () =>
      Effect.gen(function* () {
        emulator.reset()
        const goals = emulator.registerGoals(
          Array.from({ length: 25 }, (_, i) => ({
            name: `Report Goal ${i}`,
            createdAt: Date.now() - 3 * 3_600_000
          }))
        )
        const client = yield* CampaignManagement
        const sent = yield* client.call("ApplyOfflineConversions", {
          OfflineConversions: [
            {
              MicrosoftClickId: "0123456789abcdef0123456789abcdef",
              ConversionName: "Report Goal 22",
              ConversionTime: DateTime.unsafeMake(Date.now() - 60_000) as DateTime.Utc
            }
          ]
        })
        expect(sent.transport).toBe("soap")
        const before = emulator.state().requestsByOp.GetOfflineConversionReportByGoalIds ?? 0
        const reports = yield* GoalReport.fetch(
          yield* ReportClient,
          goals.map((goal) => BigInt(goal.id)),
          today() - 9 * DAY,
          today()
        )
        expect((emulator.state().requestsByOp.GetOfflineConversionReportByGoalIds ?? 0) - before).toBe(4)
        expect(reports.map((report) => report.name)).toEqual(goals.map((goal) => goal.name))
        const goal22 = reports[22]!
        expect(goal22).toMatchObject({ successCount: 1, unattributedCount: 0, successRate: 1, sent: null })
        expect(goal22.days).toEqual([
          {
            date: new Date(today()).toISOString().slice(0, 10),
            successCount: 1,
            unattributedCount: 0,
            unattributed: {},
            sent: null
          }
        ])
        expect(reports[0]).toMatchObject({ successCount: 0, days: [] })
      }).pipe(Effect.provide(clients()))
  )

  it.live("covers at most Limits.reportDays (90) days: a longer range is refused before any request", () =>
    Effect.gen(function* () {
      emulator.reset()
      const [goal] = emulator.registerGoals([{ name: "Range Goal", createdAt: Date.now() - 3 * 3_600_000 }])
      const report = yield* ReportClient
      const requests = () => emulator.state().requestsByOp.GetOfflineConversionReportByGoalIds ?? 0
      expect(Limits.reportDays.max).toBe(90)
      expect(GoalReport.dayCount(today() - 89 * DAY, today())).toBe(90)

      const before = requests()
      const refused = yield* Effect.flip(GoalReport.fetch(report, [BigInt(goal!.id)], today() - 90 * DAY, today()))
      expect(refused).toMatchObject({ _tag: "GoalReportError", reason: "InvalidRange" })
      expect(refused.message).toBe(
        "the per-goal report covers at most 90 days at once (Microsoft answers 7 days per request), and 91 days " +
          "were asked for"
      )
      const tenYears = yield* Effect.flip(GoalReport.fetch(report, [BigInt(goal!.id)], Date.UTC(2016, 0, 1), today()))
      expect(tenYears.reason).toBe("InvalidRange")
      expect(requests()).toBe(before)

      // 90 days: 13 requests of at most 7 days for one goal.
      const reports = yield* GoalReport.fetch(report, [BigInt(goal!.id)], today() - 89 * DAY, today())
      expect(reports.map((entry) => entry.name)).toEqual(["Range Goal"])
      expect(requests() - before).toBe(13)
    }).pipe(Effect.provide(clients()))
  )

  it.live("names an unknown goal id", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(GoalReport.fetch(yield* ReportClient, [999n], today(), today()))
      expect(error).toMatchObject({ _tag: "GoalReportError", reason: "UnknownGoal" })
      expect(error.message).toContain("999")
    }).pipe(Effect.provide(clients()))
  )
})

describe("reconciling with the ledger and resolving goals", () => {
  it("adds what was sent per day, and the days Microsoft does not report yet", () => {
    const report: GoalReport.GoalReport = {
      id: "7",
      name: "Purchase",
      successCount: 3,
      unattributedCount: 1,
      successRate: 0.75,
      unattributed: { NoMatchingClickFound: 1 },
      sent: null,
      days: [
        {
          date: "2026-03-02",
          successCount: 3,
          unattributedCount: 1,
          unattributed: { NoMatchingClickFound: 1 },
          sent: null
        }
      ]
    }
    const zero = { rejected: 0, invalid: 0, duplicate: 0, failed: 0 }
    const sent: Array<Ledger.SentDay> = [
      { goal: "Purchase", day: "2026-03-02", accepted: 4, ...zero },
      { goal: "Purchase", day: "2026-03-03", accepted: 2, ...zero },
      { goal: "Other", day: "2026-03-02", accepted: 9, ...zero }
    ]
    const [joined] = GoalReport.reconcile([report], sent)
    expect(joined!.sent).toBe(6)
    expect(joined!.days.map((day) => [day.date, day.successCount, day.sent])).toEqual([
      ["2026-03-02", 3, 4],
      ["2026-03-03", 0, 2]
    ])
  })

  it.effect("resolves ids and names, and names every spec that matches no goal", () =>
    Effect.gen(function* () {
      const goals = [
        { _tag: "OfflineConversionGoal" as const, Id: 11n, Name: "Purchase" },
        { _tag: "OfflineConversionGoal" as const, Id: 12n, Name: "2024" }
      ]
      expect(yield* GoalReport.resolveGoals(["Purchase", "12", "11"], goals)).toEqual([
        { id: 11n, name: "Purchase" },
        { id: 12n, name: "2024" }
      ])
      // A name wins over an id with the same digits.
      expect(yield* GoalReport.resolveGoals(["2024"], goals)).toEqual([{ id: 12n, name: "2024" }])
      const error = yield* Effect.flip(GoalReport.resolveGoals(["Purchse", "99"], goals))
      expect(error.message).toContain('"Purchse", "99"')
      expect(error.message).toContain('"Purchase" (11)')
    })
  )

  it("has a hint for every reason Microsoft names", () => {
    expect(Reasons.reasons).toHaveLength(14)
    expect(Reasons.hintFor("ClickTimestampAfterConversion")).toContain("local time, not UTC — use --timezone")
    expect(Reasons.hintFor("SomethingNew")).toContain("does not know")
  })
})

describe("the ledger's tally and statements", () => {
  it("counts outcomes per kind, goal and day, keeping names and counts only", () => {
    const tally = new Ledger.Tally()
    const identity = {
      microsoftClickId: "secret-click",
      conversionName: "Purchase",
      conversionTime: "2026-03-02T10:00:00Z"
    }
    const at = Date.UTC(2026, 2, 2, 23, 59)
    tally.add("conversion", { _tag: "Accepted", line: 2, identity } as never, at)
    tally.add("conversion", { _tag: "Accepted", line: 3, identity } as never, at + 120_000)
    tally.add("conversion", { _tag: "Duplicate", line: 4, identity, firstLine: 2 } as never, at)
    tally.add("conversion", { _tag: "Ready", line: 5, identity } as never, at)
    const rows = tally.take("run-1", "cli")
    expect(rows).toEqual([
      {
        runId: "run-1",
        source: "cli",
        kind: "conversion",
        goal: "Purchase",
        day: "2026-03-02",
        accepted: 1,
        rejected: 0,
        invalid: 0,
        duplicate: 1,
        failed: 0
      },
      {
        runId: "run-1",
        source: "cli",
        kind: "conversion",
        goal: "Purchase",
        day: "2026-03-03",
        accepted: 1,
        rejected: 0,
        invalid: 0,
        duplicate: 0,
        failed: 0
      }
    ])
    expect(JSON.stringify(rows)).not.toContain("secret-click")
    expect(tally.isEmpty).toBe(true)
    const insert = Ledger.upsert("postgres", rows, 1)!
    expect(insert.sql).toContain("$22")
    expect(insert.params).toHaveLength(22)
    expect(Ledger.selectSent("sqlite", { from: "a", to: "b", goals: ["x", "y"] }).sql).toContain("goal IN (?,?)")
  })

  it("counts an outcome of a kind, day and goal already counted without building a date or key text", () => {
    const tally = new Ledger.Tally()
    const identity = (conversionName: string | null) => ({
      microsoftClickId: null,
      conversionName,
      conversionTime: null
    })
    const at = Date.UTC(2026, 2, 2, 10)
    const toISOString = vi.spyOn(Date.prototype, "toISOString")
    try {
      for (let line = 1; line <= 1000; line++) {
        const goal = line % 2 === 0 ? "Purchase" : null
        tally.add("conversion", { _tag: "Accepted", line, identity: identity(goal) } as never, at + line)
      }
      // Once per goal and day (the day's text of each row), not once per outcome.
      expect(toISOString).toHaveBeenCalledTimes(2)
    } finally {
      toISOString.mockRestore()
    }
    const counts = (rows: ReadonlyArray<Ledger.LedgerRow>) => rows.map((row) => [row.goal, row.day, row.accepted])
    expect(counts(tally.take("run-1", "cli"))).toEqual([
      ["", "2026-03-02", 500],
      ["Purchase", "2026-03-02", 500]
    ])
    // After take, the same goal and day start a new row.
    tally.add("conversion", { _tag: "Rejected", line: 1, identity: identity("Purchase") } as never, at)
    tally.add("adjustment", { _tag: "Rejected", line: 1, identity: identity("Purchase") } as never, at)
    expect(tally.take("run-1", "cli").map((row) => [row.kind, row.goal, row.rejected])).toEqual([
      ["conversion", "Purchase", 1],
      ["adjustment", "Purchase", 1]
    ])
  })
})
