/**
 * The sample file `uplink demo` applies: a CSV in the Microsoft column names, with times relative to now (the service
 * only takes conversions from the last 90 days), valid rows for the emulator's demo goals, raw email and phone that
 * Uplink hashes, and a few rows that show each kind of outcome: invalid (missing click id, bad time, future time,
 * bad currency, negative value), duplicate, and rejected by the service (unknown goal, goal younger than two hours).
 */
import { createHash } from "node:crypto"

/** The goal `uplink demo` creates just before applying (the service rejects its conversions for two hours). */
export const DEMO_NEW_GOAL = "Demo Webinar Signup"

const clickId = (seed: number): string => createHash("md5").update(`uplink-demo-${seed}`).digest("hex")

const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z")

const csvField = (value: string): string => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value)

export const demoCsv = (nowMs: number): string => {
  const hour = 60 * 60 * 1000
  const header = [
    "Microsoft Click Id",
    "Conversion Name",
    "Conversion Time",
    "Conversion Value",
    "Conversion Currency Code",
    "Email",
    "Phone"
  ]
  const rows: Array<Array<string>> = []
  for (let i = 0; i < 12; i++) {
    rows.push([
      clickId(i),
      i % 3 === 2 ? "Offline Lead" : "Offline Purchase",
      iso(nowMs - (i + 3) * hour),
      (19.9 + i * 5).toFixed(2),
      i % 4 === 3 ? "EUR" : "USD",
      i % 2 === 0 ? `  Customer${i}@Example.com ` : "",
      i % 3 === 0 ? `(415) 555-01${String(10 + i)}` : ""
    ])
  }
  rows.push(["", "Offline Purchase", iso(nowMs - 5 * hour), "10.00", "USD", "", ""]) // 5603: no click id
  rows.push([clickId(20), "Offline Purchase", "yesterday at noon", "10.00", "USD", "", ""]) // 5607: not a time
  rows.push([clickId(21), "Offline Purchase", iso(nowMs + 48 * hour), "10.00", "USD", "", ""]) // future time
  rows.push([clickId(22), "Offline Purchase", iso(nowMs - 6 * hour), "10.00", "DOLLARS", "", ""]) // 5614: currency
  rows.push([clickId(23), "Offline Purchase", iso(nowMs - 6 * hour), "-5", "USD", "", ""]) // 5611: negative value
  rows.push([...rows[0]!]) // duplicate of the first record
  rows.push([clickId(24), "Offline Purchse", iso(nowMs - 7 * hour), "10.00", "USD", "", ""]) // 5606 at the service
  rows.push([clickId(25), DEMO_NEW_GOAL, iso(nowMs - 1 * hour), "0", "USD", "", ""]) // 5615: goal too new
  return [header, ...rows].map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n"
}
