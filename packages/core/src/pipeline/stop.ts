/**
 * The stop signal of a run (`PipelineOptions.stop`, a standard `AbortSignal`): when it aborts, the run reads no more
 * input, starts no new request and cuts its waits short, while requests already sent finish. Checks are synchronous
 * (`isStopped`, once per chunk read and once per attempt of a batch); only waits race against the signal
 * (`sleepUnlessStopped`), so a run without waits pays nothing for it.
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

/** Completes when `stop` aborts (at once if it already has). */
export const whenStopped = (stop: AbortSignal): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (stop.aborted) {
      resume(Effect.void)
      return
    }
    const onAbort = () => resume(Effect.void)
    stop.addEventListener("abort", onAbort, { once: true })
    return Effect.sync(() => stop.removeEventListener("abort", onAbort))
  })

/** Sleeps `millis` on the Effect clock; true when the whole wait passed, false when `stop` aborted first. */
export const sleepUnlessStopped = (millis: number, stop: AbortSignal | undefined): Effect.Effect<boolean> => {
  const sleep = Effect.as(Effect.sleep(Duration.millis(millis)), true)
  if (stop === undefined) return sleep
  if (stop.aborted) return Effect.succeed(false)
  return Effect.raceFirst(sleep, Effect.as(whenStopped(stop), false))
}
