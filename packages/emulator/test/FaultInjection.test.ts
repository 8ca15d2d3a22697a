/**
 * Each fault-injection option over HTTP: configured through `POST /__emulator/faults`, observed by a client, and
 * counted in `GET /__emulator/state`.
 */
import { decodeRestResponse, decodeSoapResponse, faultErrorCodes, isWireFault } from "@uplink/campaign-management"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { validateXml } from "@uplink/xsd-check"
import type { RunningEmulator } from "../src/Server.js"
import { conversion, makeClock, NOW } from "./fixtures.js"
import { admin, restCall, restHeaders, soapCall, startEmulator } from "./http.js"

const time = makeClock()
let emulator: RunningEmulator

beforeAll(async () => {
  emulator = await startEmulator({ clock: time.clock })
})
afterAll(() => emulator.stop())
beforeEach(async () => {
  time.set(NOW)
  expect((await admin(emulator.url, "reset", {})).status).toBe(200)
})

const body = { OfflineConversions: [conversion()] }

const setFaults = async (faults: object) => {
  const answer = await admin(emulator.url, "faults", faults)
  expect(answer.status).toBe(200)
}

const faultsInjected = async () => (await admin(emulator.url, "state")).json.faultsInjected

const soapCodes = (xml: string) => {
  const decoded = decodeSoapResponse("ApplyOfflineConversions", xml)
  if (decoded._tag === "Right") return []
  return isWireFault(decoded.left) ? faultErrorCodes(decoded.left).map((e) => e.code) : [decoded.left.reason]
}

