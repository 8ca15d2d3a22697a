import { describe, expect, it } from "@effect/vitest"
import * as Warning from "../../src/pipeline/warning.js"

describe("Warning.message", () => {
  it("says what happened in one line for every kind", () => {
    expect(Warning.message(Warning.Warning.UnknownColumns({ columns: ["Colour", "Notes"] }))).toBe(
      'unknown column(s) ignored: "Colour", "Notes"'
    )
    expect(
      Warning.message(
        Warning.Warning.DuplicateColumns({ field: "ConversionName", columns: ["Conversion Name", "name_x"] })
      )
    ).toBe('columns "Conversion Name", "name_x" all mean ConversionName; the first one is used')
    expect(Warning.message(Warning.Warning.MissingFormatVersion())).toMatch(/Format Version/)
    expect(
      Warning.message(
        Warning.Warning.GoalTooRecent({
          name: "New",
          createdAt: "2025-06-15T11:30:00.000Z",
          readyAt: "2025-06-15T13:30:00.000Z"
        })
      )
    ).toBe(
      'conversion goal "New" was created at 2025-06-15T11:30:00.000Z; the service may reject its conversions with 5615 ' +
        "until 2025-06-15T13:30:00.000Z"
    )
    expect(
      Warning.message(
        Warning.Warning.UnmappedBatchError({
          index: 7,
          code: 0,
          errorCode: "InternalError",
          message: "?",
          batchLines: "2–5"
        })
      )
    ).toBe(
      "the service returned a partial error for index 7 of the batch of lines 2–5, which has no such item: 0 InternalError ?"
    )
  })
})
