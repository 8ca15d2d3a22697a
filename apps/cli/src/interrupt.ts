/**
 * Ctrl-C during `apply` / `adjust` (the root README, "The CLI"). The first SIGINT stops the run gently: the pipeline's stop signal
 * aborts (no more input is read, no new request starts, requests in flight finish) and a grace period starts. A second
 * SIGINT, or the end of the grace period, abandons the run at once (`abandoned` completes with why). The handler is
 * installed for the life of the run's scope only; afterwards Node's default (ending the process) is back.
 */
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"

/** Why the run is abandoned without waiting for the requests in flight. */
export type Abandon = "second-interrupt" | "grace-expired"

export interface Interrupts {
  /** Whether Ctrl-C was pressed during the run. */
  readonly interrupted: () => boolean
  /** Completes when the run must be abandoned at once. */
  readonly abandoned: Effect.Effect<Abandon>
}

/** Where SIGINT comes from: the process, or an emitter of a test's own. */
export interface SignalSource {
  readonly on: (event: "SIGINT", listener: () => void) => unknown
  readonly off: (event: "SIGINT", listener: () => void) => unknown
}

/** The reason the pipeline's stop signal carries after Ctrl-C (it ends up in the `NotSent` outcomes' message). */
export const INTERRUPTED = "interrupted (Ctrl-C)"

/**
 * Watches SIGINT for one run: the first one aborts `stop` with `INTERRUPTED`, runs `onFirst` (a message) and starts the
 * grace period of `grace`; a second one, or the end of the grace period, completes `abandoned`. `signals` is the
 * process unless a test gives its own.
 */
export const watchInterrupts = (
  stop: AbortController,
  grace: Duration.DurationInput,
  onFirst: Effect.Effect<void>,
  signals: SignalSource = process
): Effect.Effect<Interrupts, never, Scope.Scope> =>
  Effect.gen(function* () {
    const runtime = yield* Effect.runtime<never>()
    const abandoned = yield* Deferred.make<Abandon>()
    let count = 0
    let graceFiber: Fiber.RuntimeFiber<void> | undefined
    const onSignal = () => {
      count++
      if (count > 1) {
        Runtime.runFork(runtime)(Deferred.succeed(abandoned, "second-interrupt"))
        return
      }
      stop.abort(INTERRUPTED)
      Runtime.runFork(runtime)(onFirst)
      graceFiber = Runtime.runFork(runtime)(
        Effect.asVoid(
          Effect.zipRight(Effect.sleep(Duration.decode(grace)), Deferred.succeed(abandoned, "grace-expired"))
        )
      )
    }
    yield* Effect.acquireRelease(
      Effect.sync(() => signals.on("SIGINT", onSignal)),
      () =>
        Effect.suspend(() => {
          signals.off("SIGINT", onSignal)
          return graceFiber === undefined ? Effect.void : Fiber.interrupt(graceFiber)
        })
    )
    return { interrupted: () => count > 0, abandoned: Deferred.await(abandoned) }
  })
