import { describe, expect, it } from "@effect/vitest"
import { DEVICE_CODE_GRANT, defaultOAuthSettings, TokenStore } from "../src/domain/TokenStore.js"
import { makeClock } from "./fixtures.js"

const SCOPE = "https://ads.microsoft.com/msads.manage offline_access"

const makeStore = (overrides: Partial<typeof defaultOAuthSettings> = {}) => {
  const time = makeClock()
  const store = new TokenStore(
    { ...defaultOAuthSettings, ...overrides, accessToken: "static-at", refreshToken: "rt-0" },
    time.clock
  )
  return { store, time }
}

const refresh = (store: TokenStore, refreshToken: string, scope = SCOPE) =>
  store.token({ grant_type: "refresh_token", client_id: "app", refresh_token: refreshToken, scope })

describe("TokenStore", () => {
  it("issues an access token for a known refresh token and msads.manage scope; the token expires by the clock", () => {
    const { store, time } = makeStore()
    const answer = refresh(store, "rt-0")
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ token_type: "Bearer", scope: SCOPE, expires_in: 3600, refresh_token: "rt-0" })
    const token = answer.body.access_token as string
    expect(store.accessTokenStatus(token)).toBe("valid")
    time.advance(3600 * 1000)
    expect(store.accessTokenStatus(token)).toBe("expired")
    expect(store.accessTokenStatus("static-at")).toBe("valid")
    expect(store.accessTokenStatus("never-issued")).toBe("unknown")
  })

  it("refuses a scope without msads.manage, an unknown refresh token, a missing client id or grant", () => {
    const { store } = makeStore()
    expect(refresh(store, "rt-0", "https://ads.microsoft.com/ads.manage offline_access").body).toMatchObject({
      error: "invalid_scope",
      error_codes: [70011]
    })
    const bad = refresh(store, "rt-unknown")
    expect(bad.status).toBe(400)
    expect(bad.body.error).toBe("invalid_grant")
    expect(String(bad.body.error_description)).toMatch(/^AADSTS70000: /)
    expect(store.token({ grant_type: "refresh_token", refresh_token: "rt-0", scope: SCOPE }).body.error).toBe(
      "invalid_request"
    )
    expect(store.token({ grant_type: "password", client_id: "app" }).body.error).toBe("unsupported_grant_type")
    expect(store.requests().map((r) => r.outcome)).toEqual([
      "invalid_scope",
      "invalid_grant",
      "invalid_request",
      "unsupported_grant_type"
    ])
  })

  it("rotates refresh tokens when asked: the new one works, the old one is invalid_grant", () => {
    const { store } = makeStore({ rotateRefreshTokens: true })
    const first = refresh(store, "rt-0")
    const rotated = first.body.refresh_token as string
    expect(rotated).not.toBe("rt-0")
    expect(refresh(store, "rt-0").body.error).toBe("invalid_grant")
    expect(refresh(store, rotated).status).toBe(200)
    expect(store.requests().map((r) => r.rotated)).toEqual([true, false, true])
  })

  it("omits the refresh token when offline_access was not asked for", () => {
    const { store } = makeStore()
    expect(refresh(store, "rt-0", "https://ads.microsoft.com/msads.manage").body).not.toHaveProperty("refresh_token")
  })

  it("runs the device-code flow: pending until approved after the configured polls, then tokens once", () => {
    const { store } = makeStore({ deviceCodeApproveAfterPolls: 2 })
    const start = store.deviceCode({ client_id: "app", scope: SCOPE }, "http://127.0.0.1/devicelogin")
    expect(start.status).toBe(200)
    expect(start.body).toMatchObject({ verification_uri: "http://127.0.0.1/devicelogin", interval: 1, expires_in: 900 })
    const poll = () =>
      store.token({ grant_type: DEVICE_CODE_GRANT, client_id: "app", device_code: start.body.device_code as string })
    expect(poll().body.error).toBe("authorization_pending")
    expect(poll().body.error).toBe("authorization_pending")
    const issued = poll()
    expect(issued.status).toBe(200)
    expect(store.accessTokenStatus(issued.body.access_token as string)).toBe("valid")
    expect(refresh(store, issued.body.refresh_token as string).status).toBe(200)
    expect(poll().body.error).toBe("invalid_grant")
  })

  it("lets the admin approve or deny a device code, and expires it by the clock", () => {
    const { store, time } = makeStore({ deviceCodeApproveAfterPolls: null })
    const start = (): { device_code: string; user_code: string } =>
      store.deviceCode({ client_id: "app", scope: SCOPE }, "http://x").body as never
    const poll = (code: string) => store.token({ grant_type: DEVICE_CODE_GRANT, client_id: "app", device_code: code })
    const approved = start()
    expect(poll(approved.device_code).body.error).toBe("authorization_pending")
    expect(store.decide(approved.user_code, "approve")).toBe(true)
    expect(poll(approved.device_code).status).toBe(200)
    const denied = start()
    store.decide(denied.user_code, "deny")
    expect(poll(denied.device_code).body.error).toBe("authorization_declined")
    const expired = start()
    time.advance(900 * 1000)
    expect(poll(expired.device_code).body.error).toBe("expired_token")
    expect(poll("made-up").body.error).toBe("bad_verification_code")
    expect(store.deviceCode({ client_id: "app", scope: "openid" }, "http://x").body.error).toBe("invalid_scope")
  })
})
