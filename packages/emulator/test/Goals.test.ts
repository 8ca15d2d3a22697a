import type { Schemas } from "@uplink/campaign-management"
import { describe, expect, it } from "@effect/vitest"
import { HOUR_MS } from "../src/domain/Time.js"
import { NOW, at, codesByIndex, conversion, makeClock, makeService } from "./fixtures.js"

const goal = (overrides: Partial<Schemas.OfflineConversionGoal> = {}): Schemas.OfflineConversionGoal => ({
  _tag: "OfflineConversionGoal",
  ConversionWindowInMinutes: 43200,
  CountType: "All",
  GoalCategory: "Purchase",
  Name: "Phone sale",
  Revenue: { Type: "FixedValue", Value: 5, CurrencyCode: "USD" },
  Scope: "Account",
  Status: "Active",
  TagId: null,
  ...overrides
})

const answeredBody = <B>(outcome: { _tag: "Answered"; body: B } | { _tag: "Refused"; refusal: unknown }): B => {
  if (outcome._tag !== "Answered") throw new Error(`refused: ${JSON.stringify(outcome.refusal)}`)
  return outcome.body
}

const refusalCode = (outcome: { _tag: string; refusal?: any }) => outcome.refusal?.errors?.[0]?.error.code

describe("conversion goals", () => {
  it("AddConversionGoals: ids aligned with the request, null and a BatchError per refused goal", () => {
    const service = makeService()
    const body = answeredBody(
      service.handle(
        "AddConversionGoals",
        {
          ConversionGoals: [
            goal(), // 0 ok
            null, // 1 5323
            goal({ Name: "With id", Id: 5n }), // 2 5324
            goal({ Name: null }), // 3 5319
            goal({ Name: "x".repeat(101) }), // 4 5320
            goal({ Name: "Purchase" }), // 5 5317 (exists)
            goal({ Name: "Twice" }), // 6 5316
            goal({ Name: "Twice" }), // 7 5316
            goal({ Name: "Window", ConversionWindowInMinutes: 129_601 }), // 8 5337
            goal({ Name: "Deleted", Status: "Deleted" }), // 9 5328
            goal({ Name: "NoValue with value", Revenue: { Type: "NoValue", Value: 3 } }), // 10 5333
            goal({ Name: "Fixed without value", Revenue: { Type: "FixedValue", Value: null } }), // 11 5333
            goal({ Name: "Bad currency", Revenue: { Type: "FixedValue", Value: 1, CurrencyCode: "EURO" } }), // 12 5351
            goal({ Name: "Customer", Scope: "Customer", Revenue: { Type: "VariableValue", Value: 1 } }), // 13 5355
            goal({ Name: "Url typed", Type: ["Url"] }), // 14 5331
            { _tag: "UrlGoal", Name: "A url goal" }, // 15 5331
            goal({ Name: "Defaults", ConversionWindowInMinutes: null, CountType: null, Revenue: null, Scope: null }) // 16 ok
          ]
        },
        { transport: "soap" }
      )
    )
    expect(body.ConversionGoalIds?.map((id) => id !== null)).toEqual([
      true,
      ...Array.from({ length: 15 }, () => false),
      true
    ])
    expect(codesByIndex(body.PartialErrors)).toEqual([
      [1, 5323],
      [2, 5324],
      [3, 5319],
      [4, 5320],
      [5, 5317],
      [6, 5316],
      [7, 5316],
      [8, 5337],
      [9, 5328],
      [10, 5333],
      [11, 5333],
      [12, 5351],
      [13, 5355],
      [14, 5331],
      [15, 5331]
    ])
    const defaults = service.goals.byName("Defaults")
    expect(defaults).toMatchObject({
      conversionWindowInMinutes: 43200,
      countType: "All",
      scope: "Account",
      revenue: { type: "NoValue", value: null, currencyCode: null },
      createdAt: NOW
    })
  })

  it("AddConversionGoals refuses an empty list (5321) and more than 100 goals (5322)", () => {
    const service = makeService()
    expect(refusalCode(service.handle("AddConversionGoals", { ConversionGoals: [] }, { transport: "rest" }))).toBe(5321)
    const many = Array.from({ length: 101 }, (_, i) => goal({ Name: `g${i}` }))
    expect(refusalCode(service.handle("AddConversionGoals", { ConversionGoals: many }, { transport: "rest" }))).toBe(
      5322
    )
  })

  it("a goal added through the API refuses conversions for two hours (5615), then accepts them", () => {
    const time = makeClock()
    const service = makeService({ clock: time.clock })
    answeredBody(service.handle("AddConversionGoals", { ConversionGoals: [goal()] }, { transport: "rest" }))
    const item = conversion({ ConversionName: "Phone sale", ConversionTime: at(NOW - HOUR_MS) })
    const first = answeredBody(
      service.handle("ApplyOfflineConversions", { OfflineConversions: [item] }, { transport: "rest" })
    )
    expect(codesByIndex(first.PartialErrors)).toEqual([[0, 5615]])
    time.advance(2 * HOUR_MS)
    const later = answeredBody(
      service.handle("ApplyOfflineConversions", { OfflineConversions: [item] }, { transport: "rest" })
    )
    expect(later.PartialErrors).toEqual([])
  })

  it("GetConversionGoalsByIds: all goals for empty ids; aligned answer with 5314 for unknown ids; extra fields on request", () => {
    const service = makeService()
    const purchaseId = service.goals.byName("Purchase")!.id
    const all = answeredBody(
      service.handle("GetConversionGoalsByIds", { ConversionGoalTypes: ["OfflineConversion"] }, { transport: "rest" })
    )
    expect(all.ConversionGoals?.map((g) => g?.Name)).toEqual(["Purchase", "Fresh", "Short", "Unique", "NoCurrency"])
    expect(all.ConversionGoals?.[0]).not.toHaveProperty("GoalCategory")
    const some = answeredBody(
      service.handle(
        "GetConversionGoalsByIds",
        {
          ConversionGoalIds: [999n, purchaseId],
          ConversionGoalTypes: ["OfflineConversion"],
          ReturnAdditionalFields: ["GoalCategory", "IsExternallyAttributed"]
        },
        { transport: "rest" }
      )
    )
    expect(some.ConversionGoals?.[0]).toBeNull()
    expect(some.ConversionGoals?.[1]).toMatchObject({
      _tag: "OfflineConversionGoal",
      Id: purchaseId,
      Name: "Purchase",
      Type: ["OfflineConversion"],
      GoalCategory: "Other",
      IsExternallyAttributed: false,
      Revenue: { Type: "FixedValue", Value: 5, CurrencyCode: "USD" }
    })
    expect(codesByIndex(some.PartialErrors)).toEqual([[0, 5314]])
    const urlOnly = answeredBody(
      service.handle("GetConversionGoalsByIds", { ConversionGoalTypes: ["Url"] }, { transport: "rest" })
    )
    expect(urlOnly.ConversionGoals).toEqual([])
    expect(refusalCode(service.handle("GetConversionGoalsByIds", {}, { transport: "rest" }))).toBe(5329)
    const ids = Array.from({ length: 101 }, (_, i) => BigInt(i))
    expect(
      refusalCode(
        service.handle(
          "GetConversionGoalsByIds",
          { ConversionGoalIds: ids, ConversionGoalTypes: ["OfflineConversion"] },
          { transport: "rest" }
        )
      )
    ).toBe(5318)
  })

  it("UpdateConversionGoals: partial update, revenue replaced as a whole, scope read-only, rules per item", () => {
    const service = makeService()
    const purchase = service.goals.byName("Purchase")!
    const fresh = service.goals.byName("Fresh")!
    const body = answeredBody(
      service.handle(
        "UpdateConversionGoals",
        {
          ConversionGoals: [
            { _tag: "OfflineConversionGoal", Id: purchase.id, CountType: "Unique", Scope: "Customer" }, // 0 ok
            null, // 1 5323
            { _tag: "OfflineConversionGoal", Name: "no id" }, // 2 5325
            { _tag: "OfflineConversionGoal", Id: 42n }, // 3 5314
            { _tag: "OfflineConversionGoal", Id: fresh.id, Name: "Short" }, // 4 5317
            { _tag: "UrlGoal", Id: service.goals.byName("NoCurrency")!.id }, // 5 5356
            { _tag: "OfflineConversionGoal", Id: service.goals.byName("Short")!.id, ConversionWindowInMinutes: 0 }, // 6 5337
            {
              _tag: "OfflineConversionGoal",
              Id: service.goals.byName("Unique")!.id,
              Revenue: { Type: "FixedValue", Value: 2, CurrencyCode: "EUR" }
            } // 7 ok
          ]
        },
        { transport: "rest" }
      )
    )
    expect(codesByIndex(body.PartialErrors)).toEqual([
      [1, 5323],
      [2, 5325],
      [3, 5314],
      [4, 5317],
      [5, 5356],
      [6, 5337]
    ])
    expect(service.goals.byName("Purchase")).toMatchObject({
      countType: "Unique",
      scope: "Account",
      revenue: { type: "FixedValue", value: 5, currencyCode: "USD" }
    })
    expect(service.goals.byName("Unique")?.revenue).toEqual({ type: "FixedValue", value: 2, currencyCode: "EUR" })
    const twice = answeredBody(
      service.handle(
        "UpdateConversionGoals",
        {
          ConversionGoals: [
            { _tag: "OfflineConversionGoal", Id: purchase.id },
            { _tag: "OfflineConversionGoal", Id: purchase.id }
          ]
        },
        { transport: "rest" }
      )
    )
    expect(codesByIndex(twice.PartialErrors)).toEqual([
      [0, 5315],
      [1, 5315]
    ])
  })

  it("reset forgets API-made goals and changes but keeps registered goals with their ids", () => {
    const service = makeService()
    const purchaseId = service.goals.byName("Purchase")!.id
    service.handle("AddConversionGoals", { ConversionGoals: [goal()] }, { transport: "rest" })
    service.handle(
      "UpdateConversionGoals",
      { ConversionGoals: [{ _tag: "OfflineConversionGoal", Id: purchaseId, CountType: "Unique" }] },
      { transport: "rest" }
    )
    service.reset()
    expect(service.goals.byName("Phone sale")).toBeUndefined()
    expect(service.goals.byName("Purchase")).toMatchObject({ id: purchaseId, countType: "All" })
  })

  it("registering a goal name again replaces its settings and keeps its id", () => {
    const service = makeService()
    const before = service.goals.byName("Short")!
    const [after] = service.registerGoals([{ name: "Short", conversionWindowInMinutes: 120 }])
    expect(after).toMatchObject({ id: before.id.toString(), conversionWindowInMinutes: 120 })
    expect(() => service.registerGoals([{ name: "Bad", conversionWindowInMinutes: 0 }])).toThrow(
      /conversionWindowInMinutes/
    )
  })
})
