/**
 * The bearer-token check, in one place: `isAuthorized` compares the token of an `Authorization: Bearer <token>`
 * header with `UPLINK_SERVER_TOKEN` in constant time (both are hashed to SHA-256 first, so neither content nor length
 * leaks through timing). The request guard (`HttpGuards.requestGuard`) applies it to the headers before any body is
 * read; the HttpApi `Authorization` middleware applies it again to the routes it documents. Without a configured
 * token (`--insecure` on loopback) every request is let through.
 */
import * as NodeCrypto from "node:crypto"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { Authorization, Unauthorized } from "./Api.js"
import { ServerConfig } from "./ServerConfig.js"

const digest = (text: string) => NodeCrypto.createHash("sha256").update(text, "utf8").digest()

/** Whether `presented` equals `expected`, in time independent of where they differ and of their lengths. */
export const tokensEqual = (presented: string, expected: string): boolean =>
  NodeCrypto.timingSafeEqual(digest(presented), digest(expected)) && presented.length === expected.length

const bearerPrefix = /^Bearer /i

/** Whether the `Authorization` header value carries the expected bearer token (always, without one configured). */
export const isAuthorized = (
  expected: Option.Option<Redacted.Redacted<string>>,
  header: string | undefined
): boolean => {
  if (Option.isNone(expected)) return true
  if (header === undefined || !bearerPrefix.test(header)) return false
  return tokensEqual(header.slice("Bearer ".length), Redacted.value(expected.value))
}

/** The `401` body, the same from the guard and from the middleware. */
export const unauthorizedBody = {
  error: "unauthorized",
  message: "missing or invalid bearer token (Authorization: Bearer <token>)"
} as const

const unauthorized = new Unauthorized(unauthorizedBody)

/** The middleware layer. */
export const layer: Layer.Layer<Authorization, never, ServerConfig> = Layer.effect(
  Authorization,
  Effect.map(ServerConfig, (config) =>
    Authorization.of({
      bearer: () =>
        Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
          isAuthorized(config.token, request.headers.authorization) ? Effect.void : Effect.fail(unauthorized)
        )
    })
  )
)
