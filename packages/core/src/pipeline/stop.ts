/**
 * The stop signal of a run (`PipelineOptions.stop`, a standard `AbortSignal`): when it aborts, the run reads no more
 * input, starts no new request and cuts its waits short, while requests already sent finish. Checks are synchronous
 * (`isStopped`, once per chunk read and once per attempt of a batch); only waits race against the signal
 * (`sleepUnlessStopped`), so a run without waits pays nothing for it. However many waits there are at once (every
 * worker may wait for a permit or a pacing slot), the signal gets one listener (`onStop`), so Node never warns about
 * too many listeners.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/** Whether `stop` has aborted. */
export const isStopped = (stop: AbortSignal | undefined): boolean => stop?.aborted === true

/** Why the run was stopped, for the cause of the records it did not send. */
export const reasonOf = (stop: AbortSignal | undefined): string => {
  const reason: unknown = stop?.reason
  if (typeof reason === "string" && reason !== "") return reason
  if (reason instanceof Error && reason.name !== "AbortError" && reason.message !== "") return reason.message
  return "the run was stopped"
}

/** The callbacks waiting for each signal, behind one listener per signal. */
const waiting = new WeakMap<AbortSignal, Set<() => void>>()

/** Calls `callback` once when `stop` aborts (not if it already has); answers the function that cancels that. */
export const onStop = (stop: AbortSignal, callback: () => void): (() => void) => {
  let callbacks = waiting.get(stop)
  if (callbacks === undefined) {
    const all = new Set<() => void>()
    callbacks = all
    waiting.set(stop, all)
    stop.addEventListener(
      "abort",
      () => {
        const due = [...all]
        all.clear()
        for (const call of due) call()
      },
      { once: true }
    )
  }
  const mine = callbacks
  mine.add(callback)
  return () => {
    mine.delete(callback)
  }
}

/** Completes when `stop` aborts (at once if it already has). */
export const whenStopped = (stop: AbortSignal): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (stop.aborted) {
      resume(Effect.void)
      return
    }
    const cancel = onStop(stop, () => resume(Effect.void))
    return Effect.sync(cancel)
  })

/** Sleeps `millis` on the Effect clock; true when the whole wait passed, false when `stop` aborted first. */
export const sleepUnlessStopped = (millis: number, stop: AbortSignal | undefined): Effect.Effect<boolean> => {
  const sleep = Effect.as(Effect.sleep(Duration.millis(millis)), true)
  if (stop === undefined) return sleep
  if (stop.aborted) return Effect.succeed(false)
  return Effect.raceFirst(sleep, Effect.as(whenStopped(stop), false))
}
