/**
 * The Promise client's public types hold no Effect type: every parameter and result of its methods, its records,
 * outcomes and options, and the plain forms `call` takes and returns, are walked by `Leaks`, which is `false` only
 * when no Effect data type (Effect, Stream, Option, DateTime, Duration, Redacted, …) appears anywhere in them. Checked
 * by the type checker (`pnpm typecheck`); the detector itself is shown to catch a leak.
 */
import type { RequestOf, ResponseOf } from "@uplink/campaign-management/wire"
import { describe, expectTypeOf, it } from "@effect/vitest"
import type { Cause, Chunk, DateTime, Duration, Effect, Exit, Layer, Option, Redacted, Stream } from "effect"
import type {
  AdjustmentRecord,
  ClientOptions,
  ConversionRecord,
  PlainRequest,
  PlainResponse,
  RecordOutcome,
  RunOptions,
  RunResult,
  UplinkClient,
  UplinkError
} from "../../src/client/index.js"

type EffectData =
  | DateTime.DateTime
  | Effect.Effect<unknown, unknown, unknown>
  | Stream.Stream<unknown, unknown, unknown>
  | Option.Option<unknown>
  | Chunk.Chunk<unknown>
  | Duration.Duration
  | Redacted.Redacted<unknown>
  | Exit.Exit<unknown, unknown>
  | Cause.Cause<unknown>
  | Layer.Layer<unknown, unknown, unknown>

type Next = [never, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]

/** `true` when an Effect data type appears in `T` (walked `D` levels deep), else `false`. */
type Leaks<T, D extends number = 10> = [D] extends [never]
  ? false
  : 0 extends 1 & T
    ? false // `any` (e.g. AbortSignal's reason) is no Effect type
    : T extends EffectData
      ? true
      : T extends (...args: infer P) => infer R
        ? Leaks<P[number], Next[D]> | Leaks<Awaited<R>, Next[D]>
        : T extends AsyncIterator<infer A>
          ? Leaks<A, Next[D]>
          : T extends ReadonlyArray<infer A>
            ? Leaks<A, Next[D]>
            : T extends object
              ? { [K in keyof T]-?: Leaks<T[K], Next[D]> }[keyof T] | false
              : false

describe("the Promise client's types", () => {
  it("hold no Effect type", () => {
    expectTypeOf<Leaks<Omit<UplinkClient, "call">>>().toEqualTypeOf<false>()
    expectTypeOf<Leaks<ClientOptions>>().toEqualTypeOf<false>()
    expectTypeOf<Leaks<RunOptions>>().toEqualTypeOf<false>()
    expectTypeOf<Leaks<RunResult>>().toEqualTypeOf<false>()
    expectTypeOf<Leaks<RecordOutcome>>().toEqualTypeOf<false>()
    expectTypeOf<Leaks<ConversionRecord>>().toEqualTypeOf<false>()
    expectTypeOf<Leaks<AdjustmentRecord>>().toEqualTypeOf<false>()
    expectTypeOf<Leaks<Pick<UplinkError, "reason" | "codes" | "trackingId" | "isRetryable">>>().toEqualTypeOf<false>()
    expectTypeOf<Leaks<PlainRequest<RequestOf<"ApplyOfflineConversions">>>>().toEqualTypeOf<false>()
    expectTypeOf<Leaks<PlainResponse<ResponseOf<"GetConversionGoalsByIds">>>>().toEqualTypeOf<false>()
    expectTypeOf<Leaks<PlainResponse<ResponseOf<"GetOfflineConversionReports">>>>().toEqualTypeOf<false>()
  })

  it("take plain times and ids: Date or text, bigint or text", () => {
    expectTypeOf<ConversionRecord["ConversionTime"]>().toEqualTypeOf<Date | string>()
    expectTypeOf<PlainRequest<RequestOf<"GetConversionGoalsByIds">>["ConversionGoalIds"]>().toEqualTypeOf<
      ReadonlyArray<bigint | string> | null | undefined
    >()
    expectTypeOf<NonNullable<PlainResponse<ResponseOf<"GetOfflineConversionReports">>["DailySummaries"]>[number]>()
      .exclude<null>()
      .toHaveProperty("UploadDate")
      .toEqualTypeOf<Date | undefined>()
  })

  it("the detector catches a leak", () => {
    expectTypeOf<Leaks<{ readonly at: DateTime.Utc }>>().toEqualTypeOf<boolean>()
    expectTypeOf<Leaks<() => Promise<{ readonly x: ReadonlyArray<Option.Option<number>> }>>>().toEqualTypeOf<boolean>()
  })
})
