/**
 * The pipeline's memory rule, the one place it is explained: an array of records, items or outcomes is emptied once
 * it has been used. Effect's stream and fiber machinery (per-element fibers, deferreds, queue nodes, continuations)
 * is promoted to the old generation and, once dead there, still points at the last values it carried until the next
 * full collection; the young-generation collector treats those pointers as live. An emptied array breaks the chain,
 * so records and outcomes die young instead of being promoted with it, and peak memory does not grow with the size of
 * the run.
 *
 * Where it is applied: the items a reader found in a chunk, once prepared (`readers/item.ts`, `prepareStage.ts`); a
 * batch of prepared records, once delivered (`offlineConversions.ts`); the items `CampaignManagementSender` was given,
 * once its call has ended (the `Sender` owns the array delivery gives it); a result array of the ordered pool, once its
 * elements are handed on (`orderedPool.ts`). The measurements are in the package README, "Performance notes".
 */

/** Empties `values`, an array that its owner no longer reads. */
export const emptied = (values: ReadonlyArray<unknown>): void => {
  ;(values as Array<unknown>).length = 0
}
