import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import type { RunningEmulator } from "../src/Server.js"
import { conversion } from "./fixtures.js"
import { admin, restCall, restHeaders, soapCall, soapHeaders, startEmulator } from "./http.js"

const SCOPE = "https://ads.microsoft.com/msads.manage offline_access"

let emulator: RunningEmulator
let rotating: RunningEmulator

beforeAll(async () => {
  emulator = await startEmulator({ oauth: { deviceCodeApproveAfterPolls: null } })
  rotating = await startEmulator({ oauth: { rotateRefreshTokens: true }, credentials: { refreshToken: "rt-start" } })
})
afterAll(async () => {
  await emulator.stop()
  await rotating.stop()
})

const form = async (url: string, path: string, fields: Record<string, string>) => {
  const response = await fetch(url + path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields)
  })
  return { status: response.status, json: (await response.json()) as Record<string, any> }
}

describe("OAuth endpoints", () => {
  it("refresh-token grant at /{tenant}/oauth2/v2.0/token for any tenant; the access token works on the API", async () => {
    for (const tenant of ["common", "consumers", "0b1c2d3e-aaaa-bbbb-cccc-000000000000"]) {
      const answer = await form(emulator.url, `/${tenant}/oauth2/v2.0/token`, {
        grant_type: "refresh_token",
        client_id: "app",
        refresh_token: "emulator-refresh-token",
        scope: SCOPE
      })
      expect(answer.status).toBe(200)
      expect(answer.json).toMatchObject({ token_type: "Bearer", scope: SCOPE, expires_in: 3600 })
    }
    const { json } = await form(emulator.url, "/common/oauth2/v2.0/token", {
      grant_type: "refresh_token",
      client_id: "app",
      refresh_token: "emulator-refresh-token",
      scope: SCOPE
    })
    const rest = await restCall(
      emulator.url,
      "ApplyOfflineConversions",
      { OfflineConversions: [conversion()] },
      restHeaders(json.access_token)
    )
    expect(rest.status).toBe(200)
    const soap = await soapCall(
      emulator.url,
      "ApplyOfflineConversions",
      { OfflineConversions: [conversion()] },
      {
        ...soapHeaders,
        AuthenticationToken: json.access_token
      }
    )
    expect(soap.status).toBe(200)
  })

  it("answers invalid_scope without msads.manage and invalid_grant for an unknown refresh token, with status 400", async () => {
    const scope = await form(emulator.url, "/common/oauth2/v2.0/token", {
      grant_type: "refresh_token",
      client_id: "app",
      refresh_token: "emulator-refresh-token",
      scope: "https://ads.microsoft.com/ads.manage"
    })
    expect(scope).toMatchObject({ status: 400, json: { error: "invalid_scope", error_codes: [70011] } })
    const grant = await form(emulator.url, "/common/oauth2/v2.0/token", {
      grant_type: "refresh_token",
      client_id: "app",
      refresh_token: "stolen",
      scope: SCOPE
    })
    expect(grant).toMatchObject({ status: 400, json: { error: "invalid_grant" } })
    const log = (await admin(emulator.url, "state")).json.tokenRequests as Array<{ outcome: string }>
    expect(log.slice(-2).map((r) => r.outcome)).toEqual(["invalid_scope", "invalid_grant"])
  })

  it("rotates refresh tokens when configured: the old token stops working", async () => {
    const refresh = (token: string) =>
      form(rotating.url, "/common/oauth2/v2.0/token", {
        grant_type: "refresh_token",
        client_id: "app",
        refresh_token: token,
        scope: SCOPE
      })
    const first = await refresh("rt-start")
    expect(first.status).toBe(200)
    expect(first.json.refresh_token).not.toBe("rt-start")
    expect((await refresh("rt-start")).json.error).toBe("invalid_grant")
    expect((await refresh(first.json.refresh_token)).status).toBe(200)
  })

  it("device-code flow: /devicecode, authorization_pending until the admin approves, then tokens", async () => {
    const started = await form(emulator.url, "/common/oauth2/v2.0/devicecode", { client_id: "app", scope: SCOPE })
    expect(started.status).toBe(200)
    expect(started.json).toMatchObject({ interval: 1, expires_in: 900 })
    expect(started.json.verification_uri).toBe(`${emulator.url}/devicelogin`)
    const poll = () =>
      form(emulator.url, "/common/oauth2/v2.0/token", {
        grant_type: "urn:ietf:params:oauth:grant-type:device_code",
        client_id: "app",
        device_code: started.json.device_code
      })
    expect(await poll()).toMatchObject({ status: 400, json: { error: "authorization_pending" } })
    expect((await admin(emulator.url, "devicecode/approve", { userCode: started.json.user_code })).status).toBe(200)
    const issued = await poll()
    expect(issued.status).toBe(200)
    expect(issued.json).toHaveProperty("refresh_token")
    expect((await admin(emulator.url, "devicecode/approve", { userCode: "NOPE" })).status).toBe(404)
  })
})
