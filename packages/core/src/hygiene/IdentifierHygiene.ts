/**
 * Identifier hygiene of a run, per goal: how many records carry a click id, an email, a phone (given raw or hashed);
 * how many raw `Email` / `Phone` values were already SHA-256 digests (taken as the digest, never hashed twice: see
 * `Hashing.looksHashed`); how many phone numbers could not be normalised; and how many emails have an obvious typo in
 * a common domain (`gmial.com`, `hotmial.com`, `yaho.com`, …; reported only, the record is sent as it is).
 *
 * Invariants: counts are exact (every record observed once, whatever its outcome); a share is its count divided by
 * the records observed (0 when none); nothing of an identifier is kept but an email's domain, and only when that
 * domain is a typo of a common one (a domain names a mail provider, not a person).
 */
import type { Warning } from "../pipeline/warning.js"
import { Warning as Warnings } from "../pipeline/warning.js"
import { LocalCodes } from "../pipeline/codes.js"
import { looksHashed } from "../pipeline/hashing.js"
import type { Outcome } from "../pipeline/outcome.js"
import type { SourceRecord } from "../pipeline/readers/item.js"
import type { Prepared } from "../pipeline/validate.js"

/** One misspelt domain: how often it was seen, what it probably means, the first line it was seen on. */
export interface DomainTypo {
  readonly domain: string
  readonly suggestion: string
  readonly count: number
  readonly firstLine: number
}

/** The hygiene of a set of records (a run, or one goal of it). */
export interface HygieneReport {
  /** Records observed. */
  readonly records: number
  readonly withClickId: number
  /** Records with an email, raw (`Email`) or hashed (`HashedEmailAddress`). */
  readonly withEmail: number
  /** Records with a phone number, raw (`Phone`) or hashed (`HashedPhoneNumber`). */
  readonly withPhone: number
  /** `withClickId`, `withEmail`, `withPhone` divided by `records` (0 when there are none). */
  readonly shares: { readonly clickId: number; readonly email: number; readonly phone: number }
  /** Raw `Email` / `Phone` values that already were SHA-256 digests (sent as digests, not hashed again). */
  readonly alreadyHashed: { readonly email: number; readonly phone: number }
  /** Records refused because their raw `Phone` could not be normalised to E.164. */
  readonly phoneNotNormalised: number
  /** Raw emails whose domain looks like a typo of a common one (report only). */
  readonly emailTypos: { readonly count: number; readonly domains: ReadonlyArray<DomainTypo> }
}

/** The hygiene of a run: all records, and per goal name (records without a name under `""`). */
export interface RunHygiene {
  readonly total: HygieneReport
  readonly byGoal: Readonly<Record<string, HygieneReport>>
}

/** Common mail domains, and the misspellings seen often enough to name (anything one edit away is caught too). */
const COMMON_DOMAINS: ReadonlyArray<string> = [
  "gmail.com",
  "googlemail.com",
  "yahoo.com",
  "hotmail.com",
  "outlook.com",
  "live.com",
  "icloud.com",
  "aol.com",
  "msn.com",
  "comcast.net",
  "hotmail.co.uk",
  "yahoo.co.uk"
]

const KNOWN_TYPOS: Readonly<Record<string, string>> = {
  "gmial.com": "gmail.com",
  "gmal.com": "gmail.com",
  "gmai.com": "gmail.com",
  "gamil.com": "gmail.com",
  "gnail.com": "gmail.com",
  "gmaill.com": "gmail.com",
  "gmail.co": "gmail.com",
  "gmail.cm": "gmail.com",
  "gmail.con": "gmail.com",
  "hotmial.com": "hotmail.com",
  "hotmal.com": "hotmail.com",
  "hotmai.com": "hotmail.com",
  "hotamil.com": "hotmail.com",
  "hotmail.co": "hotmail.com",
  "hotmail.con": "hotmail.com",
  "yaho.com": "yahoo.com",
  "yahooo.com": "yahoo.com",
  "yhoo.com": "yahoo.com",
  "yahoo.co": "yahoo.com",
  "yahoo.con": "yahoo.com",
  "outlok.com": "outlook.com",
  "outllok.com": "outlook.com",
  "outlook.co": "outlook.com",
  "outlook.con": "outlook.com",
  "iclod.com": "icloud.com",
  "icloud.co": "icloud.com",
  "icloud.con": "icloud.com"
}

/** Whether `a` and `b` are one edit apart (insert, delete, replace, or swap of neighbours). */
const oneEditApart = (a: string, b: string): boolean => {
  if (a === b) return false
  if (Math.abs(a.length - b.length) > 1) return false
  if (a.length === b.length) {
    const diffs: Array<number> = []
    for (let i = 0; i < a.length && diffs.length <= 2; i++) if (a[i] !== b[i]) diffs.push(i)
    if (diffs.length === 1) return true
    return (
      diffs.length === 2 && diffs[1] === diffs[0]! + 1 && a[diffs[0]!] === b[diffs[1]!] && a[diffs[1]!] === b[diffs[0]!]
    )
  }
  const [short, long] = a.length < b.length ? [a, b] : [b, a]
  let i = 0
  while (i < short.length && short[i] === long[i]) i++
  return short.slice(i) === long.slice(i + 1)
}

