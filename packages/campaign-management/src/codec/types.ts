/**
 * Type helpers of the wire codecs: the shape of an operation's table entry (what the codecs need of it), and the
 * decoded request and response value of an operation, by entry or by name. Type-only: nothing here loads contracts.
 */
import type * as Schema from "effect/Schema"
import type { OperationName, Operations } from "../generated/operations.js"
import type { WireElement } from "../generated/wire-types.js"
import type { JsonBytes } from "../rest/json-bytes.js"

/** A generated REST JSON writer (`se_<Type>`): writes `value` into `out`, or throws. */
export type RestWriter = (out: JsonBytes, value: unknown) => void

/**
 * An operation's table entry, as each operation module (`@uplink/campaign-management/operations/<Op>`) exports it and
 * the full table (`operations`) holds it: what the codecs take instead of a name.
 */
export interface Operation<Request = any, Response = any> {
  readonly name: string
  /** The SOAPAction; undefined for a REST-only operation (from the REST overlay: no SOAP binding). */
  readonly soapAction: string | undefined
  readonly requestElement: string
  readonly responseElement: string
  readonly request: Schema.Schema<Request, any>
  readonly response: Schema.Schema<Response, any>
  readonly requestHeaders: ReadonlyArray<string>
  readonly responseHeaders: ReadonlyArray<string>
  readonly faults: ReadonlyArray<string>
  readonly itemLimit: { readonly field: string; readonly max: number } | undefined
  /** Method and path from Microsoft's route table (`rest-routes.json`); undefined when the operation has none. */
  readonly rest: { readonly method: "GET" | "POST" | "PUT" | "DELETE"; readonly path: string } | undefined
  /** The body elements and their wire metadata. */
  readonly wire: { readonly request: WireElement; readonly response: WireElement }
  /** The generated REST JSON writers of the two bodies. */
  readonly restWriters: { readonly request: RestWriter; readonly response: RestWriter }
}

/** The decoded request body of an operation entry (bigint ids, DateTime.Utc times, `_tag` on polymorphic values). */
export type RequestOfOperation<O extends Operation> = Schema.Schema.Type<O["request"]>

/** The decoded response body of an operation entry. */
export type ResponseOfOperation<O extends Operation> = Schema.Schema.Type<O["response"]>

/** The decoded request body of an operation, by name. */
export type RequestOf<Op extends OperationName> = Schema.Schema.Type<Operations[Op]["request"]>

/** The decoded response body of an operation, by name. */
export type ResponseOf<Op extends OperationName> = Schema.Schema.Type<Operations[Op]["response"]>
