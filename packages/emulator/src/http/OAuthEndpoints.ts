/**
 * The Microsoft identity platform endpoints for any tenant, so `MSADS_AUTHORITY=<emulator url>/common` works:
 * `POST /{tenant}/oauth2/v2.0/token` (refresh-token and device-code grants) and `POST /{tenant}/oauth2/v2.0/devicecode`,
 * both `application/x-www-form-urlencoded`, answering JSON as the real endpoints do.
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import type { EmulatedService } from "../domain/EmulatedService.js"
import type { OAuthAnswer } from "../domain/TokenStore.js"

export const TOKEN_PATH = "/:tenant/oauth2/v2.0/token"
export const DEVICE_CODE_PATH = "/:tenant/oauth2/v2.0/devicecode"
/** Where the device flow tells the user to sign in (the emulator has no sign-in page; approval is automatic or admin). */
export const DEVICE_LOGIN_PATH = "/devicelogin"

const readForm = Effect.gen(function* () {
  const request = yield* HttpServerRequest.HttpServerRequest
  const text = yield* request.text
  return { request, form: Object.fromEntries(new URLSearchParams(text)) }
})

const respond = (answer: OAuthAnswer) =>
  HttpServerResponse.unsafeJson(answer.body, {
    status: answer.status,
    headers: { "cache-control": "no-store", pragma: "no-cache" }
  })

const badRequest = () =>
  Effect.succeed(
    HttpServerResponse.unsafeJson(
      { error: "invalid_request", error_description: "The request body could not be read." },
      { status: 400 }
    )
  )

/** `POST /{tenant}/oauth2/v2.0/token` */
export const tokenEndpoint = (service: EmulatedService) =>
  readForm.pipe(
    Effect.map(({ form }) => respond(service.tokens.token(form))),
    Effect.catchTag("RequestError", badRequest)
  )

/** `POST /{tenant}/oauth2/v2.0/devicecode` */
export const deviceCodeEndpoint = (service: EmulatedService) =>
  readForm.pipe(
    Effect.map(({ request, form }) => {
      const host = request.headers.host ?? "127.0.0.1"
      return respond(service.tokens.deviceCode(form, `http://${host}${DEVICE_LOGIN_PATH}`))
    }),
    Effect.catchTag("RequestError", badRequest)
  )
