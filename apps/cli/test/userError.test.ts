import { PipelineError } from "@uplink/core"
import { describe, expect, it } from "vitest"
import { toUserError } from "../src/userError.js"

describe("toUserError", () => {
  it("names the flag of a pipeline option that core refused, with core's range", () => {
    const error = new PipelineError({
      reason: "InvalidOptions",
      option: "concurrency",
      expected: "a whole number from 1 to 64",
      received: "100000",
      message: "concurrency must be a whole number from 1 to 64, got 100000"
    })
    expect(toUserError(error).message).toBe("--concurrency must be a whole number from 1 to 64, got 100000")
    const wait = new PipelineError({
      reason: "InvalidOptions",
      option: "rateLimitWait",
      expected: "a duration from 100 ms to 10 minutes",
      received: "1 day",
      message: "rateLimitWait must be …"
    })
    expect(toUserError(wait).message).toBe(
      "--rate-limit-window / UPLINK_RATE_LIMIT_WINDOW must be a duration from 100 ms to 10 minutes, got 1 day"
    )
    for (const [option, flag] of [
      ["rateLimitWindow", "--rate-limit-window / UPLINK_RATE_LIMIT_WINDOW"],
      ["maxConcurrency", "--max-concurrency / UPLINK_MAX_CONCURRENCY"]
    ] as const) {
      const refused = new PipelineError({
        reason: "InvalidOptions",
        option,
        expected: "a whole number from 1 to 64",
        received: "65",
        message: `${option} must be …`
      })
      expect(toUserError(refused).message).toBe(`${flag} must be a whole number from 1 to 64, got 65`)
    }
  })
})
