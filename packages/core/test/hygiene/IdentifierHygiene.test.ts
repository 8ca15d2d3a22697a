import { createHash } from "node:crypto"
import type { Schemas } from "@uplink/campaign-management"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Hygiene from "../../src/hygiene/IdentifierHygiene.js"
import { OfflineConversions, type Warning } from "../../src/pipeline/index.js"
import { atNow, bytes, clickId, collect, hoursAgo, makeFakeSender } from "../pipeline/support.js"

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

const HEADER = "MicrosoftClickId,ConversionName,ConversionTime,Email,Phone,HashedEmailAddress"

describe("identifier hygiene of a run", () => {
  it.effect("counts click id, email and phone shares exactly, per run and per goal", () =>
    Effect.gen(function* () {
      yield* atNow
      const tally = Hygiene.tally()
      const time = hoursAgo(1)
      const csv = [
        HEADER,
        `${clickId(1)},Purchase,${time},a@example.com,,`,
        `${clickId(2)},Purchase,${time},,+14255550100,`,
        `,Purchase,${time},,,${sha256("b@example.com")}`,
        `${clickId(4)},Lead,${time},,,`,
        // Invalid (no time): counted all the same.
        `${clickId(5)},Lead,,c@example.com,+14255550101,`
      ].join("\n")
      yield* collect(OfflineConversions.dryRun(bytes(csv), { inspect: (r, result) => tally.observe(r, result) }))
      const { total, byGoal } = tally.report()
      expect(total.records).toBe(5)
      expect([total.withClickId, total.withEmail, total.withPhone]).toEqual([4, 3, 2])
      expect(total.shares).toEqual({ clickId: 4 / 5, email: 3 / 5, phone: 2 / 5 })
      expect(byGoal.Purchase!.records).toBe(3)
      expect(byGoal.Purchase!.shares).toEqual({ clickId: 2 / 3, email: 2 / 3, phone: 1 / 3 })
      expect(byGoal.Lead!.shares).toEqual({ clickId: 1, email: 1 / 2, phone: 1 / 2 })
    })
  )

  it.effect("takes digests in raw columns as the hashed value (not hashed again), counts and warns once", () =>
    Effect.gen(function* () {
      yield* atNow
      const tally = Hygiene.tally()
      const fake = makeFakeSender()
      const warnings: Array<Warning.Warning> = []
      const email = sha256("jane@example.com")
      const phone = sha256("+14255550100")
      const time = hoursAgo(1)
      const csv = [
        "ConversionName,ConversionTime,Email,Phone",
        `Purchase,${time},${email.toUpperCase()},`,
        `Purchase,${hoursAgo(2)},${email},${phone}`,
        `Purchase,${hoursAgo(3)},jane@example.com,`
      ].join("\n")
      const outcomes = yield* collect(
        OfflineConversions.apply(bytes(csv), {
          inspect: (record, result, _now, found) => tally.observe(record, result, found),
          onWarning: (warning) => Effect.sync(() => warnings.push(warning))
        })
      ).pipe(Effect.provide(fake.layer))
      expect(outcomes.map((o) => o._tag)).toEqual(["Accepted", "Accepted", "Accepted"])
      const sent = fake.calls.flatMap((call) => call.items) as ReadonlyArray<Schemas.OfflineConversion>
      // The digest is sent as it is (lower case); the raw address is hashed once; no digest of a digest is sent.
      expect(sent.map((item) => item.HashedEmailAddress)).toEqual([email, email, email])
      expect(sent[1]!.HashedPhoneNumber).toBe(phone)
      expect(sent.some((item) => item.HashedEmailAddress === sha256(email))).toBe(false)
      expect(tally.report().total.alreadyHashed).toEqual({ email: 2, phone: 1 })
      expect(warnings).toEqual([
        { _tag: "AlreadyHashed", field: "Email", line: 2 },
        { _tag: "AlreadyHashed", field: "Phone", line: 3 }
      ])
    })
  )

  it.effect("counts phones that could not be normalised and email domains that are typos of common ones", () =>
    Effect.gen(function* () {
      yield* atNow
      const tally = Hygiene.tally()
      const time = hoursAgo(1)
      const csv = [
        "ConversionName,ConversionTime,Email,Phone",
        `Purchase,${time},ann@gmial.com,`,
        `Purchase,${time},bob@gmial.com,`,
        `Purchase,${time},cy@hotmial.com,`,
        `Purchase,${time},dee@yaho.com,`,
        `Purchase,${time},eve@gmail.com,12`,
        `Purchase,${time},fay@love.com,+1 425 555 0100`
      ].join("\n")
      yield* collect(
        OfflineConversions.dryRun(bytes(csv), {
          defaultRegion: "US",
          inspect: (record, result) => tally.observe(record, result)
        })
      )
      const report = tally.report().total
      expect(report.phoneNotNormalised).toBe(1)
      expect(report.emailTypos.count).toBe(4)
      expect(report.emailTypos.domains).toEqual([
        { domain: "gmial.com", suggestion: "gmail.com", count: 2, firstLine: 2 },
        { domain: "hotmial.com", suggestion: "hotmail.com", count: 1, firstLine: 4 },
        { domain: "yaho.com", suggestion: "yahoo.com", count: 1, firstLine: 5 }
      ])
    })
  )

  it("knows typos of common domains, by list and one edit away, and leaves real domains alone", () => {
    expect(Hygiene.domainTypo("gmial.com")).toBe("gmail.com")
    expect(Hygiene.domainTypo("GMAIL.CON")).toBe("gmail.com")
    expect(Hygiene.domainTypo("outlookk.com")).toBe("outlook.com")
    expect(Hygiene.domainTypo("hotmail.co.uk")).toBeUndefined()
    expect(Hygiene.domainTypo("gmail.com")).toBeUndefined()
    expect(Hygiene.domainTypo("love.com")).toBeUndefined()
    expect(Hygiene.domainTypo("contoso.com")).toBeUndefined()
  })
})
