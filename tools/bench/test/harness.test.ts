/**
 * The benchmark harness and report: statistics, interleaved measuring, and BENCHMARKS.md section updates (no timing
 * assertions: performance is only measured by `pnpm bench`).
 */
import { describe, expect, it } from "vitest"
import { measure, median, quantile } from "../src/harness.js"
import { renderSection, updateDocument } from "../src/report.js"
import { compare, meetsTarget, type Suite } from "../src/suite.js"

const measurement = (label: string, medianMs: number) => ({
  label,
  medianMs,
  p10Ms: medianMs,
  p90Ms: medianMs,
  samples: 3
})

describe("statistics", () => {
  it("computes medians and quantiles by nearest rank", () => {
    expect(median([5, 1, 3])).toBe(3)
    expect(median([4, 1, 3, 2])).toBe(3)
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.1)).toBe(2)
    expect(() => quantile([], 0.5)).toThrow("no samples")
  })

  it("measures every case, interleaved, in the order given", () => {
    const calls: Array<string> = []
    const result = measure(
      [
        { label: "a", run: () => calls.push("a") },
        { label: "b", run: () => calls.push("b") }
      ],
      { samples: 3, warmup: 1, minSampleMs: 0 }
    )
    expect(result.map((m) => [m.label, m.samples])).toEqual([
      ["a", 3],
      ["b", 3]
    ])
    expect(calls.slice(-6)).toEqual(["a", "b", "a", "b", "a", "b"])
    for (const m of result) expect(m.p10Ms).toBeLessThanOrEqual(m.p90Ms)
  })

  it("gives the ratio baseline ÷ ours and checks it against the target", () => {
    const row = compare("x", measurement("ours", 2), measurement("base", 30), 10)
    expect(row.ratio).toBe(15)
    expect(meetsTarget(row)).toBe(true)
    expect(meetsTarget(compare("y", measurement("ours", 2), measurement("base", 3), 10))).toBe(false)
    expect(meetsTarget(compare("z", measurement("ours", 2), measurement("base", 1)))).toBe(true)
  })
})

describe("BENCHMARKS.md", () => {
  const suite: Suite = { name: "codec", title: "Codecs", run: async () => ({ rows: [], notes: [] }) }
  const section = renderSection(
    suite,
    { rows: [compare("(a) encode", measurement("ours", 1.5), measurement("node-soap", 30), 10)], notes: ["same data"] },
    "Run env"
  )

  it("renders a section with markers, the table and the notes", () => {
    expect(section.split("\n")).toEqual([
      "<!-- bench:codec:start -->",
      "## Codecs",
      "",
      "Run env",
      "",
      "| case | ours (median) | baseline | baseline (median) | ratio | target |",
      "|---|---:|---|---:|---:|---|",
      "| (a) encode | 1.50 ms | node-soap | 30.0 ms | 20.0× | ✓ ≥ 10× |",
      "",
      "- same data",
      "<!-- bench:codec:end -->"
    ])
  })

  it("creates the file with a header, appends new sections and replaces only its own", () => {
    const created = updateDocument(undefined, "codec", section)
    expect(created.startsWith("# Benchmarks")).toBe(true)
    const other = "<!-- bench:server:start -->\nserver numbers\n<!-- bench:server:end -->"
    const both = updateDocument(created, "server", other)
    expect(both).toContain(section)
    expect(both).toContain(other)
    const replaced = updateDocument(both, "codec", section.replace("30.0 ms", "31.0 ms"))
    expect(replaced).toContain("31.0 ms")
    expect(replaced).not.toContain("| 30.0 ms")
    expect(replaced).toContain(other)
    expect(replaced.match(/bench:codec:start/g)).toHaveLength(1)
  })
})

describe("targets on a cost paid on top of a baseline, and on memory", () => {
  const startup = {
    ...compare("uplink --version", measurement("uplink", 240), measurement("node -e 0", 70)),
    maxTimes: 4,
    memory: { oursMB: 62, baselineMB: 41, maxMB: 80 }
  }

  it("checks at most N× the baseline's time and peak RSS under a limit", () => {
    expect(meetsTarget(startup)).toBe(true)
    expect(meetsTarget({ ...startup, ours: measurement("uplink", 290) })).toBe(false)
    expect(meetsTarget({ ...startup, memory: { ...startup.memory, oursMB: 80 } })).toBe(false)
  })

  it("checks peak RSS at most N MB above the baseline's", () => {
    const large = {
      ...compare("1M rows", measurement("1M", 20_000), measurement("100k", 2_000)),
      memory: { oursMB: 140, baselineMB: 85, maxMB: 150, maxAboveBaselineMB: 60 }
    }
    expect(meetsTarget(large)).toBe(true)
    expect(meetsTarget({ ...large, memory: { ...large.memory, baselineMB: 75 } })).toBe(false)
  })

  it("renders how many times slower, the peak RSS column and each target with its mark", () => {
    const suite: Suite = { name: "startup", title: "Start-up", run: async () => ({ rows: [], notes: [] }) }
    const section = renderSection(
      suite,
      { rows: [startup, { ...startup, memory: { ...startup.memory, oursMB: 95 } }], notes: [] },
      "Run env"
    )
    expect(section.split("\n").slice(5, 9)).toEqual([
      "| case | ours (median) | baseline | baseline (median) | ratio | peak RSS | target |",
      "|---|---:|---|---:|---:|---:|---|",
      "| uplink --version | 240.0 ms | node -e 0 | 70.0 ms | 3.4× slower | 62 MB (baseline 41 MB) | ✓ ≤ 4× its time, ✓ RSS < 80 MB |",
      "| uplink --version | 240.0 ms | node -e 0 | 70.0 ms | 3.4× slower | 95 MB (baseline 41 MB) | ✓ ≤ 4× its time, ✗ RSS < 80 MB |"
    ])
  })
})

describe("the codec suite's data", () => {
  it("is 1,000 conversions and 1,000 BatchErrors that our codecs accept", async () => {
    const { batchErrors, conversions } = await import("../src/suites/codec.js")
    const { Either } = await import("effect")
    const { encodeSoapRequest, encodeSoapResponse } = await import("@uplink/campaign-management")
    expect(conversions().OfflineConversions).toHaveLength(1000)
    expect(batchErrors().PartialErrors).toHaveLength(1000)
    expect(Either.isRight(encodeSoapRequest("ApplyOfflineConversions", conversions(), {}))).toBe(true)
    expect(Either.isRight(encodeSoapResponse("ApplyOfflineConversions", batchErrors(), "t"))).toBe(true)
  })
})
