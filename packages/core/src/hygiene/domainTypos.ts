/**
 * Mistyped email domains: the common mail domains, the misspellings of them seen often enough to name, and anything
 * one edit (insert, delete, replace, swap of neighbours) away from a common domain of at least nine characters. Used
 * by identifier hygiene to report, never to change, an email.
 */

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
