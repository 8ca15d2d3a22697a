import { describe, expect, it } from "@effect/vitest"
import { defaultCredentials, type PresentedCredentials } from "../src/domain/Credentials.js"
import { makeService } from "./fixtures.js"

const good: PresentedCredentials = {
  developerToken: defaultCredentials.developerToken,
  customerId: defaultCredentials.customerId,
  accountId: defaultCredentials.accountId,
  accessToken: defaultCredentials.accessToken
}

const codeOf = (refusal: ReturnType<ReturnType<typeof makeService>["authenticate"]>) =>
  refusal?._tag === "AdApiRefusal" ? refusal.errors[0]?.error.code : refusal

describe("credential check", () => {
  it("accepts the default credentials", () => {
    expect(makeService().authenticate(good)).toBeUndefined()
  })

  it("answers 105 for a wrong or missing developer token or access token", () => {
    const service = makeService()
    expect(codeOf(service.authenticate({ ...good, developerToken: "WRONG" }))).toBe(105)
    expect(codeOf(service.authenticate({ ...good, developerToken: undefined }))).toBe(105)
    expect(codeOf(service.authenticate({ ...good, accessToken: "forged" }))).toBe(105)
    expect(codeOf(service.authenticate({ ...good, accessToken: undefined }))).toBe(105)
  })

  it("answers 106 for a customer or account the user cannot access", () => {
    const service = makeService()
    expect(codeOf(service.authenticate({ ...good, customerId: "42" }))).toBe(106)
    expect(codeOf(service.authenticate({ ...good, accountId: "42" }))).toBe(106)
    expect(codeOf(service.authenticate({ ...good, accountId: undefined }))).toBe(106)
  })

  it("answers 109 once the fault plan expires the token, and never leaks a credential in a message", () => {
    const service = makeService()
    service.faults.configure({ expireTokenAfter: 1 })
    expect(service.authenticate(good)).toBeUndefined()
    const refusal = service.authenticate(good)
    expect(codeOf(refusal)).toBe(109)
    const text = JSON.stringify([refusal, service.authenticate({ ...good, developerToken: "WRONG" })])
    expect(text).not.toContain(defaultCredentials.accessToken)
    expect(text).not.toContain("WRONG")
  })
})
