/**
 * What a well-behaved client of the server does, for the integration tests: post a chunk of records until it is
 * acknowledged (a connection error or a 5xx is tried again with the same ids, which the server makes idempotent),
 * and read the outbox's status counts from `/metrics`.
 */
export interface Acknowledged {
  readonly index: number
  readonly id: string
  readonly status: string
}

/** Posts `records` until a 202 or 422 comes back; `baseUrl()` may change while the server restarts. */
export const postUntilAcknowledged = async (
  baseUrl: () => string,
  token: string,
  records: ReadonlyArray<Record<string, unknown>>,
  path = "/v1/conversions",
  deadline = Date.now() + 90_000
): Promise<ReadonlyArray<Acknowledged>> => {
  for (;;) {
    try {
      const response = await fetch(`${baseUrl()}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ records })
      })
      if (response.status === 202) return ((await response.json()) as { records: Array<Acknowledged> }).records
      if (response.status < 500) throw new Error(`unexpected ${response.status}: ${await response.text()}`)
    } catch (error) {
      if (error instanceof Error && error.message.startsWith("unexpected")) throw error
    }
    if (Date.now() > deadline) throw new Error("the server did not acknowledge the records in time")
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The outbox's record counts by status, from `/metrics`. */
export const statusCounts = async (baseUrl: string, token: string): Promise<Record<string, number>> => {
  const response = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })
  const text = await response.text()
  const counts: Record<string, number> = {}
  for (const match of text.matchAll(/^uplink_outbox_records\{status="(\w+)"\} (\d+)$/gm)) {
    counts[match[1]!] = Number(match[2])
  }
  return counts
}
