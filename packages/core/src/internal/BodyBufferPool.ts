/**
 * Reusable request-body buffers for the REST transport. A 1,000-item request body is about 200 KB; a fresh copy per
 * request lives as long as its exchange, outlives young-generation collections and piles up as external memory until
 * a full collection, which made peak memory grow with the size of the run. A buffer goes back to the pool only after
 * a 2xx answer — the service has then read the whole body — so a buffer that a failed, timed-out or interrupted
 * exchange may still be writing to a socket is never written again (it is left to the garbage collector).
 */
import { JsonBytes } from "@uplink/campaign-management/wire"

export class BodyBufferPool {
  private readonly free: Array<JsonBytes> = []

  /** @param max buffers kept for reuse (about the number of requests in flight). */
  constructor(private readonly max = 8) {}

  /** A buffer to write one request body into. */
  take(): JsonBytes {
    return this.free.pop() ?? new JsonBytes()
  }

  /** Returns a buffer whose request was answered with a 2xx status. */
  give(buffer: JsonBytes): void {
    if (this.free.length < this.max) this.free.push(buffer)
  }

  /** Buffers waiting for reuse. */
  get size(): number {
    return this.free.length
  }
}
