/**
 * The admin API under `/__emulator/` (packages/emulator/README.md, "Admin API"; JSON, no credentials): register clicks and goals, set the fault
 * plan, read what was received, reset, and approve or deny a pending device-code sign-in.
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { EmulatedService } from "../domain/EmulatedService.js"
import { FaultConfig } from "../domain/FaultPlan.js"
import { ClicksBody, decodeJson, GoalsBody, goalSpec } from "../domain/Seed.js"

export const ADMIN_PREFIX = "/__emulator"

const problem = (status: number, error: string) => HttpServerResponse.unsafeJson({ error }, { status })

/** Reads the JSON body, decodes it with `schema`, and answers with `handle`, or 400 naming what is wrong. */
const withBody = <A, I>(schema: Schema.Schema<A, I>, handle: (body: A) => HttpServerResponse.HttpServerResponse) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const text = yield* request.text
    let json: unknown
    try {
      json = text.trim() === "" ? {} : JSON.parse(text)
    } catch {
      return problem(400, "the body is not JSON")
    }
    const body = decodeJson(schema, json)
    if (Either.isLeft(body)) return problem(400, body.left)
    try {
      return handle(body.right)
    } catch (error) {
      return problem(400, error instanceof Error ? error.message : String(error))
    }
  }).pipe(Effect.catchTag("RequestError", () => Effect.succeed(problem(400, "the body could not be read"))))

const DeviceDecision = Schema.Struct({ userCode: Schema.String })

/** The admin routes as [method, path, handler]. */
export const adminRoutes = (service: EmulatedService) =>
  [
    ["GET", `${ADMIN_PREFIX}/state`, Effect.sync(() => HttpServerResponse.unsafeJson(service.state()))],
    [
      "POST",
      `${ADMIN_PREFIX}/clicks`,
      withBody(ClicksBody, (clicks) => HttpServerResponse.unsafeJson({ registered: service.registerClicks(clicks) }))
    ],
    [
      "POST",
      `${ADMIN_PREFIX}/goals`,
      withBody(GoalsBody, (goals) => HttpServerResponse.unsafeJson(service.registerGoals(goals.map(goalSpec))))
    ],
    [
      "POST",
      `${ADMIN_PREFIX}/faults`,
      withBody(FaultConfig, (faults) => {
        service.faults.configure(faults)
        return HttpServerResponse.unsafeJson({ faults: service.faults.config() })
      })
    ],
    [
      "POST",
      `${ADMIN_PREFIX}/reset`,
      Effect.sync(() => {
        service.reset()
        return HttpServerResponse.unsafeJson({ reset: true })
      })
    ],
    [
      "POST",
      `${ADMIN_PREFIX}/devicecode/approve`,
      withBody(DeviceDecision, ({ userCode }) =>
        service.tokens.decide(userCode, "approve")
          ? HttpServerResponse.unsafeJson({ approved: userCode })
          : problem(404, "no pending device code has this user code")
      )
    ],
    [
      "POST",
      `${ADMIN_PREFIX}/devicecode/deny`,
      withBody(DeviceDecision, ({ userCode }) =>
        service.tokens.decide(userCode, "deny")
          ? HttpServerResponse.unsafeJson({ denied: userCode })
          : problem(404, "no pending device code has this user code")
      )
    ]
  ] as const
