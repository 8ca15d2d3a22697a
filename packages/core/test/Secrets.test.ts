/**
 * Tokens, the client secret, refresh tokens and the developer token never appear in a log line or an error message:
 * a set of loopback scenarios (success, 109 refresh, rotation, invalid_grant, 105, static 109, connection refused,
 * cut and foreign bodies) runs with every log level on, and the collected output is searched for each secret that
 * was actually sent on the wire.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Logger, LogLevel } from "effect"
import * as NodeFs from "node:fs"
import { CampaignManagement } from "../src/CampaignManagement.js"
import type { TransportKind } from "../src/config/MsadsConfig.js"
import {
  ACCESS_TOKEN,
  CLIENT_SECRET,
  conversions,
  DEVELOPER_TOKEN,
  type Fixture,
  makeClient,
  REFRESH_TOKEN,
  runDriven,
  startFixture
} from "./support/Loopback.js"
import type { RecordedRequest } from "./support/MockHttpClient.js"

let fixture: Fixture
beforeAll(async () => {
  fixture = await startFixture({ oauth: { rotateRefreshTokens: true } })
})
afterAll(async () => {
  await fixture?.stop()
})

const output: Array<string> = []
const sent: Array<RecordedRequest> = []
const tokenFiles: Array<string> = []

const captureLogs = Layer.merge(
  Logger.replace(
    Logger.defaultLogger,
    Logger.make((options) => {
      output.push(Logger.logfmtLogger.log(options))
      output.push(Logger.stringLogger.log(options))
    })
  ),
  Logger.minimumLogLevel(LogLevel.All)
)

const scenario = (
  transport: TransportKind,
  options: Omit<Parameters<typeof makeClient>[1], "transport">,
  faults: Parameters<Fixture["emulator"]["setFaults"]>[0] = {},
  calls = 1
) =>
  Effect.gen(function* () {
    fixture.emulator.reset()
    fixture.emulator.setFaults(faults)
    const client = makeClient(fixture, { transport, ...options })
    tokenFiles.push(client.tokenFile)
    const program = Effect.flatMap(CampaignManagement, (cm) =>
      Effect.forEach(Array.from({ length: calls }), () => cm.call("ApplyOfflineConversions", conversions()))
    ).pipe(Effect.tap(() => Effect.logDebug("scenario finished")))
    const exit = yield* Effect.exit(runDriven(fixture, program, Layer.merge(client.layer, captureLogs)))
    sent.push(...client.requests)
    if (Exit.isFailure(exit)) {
      output.push(Cause.pretty(exit.cause))
      const error = Cause.squash(exit.cause) as Error
      output.push(String(error), error.message, JSON.stringify(error))
    }
    return exit
  })

describe("secrets", () => {
  it.effect("never appear in logs or error messages", () =>
    Effect.gen(function* () {
      let refreshToken = REFRESH_TOKEN
      for (const transport of ["rest", "soap"] as const) {
        // Success, 109 → refresh, and rotation (each refresh rotates the refresh token).
        const ok = yield* scenario(transport, { auth: { refreshToken } }, { expireTokenAfter: 1 }, 3)
        assert.isTrue(Exit.isSuccess(ok))
        refreshToken = JSON.parse(NodeFs.readFileSync(tokenFiles.at(-1)!, "utf8")).tokens[0].refreshToken
        // invalid_grant (the seed was rotated away).
        assert.isTrue(Exit.isFailure(yield* scenario(transport, { auth: { refreshToken: REFRESH_TOKEN } })))
        // 105 with a wrong developer token, and a static token that expires (109).
        assert.isTrue(
          Exit.isFailure(yield* scenario(transport, { auth: { refreshToken }, developerToken: "SECRET-DEV-TOKEN-1" }))
        )
        refreshToken = JSON.parse(NodeFs.readFileSync(tokenFiles.at(-1)!, "utf8")).tokens[0].refreshToken
        assert.isTrue(
          Exit.isFailure(yield* scenario(transport, { auth: { static: ACCESS_TOKEN } }, { expireTokenAfter: 0 }))
        )
        // A cut body retried to success, and a foreign body through the proxy.
        assert.isTrue(
          Exit.isSuccess(yield* scenario(transport, { auth: { static: ACCESS_TOKEN } }, { garbageEvery: 2 }, 2))
        )
        fixture.proxy.rewrite = { body: () => "<html>maintenance</html>", status: () => 200 }
        assert.isTrue(Exit.isFailure(yield* scenario(transport, { auth: { static: ACCESS_TOKEN }, viaProxy: true })))
        fixture.proxy.rewrite = undefined
      }
      const secrets = new Set<string>([
        CLIENT_SECRET,
        DEVELOPER_TOKEN,
        "SECRET-DEV-TOKEN-1",
        REFRESH_TOKEN,
        ACCESS_TOKEN
      ])
      for (const request of sent) {
        const bearer = request.headers.authorization?.replace(/^Bearer /, "")
        if (bearer !== undefined) secrets.add(bearer)
        for (const match of request.body.matchAll(/AuthenticationToken[^>]*>([^<]+)</g)) secrets.add(match[1]!)
        const form = new URLSearchParams(request.body)
        for (const field of ["refresh_token", "client_secret"]) {
          const value = form.get(field)
          if (value !== null && request.url.includes("oauth2")) secrets.add(value)
        }
      }
      for (const file of tokenFiles) {
        if (!NodeFs.existsSync(file)) continue
        for (const entry of JSON.parse(NodeFs.readFileSync(file, "utf8")).tokens) secrets.add(entry.refreshToken)
      }
      const issuedAccessTokens = [...secrets].filter((secret) => secret.startsWith("emulator-at-"))
      const rotatedRefreshTokens = [...secrets].filter((secret) => secret.startsWith("emulator-rt-"))
      assert.isAtLeast(issuedAccessTokens.length, 4)
      assert.isAtLeast(rotatedRefreshTokens.length, 4)
      assert.isAbove(output.length, 20)
      const text = output.join("\n")
      assert.include(text, "access token refreshed")
      const leaked = [...secrets].filter((secret) => text.includes(secret)).map((secret) => `${secret.slice(0, 6)}…`)
      assert.deepStrictEqual(leaked, [], "secrets leaked into the output")
    })
  )
})
