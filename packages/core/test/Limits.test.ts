import { describe, expect, it } from "@effect/vitest"
import { Duration, Either, Option } from "effect"
import * as Limits from "../src/config/Limits.js"

describe("Limits", () => {
  it("reads durations as milliseconds, with a short unit, or as Effect durations", () => {
    const millis = (text: string) => Option.map(Limits.parseDuration(text), Duration.toMillis)
    expect(millis("2500")).toEqual(Option.some(2500))
    expect(millis("30s")).toEqual(Option.some(30_000))
    expect(millis("2 m")).toEqual(Option.some(120_000))
    expect(millis("1.5h")).toEqual(Option.some(5_400_000))
    expect(millis("500ms")).toEqual(Option.some(500))
    expect(millis("30 seconds")).toEqual(Option.some(30_000))
    expect(millis("soon")).toEqual(Option.none())
    expect(millis("-3")).toEqual(Option.none())
  })

  it("reads whole numbers only in plain digits", () => {
    expect(Limits.parseInteger("64")).toEqual(Option.some(64))
    expect(Limits.parseInteger(" +7 ")).toEqual(Option.some(7))
    for (const text of ["1e3", "12abc", "", "1.5", "0x10", "99999999999999999999"]) {
      expect(Limits.parseInteger(text), text).toEqual(Option.none())
    }
  })

  it("names the setting, its range and the value it refuses", () => {
    expect(Limits.parse("--concurrency", Limits.concurrency, "100000")).toEqual(
      Either.left("--concurrency must be a whole number from 1 to 64, got 100000")
    )
    expect(Limits.parse("--value", Limits.goalValue, "Infinity")).toEqual(
      Either.left('--value must be a number from 0 to 9999999, got "Infinity"')
    )
    expect(Either.getLeft(Limits.parse("X", Limits.requestTimeout, "2 hours"))).toEqual(
      Option.some('X must be a duration from 1 second to 1 hour (e.g. "30s", "2 minutes" or milliseconds), got 2 hours')
    )
    expect(Limits.parse("--concurrency", Limits.concurrency, "64")).toEqual(Either.right(64))
  })
})
