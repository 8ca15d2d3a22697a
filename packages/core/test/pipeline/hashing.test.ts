import { createHash } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Hashing } from "../../src/pipeline/index.js"

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

describe("Hashing", () => {
  it("hashes the documented example: SHA-256 of test@contoso.com", () => {
    expect(Hashing.hashEmail("test@contoso.com")).toBe(
      "f25ad364d33972379a7a4f4df33db142205f5c40eb19cfdb2fc5aaf117e10101"
    )
  })

  it("normalises email by trimming and lower-casing before hashing", () => {
    expect(Hashing.normalizeEmail("  Test@Contoso.COM ")).toBe("test@contoso.com")
    expect(Hashing.hashEmail("  Test@Contoso.COM ")).toBe(Hashing.hashEmail("test@contoso.com"))
    expect(Hashing.hashEmail("not an email")).toBeUndefined()
    expect(Hashing.hashEmail("a@@b")).toBeUndefined()
  })

  it("normalises phone numbers to E.164 with a default region", () => {
    expect(Hashing.normalizePhone("+1 (425) 555-0100")).toBe("+14255550100")
    expect(Hashing.normalizePhone("(425) 555-0100", "US")).toBe("+14255550100")
    expect(Hashing.normalizePhone("020 7946 0018", "GB")).toBe("+442079460018")
    expect(Hashing.normalizePhone("06 12 34 56 78", "FR")).toBe("+33612345678")
    expect(Hashing.normalizePhone("(425) 555-0100")).toBeUndefined()
    expect(Hashing.normalizePhone("12", "US")).toBeUndefined()
    expect(Hashing.hashPhone("(425) 555-0100", "US")).toBe(sha256("+14255550100"))
  })

  it("recognises SHA-256 hex only in lower case and at full length", () => {
    const digest = sha256("x")
    expect(Hashing.isSha256Hex(digest)).toBe(true)
    expect(Hashing.isSha256Hex(digest.toUpperCase())).toBe(false)
    expect(Hashing.isSha256Hex(digest.slice(1))).toBe(false)
    expect(Hashing.isSha256Hex(`${digest.slice(1)}g`)).toBe(false)
  })

  it("takes a raw Email or Phone value that already looks hashed as the digest, never hashing it twice", () => {
    const email = sha256("jane@example.com")
    const phone = sha256("+14255550100")
    expect(Hashing.looksHashed(email)).toBe(true)
    expect(Hashing.looksHashed(` ${email.toUpperCase()} `)).toBe(true)
    expect(Hashing.looksHashed(email.slice(1))).toBe(false)
    expect(Hashing.looksHashed("jane@example.com")).toBe(false)
    expect(Hashing.hashEmail(email)).toBe(email)
    expect(Hashing.hashEmail(` ${email.toUpperCase()} `)).toBe(email)
    expect(Hashing.hashPhone(phone, "US")).toBe(phone)
    expect(Hashing.hashPhone(phone.toUpperCase())).toBe(phone)
  })

  it("knows regions", () => {
    expect(Hashing.isRegion("US")).toBe(true)
    expect(Hashing.isRegion("XX")).toBe(false)
  })
})