/**
 * The common domain `domain` is probably a typo of, or undefined. Short domains (`aol.com`, `msn.com`, `live.com`)
 * are only matched through the list of known typos: one edit away from them are real domains (`love.com`).
 */
export const domainTypo = (domain: string): string | undefined => {
  const lower = domain.trim().toLowerCase()
  const known = KNOWN_TYPOS[lower]
  if (known !== undefined) return known
  if (COMMON_DOMAINS.includes(lower)) return undefined
  return COMMON_DOMAINS.find((common) => common.length >= 9 && oneEditApart(lower, common))
}

/** A value of a record's field as trimmed text ("" when absent or not text). */
const textOf = (value: unknown): string => {
  if (typeof value === "string") return value.trim()
  if (typeof value === "number" || typeof value === "bigint") return String(value)
  return ""
}

class Counts {
  records = 0
  clickId = 0
  email = 0
  phone = 0
  hashedEmail = 0
  hashedPhone = 0
  phoneNotNormalised = 0
  typos = new Map<string, { suggestion: string; count: number; firstLine: number }>()

  report(): HygieneReport {
    const share = (n: number) => (this.records === 0 ? 0 : n / this.records)
    const domains = [...this.typos]
      .map(([domain, typo]) => ({ domain, ...typo }))
      .sort((a, b) => b.count - a.count || a.domain.localeCompare(b.domain))
    return {
      records: this.records,
      withClickId: this.clickId,
      withEmail: this.email,
      withPhone: this.phone,
      shares: { clickId: share(this.clickId), email: share(this.email), phone: share(this.phone) },
      alreadyHashed: { email: this.hashedEmail, phone: this.hashedPhone },
      phoneNotNormalised: this.phoneNotNormalised,
      emailTypos: { count: domains.reduce((sum, typo) => sum + typo.count, 0), domains }
    }
  }
}

/**
 * Counts the hygiene of the records of a run as they are prepared: `observe` takes each record with what validation
 * made of it (a prepared item or an outcome), once. It adds a warning to `warnings` the first time a raw column
 * holds a digest (once per column and run).
 */
export class HygieneTally {
  readonly #total = new Counts()
  readonly #byGoal = new Map<string, Counts>()
  readonly #warned = new Set<"Email" | "Phone">()

  /** Counts `record`; `result` is what validation made of it. Warns of the first raw digest per column. */
  observe(record: SourceRecord, result: Prepared | Outcome | undefined, warnings?: Array<Warning>): void {
    const values = record.values
    const goal = textOf(values.ConversionName)
    let perGoal = this.#byGoal.get(goal)
    if (perGoal === undefined) {
      perGoal = new Counts()
      this.#byGoal.set(goal, perGoal)
    }
    const both = [this.#total, perGoal] as const
    const rawEmail = textOf(values.Email)
    const rawPhone = textOf(values.Phone)
    const click = textOf(values.MicrosoftClickId) !== ""
    const email = rawEmail !== "" || textOf(values.HashedEmailAddress) !== ""
    const phone = rawPhone !== "" || textOf(values.HashedPhoneNumber) !== ""
    const emailDigest = rawEmail !== "" && looksHashed(rawEmail)
    const phoneDigest = rawPhone !== "" && looksHashed(rawPhone)
    const notNormalised =
      result !== undefined && result._tag === "Invalid" && result.errorCode === LocalCodes.PhoneNumberInvalid
    const at = rawEmail.lastIndexOf("@")
    const typoDomain = !emailDigest && at > 0 ? rawEmail.slice(at + 1).toLowerCase() : ""
    const suggestion = typoDomain === "" ? undefined : domainTypo(typoDomain)
    for (const counts of both) {
      counts.records++
      if (click) counts.clickId++
      if (email) counts.email++
      if (phone) counts.phone++
      if (emailDigest) counts.hashedEmail++
      if (phoneDigest) counts.hashedPhone++
      if (notNormalised) counts.phoneNotNormalised++
      if (suggestion !== undefined) {
        const seen = counts.typos.get(typoDomain)
        if (seen === undefined) counts.typos.set(typoDomain, { suggestion, count: 1, firstLine: record.line })
        else seen.count++
      }
    }
    if (emailDigest) this.#warnOnce("Email", record.line, warnings)
    if (phoneDigest) this.#warnOnce("Phone", record.line, warnings)
  }

  #warnOnce(field: "Email" | "Phone", line: number, warnings: Array<Warning> | undefined): void {
    if (this.#warned.has(field)) return
    this.#warned.add(field)
    warnings?.push(Warnings.AlreadyHashed({ field, line }))
  }

  /** The hygiene so far: every record, and per goal name. */
  report(): RunHygiene {
    return {
      total: this.#total.report(),
      byGoal: Object.fromEntries([...this.#byGoal].map(([goal, counts]) => [goal, counts.report()]))
    }
  }
}

/** A new tally for one run. */
export const tally = (): HygieneTally => new HygieneTally()
