/**
 * What a user can do about each error code the summary shows: one line per code, keyed like the summary's
 * `byCode` (the numeric code, the symbolic one when the service documents no number, or the kind of a delivery
 * failure that has no code: `Timeout`, `ConnectionFailed`, `Http503`, `NotSent`, …).
 */
export const hints: Readonly<Record<string, string>> = {
  "0": "Microsoft had an internal error; Uplink retried. Run the same file again later: duplicates are ignored.",
  "105":
    "Microsoft refused the credentials: check the access token (MSADS_ACCESS_TOKEN, or `uplink auth login`) and the developer token (MSADS_DEVELOPER_TOKEN) for this environment (--environment sandbox needs sandbox credentials).",
  "106": "The user has no access to MSADS_ACCOUNT_ID / MSADS_CUSTOMER_ID: check both ids and the user's permissions.",
  "109":
    "The access token expired: log in again with `uplink auth login`, or set MSADS_CLIENT_ID + MSADS_REFRESH_TOKEN.",
  "117": "Too many calls: Uplink waited and slowed down. Lower --concurrency if it keeps happening.",
  "5600": "The request had no records to send.",
  "5601": "More than 1,000 records in one request: use --batch-size 1000 or less.",
  "5603": "Fill in the Microsoft Click Id (MSCLKID) captured from the ad click, or give a hashed email or phone.",
  "5604":
    "Microsoft does not know this click id: check that it came from a Microsoft Ads click and was copied unchanged.",
  "5605": "Fill in the conversion name: it must equal the name of an offline conversion goal.",
  "5606":
    "No offline conversion goal has this name: create it (`uplink goals create`) or fix the name (`uplink goals list`).",
  "5607":
    "Write the time as ISO 8601 with Z or an offset (2026-11-01T10:00:00Z), or name the file's zone with --timezone.",
  "5608": "Fill in the conversion time.",
  "5609": "The conversion is older than 90 days: it can no longer be uploaded.",
  "5610": "The conversion value must be a number of at least 0.",
  "5611": "Use a supported three-letter currency code such as USD or EUR.",
  "5612":
    "Microsoft could not store the batch; Uplink retried. Send the same file again later: duplicates are ignored.",
  "5613": "The customer is not enabled for offline conversions: ask your Microsoft Advertising contact.",
  "5614": "The conversion time is in the future: check the file's time zone (--timezone).",
  "5615": "The goal is younger than 2 hours: wait, then send the file again.",
  "5616": "The conversion time is before the click: check the file's time zone (--timezone).",
  "5617": "The click is outside the goal's conversion window: such conversions cannot be counted.",
  "5618": "The adjustment type must be Restate or Retract.",
  "5619": "Fill in the adjustment time.",
  "5620": "The adjustment time must not be before the conversion time.",
  "5621": "Write the adjustment time as ISO 8601 with Z or an offset, or pass --timezone.",
  "5622": "The adjustment time is in the future: check the file's time zone (--timezone).",
  "5623": "The adjustment time is out of the window: adjust within 90 days of the conversion.",
  "5624": "A Retract must not carry an adjustment value: leave it empty.",
  "5625": "A Restate needs the new adjustment value.",
  "5626": "A Restate needs the currency code of its value.",
  "5627": "Microsoft does not support restating or retracting this conversion.",
  NotSent:
    "Read but not sent because the run stopped early (see above): send the file again; Microsoft ignores exact duplicates.",
  Timeout:
    "Microsoft did not answer within MSADS_REQUEST_TIMEOUT (default 60 s), even after retries: send the file again later; duplicates are ignored.",
  ConnectionFailed:
    "Uplink could not connect: check MSADS_ENDPOINT / --endpoint (or --environment) and the network, then send the file again.",
  ResponseCut: "The answer was cut off, even after retries: send the file again later; duplicates are ignored.",
  UnexpectedResponse:
    "Microsoft's answer did not match the API contract: run with --verbose and report the TrackingId.",
  UnencodableRequest:
    "A record holds a value the transport cannot carry: check the line in the results file, or try --transport rest.",
  InvalidUrl: "The endpoint is not a valid URL: check MSADS_ENDPOINT / --endpoint.",
  DeliveryFailed: "The request failed: run with --verbose for details and send the file again later."
}

/** The hint for a summary code, if one is known. */
export const hintFor = (code: string): string | undefined => {
  const hint = hints[code]
  if (hint !== undefined) return hint
  const http = /^Http(\d{3})$/.exec(code)
  if (http === null) return undefined
  return http[1]!.startsWith("5")
    ? `Microsoft answered HTTP ${http[1]} even after retries: send the file again later; duplicates are ignored.`
    : `Microsoft answered HTTP ${http[1]}: check MSADS_ENDPOINT / --endpoint, or run with --verbose.`
}
