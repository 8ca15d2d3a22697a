/**
 * The pipeline benchmark's subject, run in a child process of its own: what a user writes with `@uplink/core` —
 * `OfflineConversions.apply(file, { concurrency })` through `CampaignManagementSender` over the client (static access
 * token, the transport asked for), outcomes counted with `Summary`. Everything the pipeline does is included: reading,
 * validation, hashing, dedupe, batching, rate limiting, retries, one outcome per record.
 * Argument: a JSON `RunnerArgs`; prints one JSON `RunnerResult` line on standard output when done.
 */
import {
  Auth,
  CampaignManagement,
  CampaignManagementSender,
  layerNodeHttpClient,
  MsadsConfig,
  OfflineConversions,
  Summary
} from "@uplink/core"
import { Effect, Layer } from "effect"

interface RunnerArgs {
  readonly file: string
  readonly url: string
  readonly transport: "rest" | "soap"
  readonly concurrency: number
  readonly credentials: {
    readonly accessToken: string
    readonly developerToken: string
    readonly customerId: string
    readonly accountId: string
  }
}

const args = JSON.parse(process.argv[2] ?? "{}") as RunnerArgs

const client = CampaignManagement.layerTransportFromConfig.pipe(
  Layer.provide(Auth.layerStatic(args.credentials.accessToken)),
  Layer.provide(
    Layer.merge(
      MsadsConfig.layerWith({
        developerToken: args.credentials.developerToken,
        customerId: args.credentials.customerId,
        accountId: args.credentials.accountId,
        endpoint: args.url,
        transport: args.transport
      }),
      layerNodeHttpClient
    )
  )
)

const program = Effect.gen(function* () {
  const started = performance.now()
  const summary = yield* Summary.collect(OfflineConversions.apply(args.file, { concurrency: args.concurrency }))
  const elapsedMs = performance.now() - started
  return { summary, elapsedMs }
}).pipe(Effect.provide(CampaignManagementSender.pipe(Layer.provide(client))))

const { summary, elapsedMs } = await Effect.runPromise(program)
process.stdout.write(
  `${JSON.stringify({
    records: summary.total,
    accepted: summary.byStatus.accepted,
    elapsedMs,
    maxRssKb: process.resourceUsage().maxRSS
  })}\n`
)
