/**
 * What an emulated operation answers, independent of SOAP or REST: a response body, or a refusal that the HTTP layer
 * turns into a fault (AdApiFaultDetail for authentication, ApiFaultDetail with OperationErrors for list-level and
 * throttling errors, a bare SOAP fault for protocol errors). Item-level errors are BatchErrors inside a success.
 */
import type * as Schemas from "@uplink/campaign-management/schemas"
import { type CatalogError, catalogError, type KnownCode } from "./ErrorCatalog.js"

/** A per-item error: becomes a BatchError with this zero-based Index. */
export interface ItemError {
  readonly index: number
  readonly code: KnownCode
  readonly fieldPath?: string | undefined
}

/** One error of a refusal, with optional Details text. */
export interface RefusalError {
  readonly error: CatalogError
  readonly details?: string | undefined
}

/** Why a call was refused as a whole. */
export type Refusal =
  /** Authentication / authorisation (105, 106, 109): AdApiFaultDetail with Errors. */
  | { readonly _tag: "AdApiRefusal"; readonly errors: ReadonlyArray<RefusalError> }
  /** Service errors (0, 117, 201, 5600, 5601, 53xx list errors…): ApiFaultDetail with OperationErrors. */
  | { readonly _tag: "ApiRefusal"; readonly errors: ReadonlyArray<RefusalError> }
  /** SOAP protocol errors (MustUnderstand, SOAPAction mismatch): a fault without detail. */
  | { readonly _tag: "ProtocolRefusal"; readonly faultCode: string; readonly message: string }

/** The answer of an emulated operation. */
export type OperationOutcome<Body> =
  | { readonly _tag: "Answered"; readonly body: Body }
  | { readonly _tag: "Refused"; readonly refusal: Refusal }

export const answered = <Body>(body: Body): OperationOutcome<Body> => ({ _tag: "Answered", body })

export const refused = <Body = never>(refusal: Refusal): OperationOutcome<Body> => ({ _tag: "Refused", refusal })

/** An ApiFaultDetail refusal with one OperationError. */
export const apiRefusal = (code: KnownCode, details?: string): Refusal => ({
  _tag: "ApiRefusal",
  errors: [{ error: catalogError(code), details }]
})

/** An AdApiFaultDetail refusal with one AdApiError. */
export const adApiRefusal = (code: KnownCode, details?: string): Refusal => ({
  _tag: "AdApiRefusal",
  errors: [{ error: catalogError(code), details }]
})

/** The contract BatchError for an item error. */
export const toBatchError = (item: ItemError): Schemas.BatchError => {
  const error = catalogError(item.code)
  return {
    _tag: "BatchError",
    Code: error.code,
    Details: null,
    ErrorCode: error.errorCode,
    FieldPath: item.fieldPath ?? null,
    Index: item.index,
    Message: error.message,
    Type: "BatchError"
  }
}

/** The contract PartialErrors list (sorted by Index). */
export const toPartialErrors = (items: ReadonlyArray<ItemError>): ReadonlyArray<Schemas.BatchError> =>
  [...items].sort((a, b) => a.index - b.index).map(toBatchError)
