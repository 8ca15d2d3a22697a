/**
 * The run's identifier hygiene and goal-settings findings as summary lines: the shares of records with a click id,
 * an email and a phone; raw values that already were digests (sent as they are); phones that could not be normalised;
 * email domains that look mistyped; and per goal the records its settings may not count. Counts and domains only —
 * never an identifier.
 */
import type { GoalReadiness, Hygiene } from "@uplink/core"

const percent = (share: number) => `${(share * 100).toFixed(1)} %`

/** The lines (empty when there were no records). */
export const renderHygiene = (
  hygiene: Hygiene.HygieneReport,
  goalSettings: Readonly<Record<string, GoalReadiness.GoalSettingsReport>>
): ReadonlyArray<string> => {
  if (hygiene.records === 0) return []
  const n = hygiene.records
  const lines = [
    "",
    `Identifiers: click id ${percent(hygiene.shares.clickId)} (${hygiene.withClickId}/${n}), email ` +
      `${percent(hygiene.shares.email)} (${hygiene.withEmail}/${n}), phone ${percent(hygiene.shares.phone)} ` +
      `(${hygiene.withPhone}/${n})`
  ]
  const { email, phone } = hygiene.alreadyHashed
  if (email + phone > 0) {
    lines.push(
      `  already SHA-256 digests in raw columns: Email ${email}, Phone ${phone} — sent as they are, not hashed again`
    )
  }
  if (hygiene.phoneNotNormalised > 0) {
    lines.push(
      `  phone numbers that could not be normalised: ${hygiene.phoneNotNormalised} (invalid; give a +country code ` +
        "or --default-region)"
    )
  }
  if (hygiene.emailTypos.count > 0) {
    const domains = hygiene.emailTypos.domains
      .slice(0, 5)
      .map((typo) => `${typo.domain} ×${typo.count} (${typo.suggestion}?, first on line ${typo.firstLine})`)
      .join(", ")
    lines.push(`  email domains that look mistyped (sent as they are): ${domains}`)
  }
  for (const [goal, found] of Object.entries(goalSettings)) {
    const parts = [
      found.olderThanWindow > 0 ? `${found.olderThanWindow} dated longer ago than its conversion window` : "",
      found.beforeCreated > 0 ? `${found.beforeCreated} dated before it was created` : "",
      found.notEnhanced > 0
        ? `${found.notEnhanced} with only hashed email/phone, not enabled for enhanced conversions`
        : ""
    ].filter((part) => part !== "")
    if (parts.length > 0) lines.push(`  goal ${JSON.stringify(goal)}: ${parts.join("; ")}`)
  }
  return lines
}
