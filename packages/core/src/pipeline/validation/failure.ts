/**
 * How a rule fails: it throws a `Failure` (the first one wins: rules run in the order the service checks them), and the
 * entry points (`validate.ts`) turn it into an `Invalid` outcome. Also the two readers every rule list uses: a text
 * field (a wrong JSON type fails) and text that is sent to Microsoft as it is (it must be carriable by both
 * transports).
 */
import { uncarriableCharacter } from "@uplink/campaign-management/wire"
import { LocalCodes, type ServiceCode } from "../codes.js"
import type { FieldName } from "../columns.js"
import type { SourceRecord } from "../readers/item.js"
import { text, WRONG_TYPE } from "./fieldValues.js"

/** A rule that failed: the code the service would have returned (or Uplink's symbolic one), the message, the field. */
export class Failure {
  constructor(
    readonly code: number | null,
    readonly errorCode: string,
    readonly message: string,
    readonly field: FieldName | null
  ) {}
}

/** A failure with the service's code and message (and a detail, when the message needs one). */
export const service = (entry: ServiceCode, field: FieldName, detail?: string): Failure =>
  new Failure(entry.code, entry.errorCode, detail === undefined ? entry.message : `${entry.message} ${detail}`, field)

/** A failure with Uplink's symbolic code (no number: the service documents none). */
export const local = (errorCode: string, message: string, field: FieldName | null): Failure =>
  new Failure(null, errorCode, message, field)

const wrongType = (field: FieldName): Failure =>
  local(LocalCodes.FieldTypeInvalid, `${field} must be text or a number, not a JSON object or array.`, field)

/** Reads a text field; a wrong JSON type fails with `onWrongType` (default FieldTypeInvalid). */
export const textField = (record: SourceRecord, field: FieldName, onWrongType?: Failure): string | undefined => {
  const value = text(record.values[field])
  if (value === WRONG_TYPE) throw onWrongType ?? wrongType(field)
  return value
}

/**
 * A text value that is sent to Microsoft as it is (click id, goal name, attribution model): it must hold only
 * characters both transports can carry. XML 1.0 cannot carry C0 controls other than TAB/LF/CR, unpaired surrogates,
 * U+FFFE or U+FFFF; JSON could escape them, but the same record must get the same outcome on either transport, and no
 * click id or goal name at Microsoft holds such a character. So the record is invalid here, with its field named, and
 * never reaches a batch where it would fail every other record of the request.
 */
export const sentText = <A extends string | undefined>(value: A, field: FieldName): A => {
  if (value === undefined) return value
  const bad = uncarriableCharacter(value)
  if (bad === undefined) return value
  throw local(
    LocalCodes.UnsupportedCharacter,
    `${field} contains the ${bad.kind} ${bad.character} at position ${bad.offset + 1}, which cannot be sent to ` +
      "Microsoft; remove it from the value.",
    field
  )
}
