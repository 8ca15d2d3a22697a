/**
 * The clicks the emulator knows: Microsoft Click Id → click time, from seed files and the admin API. In demo mode any
 * 32-hex click id is a click that happened one minute before the conversion that names it, so a sample file is accepted
 * without registering its clicks first. A well-formed click id is 32 hex digits (the form of every documented example);
 * the service accepts one it cannot match and reports it later (Attribution.ts), so the emulator does too.
 */
import { MINUTE_MS } from "./Time.js"

/** Whether a click id is 32 hexadecimal digits (what `/^[0-9a-fA-F]{32}$/` tests, without a regex per item). */
export const isWellFormedClickId = (clickId: string): boolean => {
  if (clickId.length !== 32) return false
  for (let i = 0; i < 32; i++) {
    const c = clickId.charCodeAt(i)
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) return false
  }
  return true
}

/** How long before the conversion a demo-mode click happened. */
export const DEMO_CLICK_LEAD_MS = MINUTE_MS

export class ClickRegistry {
  readonly #clicks = new Map<string, number>()

  constructor(readonly demo: boolean) {}

  /** Registers clicks (a later registration of the same id replaces its time). */
  register(clicks: Iterable<readonly [clickId: string, clickTime: number]>): number {
    let count = 0
    for (const [clickId, clickTime] of clicks) {
      this.#clicks.set(clickId, clickTime)
      count++
    }
    return count
  }

  /** The click time of `clickId` for a conversion at `conversionTime`, or undefined when the click is unknown. */
  clickTime(clickId: string, conversionTime: number): number | undefined {
    const registered = this.#clicks.get(clickId)
    if (registered !== undefined) return registered
    if (this.demo && isWellFormedClickId(clickId)) return conversionTime - DEMO_CLICK_LEAD_MS
    return undefined
  }

  /** The registered clicks as `{clickId: ISO time}`. */
  snapshot(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const [clickId, time] of this.#clicks) out[clickId] = new Date(time).toISOString()
    return out
  }

  get size(): number {
    return this.#clicks.size
  }
}
