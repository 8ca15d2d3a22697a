/**
 * What delivery tells an application while it runs, so that nothing happens silently: every wait before a request
 * (`Wait`: after a 117, a backoff after a failure, the rate limiter's pacing) and every request about to be sent
 * (`Send`: which input lines it carries, which attempt it is). The pipeline hands them to `PipelineOptions.onWait` and
 * `onSend`; they carry no record content, only line numbers, codes and the failure's message.
 */

/** Why delivery waits before a request. */
export type WaitReason =
  /** Microsoft answered 117 CallRateExceeded (this batch, or another one of the customer): every request waits. */
  | "rateLimited"
  /** The last attempt of this batch failed in a way worth retrying: exponential backoff before the next one. */
  | "backoff"
  /** The rate limiter spaces requests out after a slowdown. */
  | "paced"

/** The failure a wait follows. */
export interface WaitCause {
  readonly code: number | null
  readonly errorCode: string | null
  /** The class of the failure (`FailureCause.kind`), e.g. `Timeout`, `Http503`. */
  readonly kind: string | null
  readonly message: string
}

/** A wait before a request of the batch of input lines `firstLine`–`lastLine`. */
export interface Wait {
  readonly reason: WaitReason
  readonly millis: number
  /** The attempt that comes after the wait (1 is the first time the batch is sent). */
  readonly attempt: number
  /** How many attempts the retry schedule allows in all, when known (the default schedule), else null. */
  readonly maxAttempts: number | null
  /** The failure of this batch that caused the wait (`rateLimited` after its own 117, `backoff`), else null. */
  readonly cause: WaitCause | null
  readonly firstLine: number
  readonly lastLine: number
}

/** A request about to be sent: the batch of input lines `firstLine`–`lastLine`, its `attempt` (1 = first). */
export interface Send {
  readonly firstLine: number
  readonly lastLine: number
  readonly records: number
  readonly attempt: number
}
