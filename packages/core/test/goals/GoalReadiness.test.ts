import type { Schemas } from "@uplink/campaign-management"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as GoalReadiness from "../../src/goals/GoalReadiness.js"
import { GoalCheck, OfflineConversions, type Warning } from "../../src/pipeline/index.js"
import { NOW, atNow, bytes, clickId, collect, hoursAgo, makeFakeSender } from "../pipeline/support.js"

const HOUR = 3_600_000
const DAY = 24 * HOUR

describe("goal readiness after 5615", () => {
  it("waits two hours from the first 5615, keeps that window, and gives up after three windows", () => {
    const first = GoalReadiness.afterNotAccepted(undefined, NOW)
    expect(first).toEqual({ readyAtMs: NOW + 2 * HOUR, windows: 1, giveUp: false })
    // Another 5615 inside the window changes nothing.
    expect(GoalReadiness.afterNotAccepted(first, NOW + HOUR)).toEqual({ ...first, giveUp: false })
    const second = GoalReadiness.afterNotAccepted(first, NOW + 2 * HOUR)
    expect(second).toEqual({ readyAtMs: NOW + 4 * HOUR, windows: 2, giveUp: false })
    const third = GoalReadiness.afterNotAccepted(second, NOW + 4 * HOUR)
    expect(third.giveUp).toBe(false)
    expect(GoalReadiness.afterNotAccepted(third, NOW + 6 * HOUR).giveUp).toBe(true)
  })

  it("knows which recorded goals are not ready yet, and when they will be", () => {
    const times = new Map([
      ["Old", NOW - 3 * HOUR],
      ["New", NOW - 30 * 60_000]
    ])
    expect([...GoalReadiness.notReady(times, NOW)]).toEqual([["New", NOW + 90 * 60_000]])
  })
})

describe("refusing records of a goal younger than two hours", () => {
  it.effect("makes them invalid 5615 with the time the goal is ready, sends the others", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender()
      const goals = GoalCheck.make(undefined, { Young: NOW - 30 * 60_000, Old: NOW - DAY }, { refuseNotReady: true })
      const csv =
        "MicrosoftClickId,ConversionName,ConversionTime\n" +
        `${clickId(1)},Young,${hoursAgo(1)}\n` +
        `${clickId(2)},Old,${hoursAgo(1)}\n` +
        `${clickId(3)},Unrecorded,${hoursAgo(1)}\n`
      const outcomes = yield* collect(OfflineConversions.apply(bytes(csv), { goals })).pipe(Effect.provide(fake.layer))
      expect(outcomes.map((o) => o._tag)).toEqual(["Invalid", "Accepted", "Accepted"])
      const refused = outcomes[0]!
      expect(refused._tag === "Invalid" && [refused.code, refused.errorCode]).toEqual([
        5615,
        "OfflineConversionNotAcceptedForGoal"
      ])
      expect(refused._tag === "Invalid" && refused.message).toContain(
        `takes its conversions from ${new Date(NOW + 90 * 60_000).toISOString()}`
      )
      expect(fake.calls.flatMap((call) => call.items.map((item) => item.ConversionName))).toEqual(["Old", "Unrecorded"])
    })
  )
})

describe("goal settings check", () => {
  it.effect("fetches windows and the enhanced-conversions setting in one call", () =>
    Effect.gen(function* () {
      const requests: Array<Schemas.GetConversionGoalsByIdsRequest> = []
      const facts = yield* GoalReadiness.fetchGoalFacts(
        (_op, request) => {
          requests.push(request)
          return Effect.succeed({
            ConversionGoals: [
              {
                _tag: "OfflineConversionGoal",
                Name: "Purchase",
                Id: 7n,
                ConversionWindowInMinutes: 1440,
                IsEnhancedConversionsEnabled: true
              },
              { _tag: "UrlGoal", Name: "Visit", Id: 8n }
            ]
          } as Schemas.GetConversionGoalsByIdsResponse)
        },
        new Map([["Purchase", NOW - DAY]])
      )
      expect(requests[0]!.ReturnAdditionalFields).toEqual(["IsEnhancedConversionsEnabled"])
      expect([...facts.values()]).toEqual([
        {
          name: "Purchase",
          id: 7n,
          conversionWindowMinutes: 1440,
          enhancedConversions: true,
          createdAtMs: NOW - DAY
        }
      ])
    })
  )

  it.effect("warns once per goal and kind, and counts every record flagged", () =>
    Effect.gen(function* () {
      yield* atNow
      const check = new GoalReadiness.GoalSettingsCheck(
        new Map<string, GoalReadiness.GoalFacts>([
          ["Short", { name: "Short", conversionWindowMinutes: 60 * 24, createdAtMs: NOW - 3 * DAY }],
          ["Plain", { name: "Plain", conversionWindowMinutes: 30 * 1440, enhancedConversions: false }]
        ])
      )
      const warnings: Array<Warning.Warning> = []
      const hash = "a".repeat(64)
      const csv =
        "MicrosoftClickId,ConversionName,ConversionTime,HashedEmailAddress\n" +
        `${clickId(1)},Short,${hoursAgo(2)},\n` + // within the window
        `${clickId(2)},Short,${hoursAgo(30)},\n` + // older than the 1-day window
        `${clickId(3)},Short,${hoursAgo(80)},\n` + // older, and before the goal was created
        `,Plain,${hoursAgo(1)},${hash}\n` + // hashed only, goal not enhanced
        `,Plain,${hoursAgo(1)},${"b".repeat(64)}\n` +
        `${clickId(6)},Plain,${hoursAgo(1)},${hash}\n` // has a click id: fine
      yield* collect(
        OfflineConversions.dryRun(bytes(csv), {
          inspect: (_record, result, nowMs, found) => check.inspect(result, nowMs, found),
          onWarning: (warning) => Effect.sync(() => warnings.push(warning))
        })
      )
      expect(check.report()).toEqual({
        Short: { olderThanWindow: 2, beforeCreated: 1, notEnhanced: 0 },
        Plain: { olderThanWindow: 0, beforeCreated: 0, notEnhanced: 2 }
      })
      expect(warnings.map((warning) => [warning._tag, "line" in warning ? warning.line : null])).toEqual([
        ["OlderThanGoalWindow", 3],
        ["BeforeGoalCreated", 4],
        ["NotEnhancedGoal", 5]
      ])
    })
  )
})
