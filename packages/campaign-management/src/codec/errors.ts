/**
 * The two errors of the wire codecs. `WireEncodeError`: a value that cannot be put on the wire (NaN, a control
 * character XML 1.0 cannot carry, a missing required field). `WireDecodeError`: bytes that are not a complete document
 * (`NotWellFormed`, `TooLarge`: most likely a cut connection) or a document that is not the contract. Whether a
 * failure is worth sending the request again for is the client's call, not the codec's (@uplink/core's retry table).
 */
import * as Data from "effect/Data"

/** Why a decode failed: `NotWellFormed` and `TooLarge` (not a complete document), or a document that is not the contract. */
export type WireDecodeReason =
  | "NotWellFormed"
  | "TooLarge"
  | "UnknownElement"
  | "OutOfOrder"
  | "SchemaMismatch"
  | "UnknownOperation"
  | "NotAnEnvelope"

/** A value that cannot be written to the wire. `path` names the field, e.g. `OfflineConversions[3].ConversionValue`. */
export class WireEncodeError extends Data.TaggedError("WireEncodeError")<{
  readonly reason: "InvalidValue"
  readonly path: string
  readonly message: string
}> {}

/** A SOAP or JSON document that could not be decoded. `path` names the element when the document is well-formed. */
export class WireDecodeError extends Data.TaggedError("WireDecodeError")<{
  readonly reason: WireDecodeReason
  readonly path?: string | undefined
  readonly message: string
}> {}

// ===== Internal failures (thrown inside the codecs, turned into the errors above at the API boundary) =====

/** Thrown by the encoders; `segments` grow while the failure unwinds through structs and arrays. */
export class EncodeFailure {
  readonly segments: Array<string> = []
  constructor(readonly message: string) {}
}

/** Thrown by the decoders; `segments` grow while the failure unwinds through elements. */
export class DecodeFailure {
  readonly segments: Array<string> = []
  constructor(
    readonly reason: WireDecodeReason,
    readonly message: string
  ) {}
}

/** Joins path segments: names are separated by `.`, indexes are written as `[i]`. */
export const joinPath = (segments: ReadonlyArray<string>): string => {
  let out = ""
  for (const segment of segments) {
    if (segment.startsWith("[")) out += segment
    else out += out === "" ? segment : "." + segment
  }
  return out
}

/** The public error for an encode failure. */
export const toEncodeError = (failure: EncodeFailure): WireEncodeError => {
  const path = joinPath(failure.segments)
  return new WireEncodeError({
    reason: "InvalidValue",
    path,
    message: path === "" ? failure.message : `${path}: ${failure.message}`
  })
}

/** The public error for a decode failure. */
export const toDecodeError = (failure: DecodeFailure): WireDecodeError => {
  const path = failure.segments.length === 0 ? undefined : joinPath(failure.segments)
  return new WireDecodeError({
    reason: failure.reason,
    path,
    message: path === undefined ? failure.message : `${path}: ${failure.message}`
  })
}
