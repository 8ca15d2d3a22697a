/**
 * `CampaignManagementSender`: one `callOnce` per batch; the array the pipeline gave it is emptied once the call has
 * ended (what the client's fibers still point at keeps no item alive); a failure becomes a `DeliveryFailure` with its
 * row of the retry table and the service's wait.
 */
import { assert, describe, it } from "@effect/vitest"
import type { RequestOf } from "@uplink/campaign-management/wire"
import { DateTime, Duration, Effect, Layer } from "effect"
import { CampaignManagement, type CampaignManagementShape } from "../src/CampaignManagement.js"
import { CampaignManagementSender } from "../src/CampaignManagementSender.js"
import { CampaignManagementError, RateLimitError } from "../src/errors/CampaignManagementError.js"
import { Sender } from "../src/pipeline/sender.js"

const item = {
  MicrosoftClickId: "f894f652ea334e739002f7167ab8f8e3",
  ConversionName: "Purchase",
  ConversionTime: DateTime.unsafeMake("2026-01-02T03:04:05Z")
}

/** A client whose `callOnce` records the items it was asked to send, and how many there were during the call. */
const clientLayer = (answer: "ok" | "rateLimited") => {
  const seen: Array<{ readonly items: ReadonlyArray<unknown>; readonly sizeDuringCall: number }> = []
  const client = {
    call: () => Effect.die("not used"),
    callOnce: (operation: string, request: RequestOf<"ApplyOfflineConversions">) =>
      Effect.suspend(() => {
        const items = request.OfflineConversions ?? []
        seen.push({ items, sizeDuringCall: items.length })
        return answer === "ok"
          ? Effect.succeed({ response: { PartialErrors: [] }, trackingId: "t", transport: "rest" as const })
          : Effect.fail(
              new CampaignManagementError({
                operation,
                trackingId: "t-117",
                reason: new RateLimitError({
                  code: 117,
                  errorCode: "CallRateExceeded",
                  detail: "slow down",
                  retryAfter: Duration.seconds(3)
                })
              })
            )
      })
  } as unknown as CampaignManagementShape
  return { seen, layer: CampaignManagementSender.pipe(Layer.provide(Layer.succeed(CampaignManagement, client))) }
}

describe("CampaignManagementSender", () => {
  it.effect("sends the batch it was given and empties it once the call has ended", () => {
    const { seen, layer } = clientLayer("ok")
    return Effect.gen(function* () {
      const sender = yield* Sender
      const batch = [item, item]
      const errors = yield* sender.applyConversions(batch)
      assert.deepStrictEqual(errors, [])
      assert.strictEqual(seen[0]!.sizeDuringCall, 2)
      assert.strictEqual(seen[0]!.items, batch)
      assert.strictEqual(batch.length, 0)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a failure carries its retry, kind, code and the service's wait; the batch is emptied all the same", () => {
    const { layer } = clientLayer("rateLimited")
    return Effect.gen(function* () {
      const sender = yield* Sender
      const batch = [item]
      const failure = yield* Effect.flip(sender.applyConversions(batch))
      assert.strictEqual(failure.retry, "afterWait")
      assert.strictEqual(failure.kind, "RateLimit")
      assert.strictEqual(failure.code, 117)
      assert.strictEqual(failure.trackingId, "t-117")
      assert.deepStrictEqual(failure.retryAfter, Duration.seconds(3))
      assert.strictEqual(batch.length, 0)
    }).pipe(Effect.provide(layer))
  })
})
