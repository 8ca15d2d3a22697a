/**
 * Type helpers of the wire codecs: the decoded request and response value of an operation.
 */
import type { Schema } from "effect"
import type { OperationName, Operations } from "../generated/operations.js"

/** The decoded request body of an operation (bigint ids, DateTime.Utc times, `_tag` on polymorphic values). */
export type RequestOf<Op extends OperationName> = Schema.Schema.Type<Operations[Op]["request"]>

/** The decoded response body of an operation. */
export type ResponseOf<Op extends OperationName> = Schema.Schema.Type<Operations[Op]["response"]>
