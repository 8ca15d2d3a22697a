/**
 * End-to-end support: a real `@uplink/emulator` (not demo mode: only the clicks and goals a test registers exist)
 * whose clock is the tests' fixed `NOW` (`@uplink/emulator/testing`) plus the virtual time the test has jumped, and a run of the public pipeline
 * (`OfflineConversions.apply` from the package entry) over a CSV file through `CampaignManagementSender` and the real
 * client (OAuth, either transport), under the TestClock so retry and 117 waits cost no real time.
 */
import { NOW } from "@uplink/emulator/testing"
import { Chunk, Effect, Layer, Stream, TestClock } from "effect"
import type { TransportKind } from "../../src/config/MsadsConfig.js"
import { CampaignManagement, CampaignManagementSender, type PipelineOptions } from "../../src/index.js"
import * as GoalCheck from "../../src/pipeline/goalCheck.js"
import * as OfflineConversions from "../../src/pipeline/offlineConversions.js"
import type * as Outcome from "../../src/pipeline/outcome.js"
import type { RecordedRequest } from "../support/MockHttpClient.js"
import { type Fixture, makeClient, runDriven, startFixture } from "../support/Loopback.js"

export { clickId, csvLine, DAY, HOUR, iso, MINUTE, NOW, writeInput } from "@uplink/emulator/testing"

/** Starts an emulator (no demo) at NOW that follows the virtual clock; the caller registers clicks and goals. */
export const startEmulator = (): Promise<Fixture> => startFixture({ demo: false }, () => NOW)

/**
 * Runs `OfflineConversions.apply(path, options)` against the fixture's emulator over `transport` with OAuth auth,
 * the TestClock set to NOW (and driven through every wait, never while a request is on the wire); answers the
 * outcomes in stream order and every HTTP request the client sent.
 */
export const applyFile = (
  fixture: Fixture,
  transport: TransportKind,
  path: string,
  options: PipelineOptions = {}
): Effect.Effect<{ readonly outcomes: ReadonlyArray<Outcome.Outcome>; readonly requests: Array<RecordedRequest> }> =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW + fixture.virtual.offsetMs)
    const client = makeClient(fixture, { transport })
    const sender = CampaignManagementSender.pipe(Layer.provide(client.layer))
    const outcomes = yield* runDriven(
      fixture,
      OfflineConversions.apply(path, options).pipe(Stream.runCollect, Effect.map(Chunk.toArray)),
      sender,
      client.idle
    ).pipe(Effect.orDie)
    return { outcomes, requests: client.requests }
  })

/** The number of conversions in a recorded ApplyOfflineConversions request (REST JSON or SOAP envelope). */
export const itemsInRequest = (request: RecordedRequest): number =>
  request.url.endsWith(".svc")
    ? request.body.split("<OfflineConversion>").length - 1
    : ((JSON.parse(request.body) as { OfflineConversions?: ReadonlyArray<unknown> }).OfflineConversions?.length ?? 0)

/** The recorded ApplyOfflineConversions requests (not token requests). */
export const applyRequests = (requests: ReadonlyArray<RecordedRequest>): ReadonlyArray<RecordedRequest> =>
  requests.filter((request) =>
    request.url.endsWith(".svc")
      ? request.headers.soapaction?.includes("ApplyOfflineConversions") === true
      : request.url.endsWith("/OfflineConversions/Apply")
  )

/** The account's offline goal names, fetched from the emulator over `transport` (`GoalCheck.fetchOfflineGoalNames`). */
export const fetchGoalNames = (fixture: Fixture, transport: TransportKind): Effect.Effect<ReadonlySet<string>> =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW + fixture.virtual.offsetMs)
    const client = makeClient(fixture, { transport })
    const names = GoalCheck.fetchOfflineGoalNames((operation, request) =>
      Effect.flatMap(CampaignManagement, (cm) => Effect.map(cm.call(operation, request), (result) => result.response))
    )
    return yield* runDriven(fixture, names, client.layer).pipe(Effect.orDie)
  })
