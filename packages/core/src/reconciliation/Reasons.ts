/**
 * Why Microsoft did not count accepted conversions (`OfflineConversionUnattributedReason`, the reasons of
 * GetOfflineConversionReportByGoalIds), each with a hint a user can act on. Every reason of the enumeration has one;
 * the order is the enumeration's.
 */
import type * as Schemas from "@uplink/campaign-management/schemas"

/** A reason as Microsoft names it. */
export type UnattributedReason = Schemas.OfflineConversionUnattributedReason

/** What to do about each reason, in plain language. */
export const hints: Readonly<Record<UnattributedReason, string>> = {
  Unknown: "Microsoft gave no reason: check the records against the goal and ask support with the goal id.",
  AdjustmentOriginalNotFound:
    "adjustment without its conversion: restate or retract only conversions sent before, with the same goal name, " +
    "conversion time (UTC) and click id or hashes.",
  ConversionAlreadyRetracted:
    "the conversion was retracted before: a retracted conversion cannot be sent or adjusted again.",
  DuplicateConversionKey:
    "sent before with the same click id, goal, time and hashes: Microsoft counts it once (sending a file again is " +
    "safe, but these were not new).",
  ConversionTimeExceedsMaxLookback: "conversion older than 90 days: send conversions within 90 days.",
  ConversionTimeInFuture:
    "conversion time in the future: your times are probably local time, not UTC — use --timezone.",
  GoalNotFoundOrInactive:
    "the goal is paused, deleted or missing: activate it (or fix the goal name) and send the conversions again.",
  ClickTimestampAfterConversion:
    "click after conversion: your conversion times are probably local time, not UTC — use --timezone.",
  NoMatchingClickFound:
    "unknown click id: check that the MSCLKID came from a Microsoft Ads click (auto-tagging on) and was copied " +
    "unchanged, from the same account.",
  MissingMatchIdentifiers:
    "nothing to match on: give the click id, or a hashed email or phone for a goal with enhanced conversions.",
  OutsideGoalLookbackWindow:
    "conversion too long after its click: outside the goal's conversion window (widen the window or check the times).",
  AccountMismatch: "the click belongs to another account: send with the account (MSADS_ACCOUNT_ID) of the click.",
  MalformedData: "malformed values: check the hashes (SHA-256, 64 lower-case hex) and the other fields.",
  HistoricalClickDataExpired: "the click is older than 90 days: Microsoft no longer has it."
}

/** The reasons in the enumeration's order. */
export const reasons: ReadonlyArray<UnattributedReason> = Object.keys(hints) as ReadonlyArray<UnattributedReason>

/** The hint for `reason` (a reason this version does not know gets a generic one). */
export const hintFor = (reason: string): string =>
  (hints as Readonly<Record<string, string>>)[reason] ?? "a reason this version of Uplink does not know yet."
