/**
 * The pipeline's memory rule: arrays of records and outcomes are emptied once they have been used. The stream machinery (its per-element fibers,
 * deferreds and continuations) is promoted to the old generation and, once dead there, still points at the last
 * values it carried until the next full collection; through those stale pointers every record and outcome survived
 * young-generation collections and was promoted too, which made the old generation — and peak memory — grow with the
 * size of the run. An emptied array breaks that chain (the package README's "Performance notes" has the measurements).
 */
/** Empties `values` (an array the caller no longer reads). */
export const emptied = (values: ReadonlyArray<unknown>): void => {
  ;(values as Array<unknown>).length = 0
}