describe("fault injection", () => {
  it("latencyMs delays every API call", async () => {
    await setFaults({ latencyMs: 150 })
    const started = performance.now()
    const answer = await soapCall(emulator.url, "ApplyOfflineConversions", body)
    expect(performance.now() - started).toBeGreaterThanOrEqual(145)
    expect(answer.status).toBe(200)
    expect((await faultsInjected()).latency).toBe(1)
  })

  it("latencyPerInFlightMs slows calls down as more are in flight; the state keeps the most in flight at once", async () => {
    await setFaults({ latencyMs: 100, latencyPerInFlightMs: 200, latencyKnee: 1 })
    const timed = async () => {
      const started = performance.now()
      const answer = await restCall(emulator.url, "ApplyOfflineConversions", body)
      expect(answer.status).toBe(200)
      return performance.now() - started
    }
    const lone = await timed()
    expect(lone).toBeGreaterThanOrEqual(95)
    expect(lone).toBeLessThan(295)
    // Three at once: the first to arrive waits 100 ms, the second 300 ms, the third 500 ms.
    const together = (await Promise.all([timed(), timed(), timed()])).sort((a, b) => a - b)
    expect(together[0]).toBeGreaterThanOrEqual(95)
    expect(together[1]).toBeGreaterThanOrEqual(295)
    expect(together[2]).toBeGreaterThanOrEqual(495)
    expect((await admin(emulator.url, "state")).json.maxInFlight).toBe(3)
  })

  it("rateLimit answers 117 CallRateExceeded (SOAP fault, REST 429) past the calls allowed in the sliding window", async () => {
    await setFaults({ rateLimit: { calls: 2, windowMs: 60_000 } })
    expect(soapCodes((await soapCall(emulator.url, "ApplyOfflineConversions", body)).text)).toEqual([])
    time.advance(30_000)
    expect(soapCodes((await soapCall(emulator.url, "ApplyOfflineConversions", body)).text)).toEqual([])
    const limited = await soapCall(emulator.url, "ApplyOfflineConversions", body)
    expect(limited.status).toBe(500)
    expect(validateXml(limited.text).valid).toBe(true)
    expect(soapCodes(limited.text)).toEqual([117])
    const rest = await restCall(emulator.url, "ApplyOfflineConversions", body)
    expect(rest.status).toBe(429)
    expect(JSON.parse(rest.text)).toMatchObject({
      Type: "ApiFaultDetail",
      OperationErrors: [{ Code: 117, ErrorCode: "CallRateExceeded" }]
    })
    time.advance(30_001) // the first call left the window
    expect(soapCodes((await soapCall(emulator.url, "ApplyOfflineConversions", body)).text)).toEqual([])
    expect((await faultsInjected()).rateLimit).toBe(2)
  })

  it("failFirst and failEvery answer code 0 InternalError without applying anything", async () => {
    await setFaults({ failFirst: 1, failEvery: 3 })
    const outcomes = []
    for (let i = 0; i < 4; i++) {
      outcomes.push(soapCodes((await soapCall(emulator.url, "ApplyOfflineConversions", body)).text))
    }
    expect(outcomes).toEqual([[0], [], [0], []])
    const state = (await admin(emulator.url, "state")).json
    expect(state.faultsInjected.failure).toBe(2)
    expect(Object.values(state.receivedCounts)).toEqual([2])
  })

  it("dropAfterApplyEvery applies the request, then drops the connection without an answer", async () => {
    await setFaults({ dropAfterApplyEvery: 1 })
    const lost = await soapCall(emulator.url, "ApplyOfflineConversions", body).then(
      () => "answered",
      (error: unknown) => (error instanceof Error ? error.message : String(error))
    )
    expect(lost).toBe("fetch failed")
    let state = (await admin(emulator.url, "state")).json
    expect(state.accepted).toHaveLength(1)
    expect(state.faultsInjected.dropAfterApply).toBe(1)
    await setFaults({})
    const retried = await soapCall(emulator.url, "ApplyOfflineConversions", body)
    expect(soapCodes(retried.text)).toEqual([])
    state = (await admin(emulator.url, "state")).json
    expect(state.accepted).toHaveLength(1)
    expect(Object.values(state.receivedCounts)).toEqual([2])
  })

  it("faultsHttp200 sends SOAP faults with HTTP 200", async () => {
    await setFaults({ faultsHttp200: true, failFirst: 1 })
    const answer = await soapCall(emulator.url, "ApplyOfflineConversions", body)
    expect(answer.status).toBe(200)
    expect(soapCodes(answer.text)).toEqual([0])
    expect((await faultsInjected()).faultHttp200).toBe(1)
  })

  it("garbageEvery applies the request, then answers a truncated body that is not well-formed", async () => {
    await setFaults({ garbageEvery: 2 })
    expect(soapCodes((await soapCall(emulator.url, "ApplyOfflineConversions", body)).text)).toEqual([])
    const garbled = await soapCall(emulator.url, "ApplyOfflineConversions", body)
    expect(garbled.status).toBe(200)
    expect(soapCodes(garbled.text)).toEqual(["NotWellFormed"])
    await restCall(emulator.url, "ApplyOfflineConversions", body)
    const garbledRest = await restCall(emulator.url, "ApplyOfflineConversions", body)
    const decoded = decodeRestResponse("ApplyOfflineConversions", garbledRest.text)
    expect(decoded._tag === "Left" && decoded.left.reason).toBe("NotWellFormed")
    const state = (await admin(emulator.url, "state")).json
    expect(state.faultsInjected.garbage).toBe(2)
    expect(Object.values(state.receivedCounts)).toEqual([4])
  })

  it("expireTokenAfter answers 109 after N calls with a token; a refreshed token works again", async () => {
    await setFaults({ expireTokenAfter: 2 })
    const codes = []
    for (let i = 0; i < 3; i++)
      codes.push(soapCodes((await soapCall(emulator.url, "ApplyOfflineConversions", body)).text))
    expect(codes).toEqual([[], [], [109]])
    const token = await fetch(`${emulator.url}/common/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        client_id: "uplink-tests",
        refresh_token: "emulator-refresh-token",
        scope: "https://ads.microsoft.com/msads.manage offline_access"
      })
    }).then((r) => r.json() as Promise<{ access_token: string }>)
    const renewed = await restCall(emulator.url, "ApplyOfflineConversions", body, restHeaders(token.access_token))
    expect(renewed.status).toBe(200)
    expect((await faultsInjected()).tokenExpired).toBe(1)
  })

  it("refuses an invalid fault plan with 400 naming the option", async () => {
    const answer = await admin(emulator.url, "faults", { garbageEvery: "often" })
    expect(answer.status).toBe(400)
    expect(answer.json.error).toMatch(/garbageEvery/)
  })
})
