/**
 * `checkJsonRecord` and `parseJsonInput`, the server's intake rule: a record given as a JSON value is read as a JSON
 * Lines line is (loose field names, `id`, unknown keys named) and checked as the pipeline checks it.
 */
import { describe, expect, it } from "@effect/vitest"
import { checkJsonRecord, parseJsonInput } from "../../src/index.js"
import { NOW, clickId, hoursAgo } from "./support.js"

const context = { nowMs: NOW, time: {} }

describe("checkJsonRecord", () => {
  it("prepares a valid record with its id, matching field names loosely and naming unknown keys", () => {
    const checked = checkJsonRecord(
      {
        id: "crm-1",
        microsoft_click_id: clickId(1),
        "Conversion Name": "Purchase",
        ConversionTime: hoursAgo(2),
        Email: " Someone@Example.com ",
        colour: "blue"
      },
      "apply",
      context
    )
    expect(checked._tag).toBe("Checked")
    if (checked._tag !== "Checked") return
    expect(checked.id).toBe("crm-1")
    expect(checked.unknownFields).toEqual(["colour"])
    expect(checked.result._tag).toBe("Conversion")
    if (checked.result._tag !== "Conversion") return
    expect(checked.result.hashedEmail).toMatch(/^[0-9a-f]{64}$/)
    expect(JSON.stringify(checked.result)).not.toContain("omeone")
  })

  it("gives the Invalid outcome of the first failing rule, with the service's code", () => {
    const checked = checkJsonRecord({ ConversionName: "Purchase", ConversionTime: hoursAgo(2) }, "apply", context)
    expect(checked._tag === "Checked" && checked.result._tag === "Invalid" && checked.result.code).toBe(5603)
  })

  it("checks adjustments by the adjustment rules", () => {
    const checked = checkJsonRecord(
      { MicrosoftClickId: clickId(2), ConversionName: "Purchase", ConversionTime: hoursAgo(3), AdjustmentType: "Nope" },
      "adjust",
      context
    )
    expect(checked._tag === "Checked" && checked.result._tag).toBe("Invalid")
  })

  it("refuses a value that is not a JSON object, without echoing it", () => {
    for (const value of [null, 42, "someone@example.com", [1, 2]]) {
      const checked = checkJsonRecord(value, "apply", context)
      expect(checked).toEqual({
        _tag: "Malformed",
        reason: "a JSON Lines record must be a JSON object",
        unknownFields: []
      })
    }
  })
})

describe("parseJsonInput", () => {
  it("keeps the first of a repeated key and the text of an integer beyond 2^53", () => {
    expect(parseJsonInput('{"a":1,"a":2,"id":12345678901234567890}')).toEqual({
      value: { a: 1, id: "12345678901234567890" },
      repeatedKeys: ["a"]
    })
  })
})
