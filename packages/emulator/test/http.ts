/**
 * Helpers for the tests that talk HTTP to a real emulator on 127.0.0.1 (port 0): a started emulator with the fixture
 * goals and clicks and a fixed clock, and SOAP / REST calls made with Uplink's codec over fetch.
 */
import {
  encodeRestRequest,
  encodeSoapRequest,
  type OperationName,
  operations,
  type RequestOf
} from "@uplink/campaign-management"
import { defaultCredentials } from "../src/domain/Credentials.js"
import { DAY_MS, HOUR_MS } from "../src/domain/Time.js"
import type { EmulatorOptions } from "../src/Options.js"
import { type RunningEmulator, start } from "../src/Server.js"
import { CLICK_A, CLICK_A_TIME, CLICK_B, CLICK_B_TIME, NOW } from "./fixtures.js"

const iso = (ms: number) => new Date(ms).toISOString()

/** The fixture goals and clicks as a seed (same as `makeService` in fixtures.ts). */
export const fixtureSeed = {
  clicks: { [CLICK_A]: iso(CLICK_A_TIME), [CLICK_B]: iso(CLICK_B_TIME) },
  goals: [
    {
      name: "Purchase",
      createdAt: iso(NOW - 3 * HOUR_MS),
      revenue: { type: "FixedValue" as const, value: 5, currencyCode: "USD" }
    },
    { name: "Fresh", createdAt: iso(NOW - HOUR_MS) },
    { name: "Short", createdAt: iso(NOW - 30 * DAY_MS), conversionWindowInMinutes: 60 },
    { name: "Unique", createdAt: iso(NOW - 30 * DAY_MS), countType: "Unique" as const },
    { name: "NoCurrency", createdAt: iso(NOW - 30 * DAY_MS), revenue: { type: "VariableValue" as const } }
  ]
}

/** Starts an emulator on 127.0.0.1 with a free port, the fixture seed and a fixed clock at NOW. */
export const startEmulator = (options: EmulatorOptions = {}): Promise<RunningEmulator> =>
  start({ port: 0, host: "127.0.0.1", seed: fixtureSeed, clock: () => NOW, ...options })

/** The SOAP headers of the default credentials. */
export const soapHeaders = {
  AuthenticationToken: defaultCredentials.accessToken,
  CustomerAccountId: defaultCredentials.accountId,
  CustomerId: defaultCredentials.customerId,
  DeveloperToken: defaultCredentials.developerToken
}

/** The REST headers of the default credentials. */
export const restHeaders = (accessToken: string = defaultCredentials.accessToken): Record<string, string> => ({
  Authorization: `Bearer ${accessToken}`,
  DeveloperToken: defaultCredentials.developerToken,
  CustomerId: defaultCredentials.customerId,
  CustomerAccountId: defaultCredentials.accountId
})

export const SOAP_PATH = "/Api/Advertiser/CampaignManagement/v13/CampaignManagementService.svc"

export interface HttpAnswer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
}

/** POSTs a SOAP envelope as text. */
export const postSoap = async (url: string, envelope: string, soapAction: string | undefined): Promise<HttpAnswer> => {
  const response = await fetch(url + SOAP_PATH, {
    method: "POST",
    headers: {
      "content-type": "text/xml; charset=utf-8",
      ...(soapAction === undefined ? {} : { soapaction: `"${soapAction}"` })
    },
    body: envelope
  })
  return { status: response.status, headers: response.headers, text: await response.text() }
}

/** Encodes a request with Uplink's SOAP codec and POSTs it. */
export const soapCall = async <Op extends OperationName>(
  url: string,
  operation: Op,
  body: RequestOf<Op>,
  headers: Partial<typeof soapHeaders> = soapHeaders
): Promise<HttpAnswer> => {
  const envelope = encodeSoapRequest(operation, body, headers)
  if (envelope._tag === "Left") throw envelope.left
  return postSoap(url, envelope.right, operation)
}

/** Encodes a request with Uplink's REST codec and sends it to the operation's REST route. */
export const restCall = async <Op extends OperationName>(
  url: string,
  operation: Op,
  body: RequestOf<Op>,
  headers: Record<string, string> = restHeaders()
): Promise<HttpAnswer> => {
  const route = operations[operation].rest
  if (route === undefined) throw new Error(`${operation} has no REST route`)
  const json = encodeRestRequest(operation, body)
  if (json._tag === "Left") throw json.left
  const response = await fetch(url + route.path, {
    method: route.method,
    headers: { "content-type": "application/json", ...headers },
    body: json.right
  })
  return { status: response.status, headers: response.headers, text: await response.text() }
}

/** GET/POST JSON to the admin API. */
export const admin = async (url: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
  const response = await fetch(`${url}/__emulator/${path}`, {
    method: body === undefined ? "GET" : "POST",
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
  })
  return { status: response.status, json: await response.json() }
}
