/**
 * The bearer-token check of the `Authorization` middleware: the presented token is compared with
 * `UPLINK_SERVER_TOKEN` in constant time (both are hashed to SHA-256 first, so neither content nor length leaks
 * through timing). Without a configured token (`--insecure` on loopback) every request is let through.
 */
import * as NodeCrypto from "node:crypto"
import { HttpServerRequest } from "@effect/platform"
import { Effect, Layer, Option, Redacted } from "effect"
import { Authorization, Unauthorized } from "./Api.js"
import { ServerConfig } from "./ServerConfig.js"

const digest = (text: string) => NodeCrypto.createHash("sha256").update(text, "utf8").digest()

/** Whether `presented` equals `expected`, in time independent of where they differ and of their lengths. */
export const tokensEqual = (presented: string, expected: string): boolean =>
  NodeCrypto.timingSafeEqual(digest(presented), digest(expected)) && presented.length === expected.length

const unauthorized = new Unauthorized({
  error: "unauthorized",
  message: "missing or invalid bearer token (Authorization: Bearer <token>)"
})

/** The middleware layer. */
export const layer: Layer.Layer<Authorization, never, ServerConfig> = Layer.effect(
  Authorization,
  Effect.map(ServerConfig, (config) =>
    Authorization.of({
      bearer: (presented) =>
        Effect.gen(function* () {
          if (Option.isNone(config.token)) return
          const request = yield* HttpServerRequest.HttpServerRequest
          const header = request.headers.authorization ?? ""
          if (!/^Bearer /i.test(header)) return yield* Effect.fail(unauthorized)
          if (!tokensEqual(Redacted.value(presented), Redacted.value(config.token.value))) {
            return yield* Effect.fail(unauthorized)
          }
        })
    })
  )
)
