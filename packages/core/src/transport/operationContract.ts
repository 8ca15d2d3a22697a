/**
 * The contract of one operation (its Schemas, wire metadata and REST writers), loaded on its first call with
 * `loadOperation`: the transports import no operation up front, so importing @uplink/core costs no contract, and a
 * program that calls ApplyOfflineConversions constructs that operation's contract and no other.
 */
import { loadOperation, type OperationName, type Operations } from "@uplink/campaign-management/wire"
import * as Effect from "effect/Effect"

/** The table entry of `operation` (its module is imported once; later calls get it at once). */
export const operationContract = <Op extends OperationName>(operation: Op): Effect.Effect<Operations[Op]> =>
  Effect.promise(() => loadOperation(operation))
