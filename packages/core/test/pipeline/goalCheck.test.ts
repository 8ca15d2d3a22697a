import type { Schemas } from "@uplink/campaign-management"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import * as GoalCheck from "../../src/pipeline/goalCheck.js"
import * as OfflineConversions from "../../src/pipeline/offlineConversions.js"
import type * as Warning from "../../src/pipeline/warning.js"
import { NOW, atNow, bytes, clickId, collect, hoursAgo, makeFakeSender } from "./support.js"

describe("GoalCheck.fetchOfflineGoalNames", () => {
  it.effect("lists the account's offline goals with one GetConversionGoalsByIds call", () =>
    Effect.gen(function* () {
      const requests: Array<Schemas.GetConversionGoalsByIdsRequest> = []
      const call: GoalCheck.GoalsCall<never, never> = (operation, request) => {
        expect(operation).toBe("GetConversionGoalsByIds")
        requests.push(request)
        return Effect.succeed({
          ConversionGoals: [
            { _tag: "OfflineConversionGoal", Name: "Purchase", Id: 1n },
            null,
            { _tag: "OfflineConversionGoal", Name: "Lead <B2B> & Co", Id: 2n },
            { _tag: "UrlGoal", Name: "Visit", Id: 3n },
            { _tag: "ConversionGoal", Name: "Offline by type", Type: ["OfflineConversion"] }
          ]
        })
      }
      const names = yield* GoalCheck.fetchOfflineGoalNames(call)
      expect([...names].sort()).toEqual(["Lead <B2B> & Co", "Offline by type", "Purchase"])
      expect(requests).toEqual([
        { ConversionGoalIds: null, ConversionGoalTypes: ["OfflineConversion"], ReturnAdditionalFields: null }
      ])
    })
  )

  it.effect("passes the call's failure through", () =>
    Effect.gen(function* () {
      const call: GoalCheck.GoalsCall<string, never> = () => Effect.fail("boom")
      expect(yield* Effect.flip(GoalCheck.fetchOfflineGoalNames(call))).toBe("boom")
    })
  )
})

describe("goal pre-check in the pipeline", () => {
  it.effect("marks unknown names invalid 5606 before sending and warns once about a goal younger than 2 hours", () =>
    Effect.gen(function* () {
      yield* atNow
      const fake = makeFakeSender()
      const warnings: Array<Warning.Warning> = []
      const goals = GoalCheck.make(["Purchase", "New Goal"], {
        "New Goal": NOW - 30 * 60_000,
        Purchase: NOW - 86_400_000
      })
      const csv =
        "MicrosoftClickId,ConversionName,ConversionTime\n" +
        `${clickId(1)},Purchase,${hoursAgo(1)}\n` +
        `${clickId(2)},Unknown Goal,${hoursAgo(1)}\n` +
        `${clickId(3)},New Goal,${hoursAgo(1)}\n` +
        `${clickId(4)},New Goal,${hoursAgo(2)}\n`
      const outcomes = yield* collect(
        OfflineConversions.apply(bytes(csv), {
          goals,
          onWarning: (warning) => Effect.sync(() => warnings.push(warning))
        })
      ).pipe(Effect.provide(fake.layer))
      expect(outcomes.map((o) => [o.line, o._tag])).toEqual([
        [3, "Invalid"],
        [2, "Accepted"],
        [4, "Accepted"],
        [5, "Accepted"]
      ])
      expect(outcomes[0]).toMatchObject({
        code: 5606,
        errorCode: "OfflineConversionNameInvalid",
        field: "ConversionName"
      })
      expect(fake.calls.flatMap((c) => c.items.map((i) => i.ConversionName))).toEqual([
        "Purchase",
        "New Goal",
        "New Goal"
      ])
      expect(warnings).toEqual([
        expect.objectContaining({
          _tag: "GoalTooRecent",
          name: "New Goal",
          readyAt: new Date(NOW + 90 * 60_000).toISOString()
        })
      ])
    })
  )

  it.effect("an empty goal list makes every record invalid 5606 in a dry run too", () =>
    Effect.gen(function* () {
      yield* atNow
      const records = Stream.make({
        line: 1,
        values: { MicrosoftClickId: clickId(1), ConversionName: "Purchase", ConversionTime: hoursAgo(1) }
      })
      const outcomes = yield* collect(OfflineConversions.dryRun({ records }, { goals: GoalCheck.make([]) }))
      expect(outcomes).toMatchObject([{ _tag: "Invalid", code: 5606 }])
    })
  )
})
