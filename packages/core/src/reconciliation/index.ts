/**
 * @uplink/core/reconciliation: did the conversions count? Microsoft's per-goal report
 * (GetOfflineConversionReportByGoalIds, REST only) fetched and merged per goal and UTC day (`Reconciliation`), what to
 * do about each unattributed reason (`UnattributedReasons`), the REST client it is fetched with (`ReportClient`), and
 * the ledger of what Uplink sent (`Ledger`: counts per run, kind, goal and day, never an identifier), which the report
 * is set against. An entry point of its own: a program that only sends conversions does not load it. The package
 * README lists its names.
 */

/**
 * The per-goal report: `fetch`, `reconcile`, `resolveGoals`, `parseDay`, `windows`, `successRate`, `GoalReportError`,
 * the request limits.
 */
export * as Reconciliation from "./GoalReport.js"
/** What to do about each `OfflineConversionUnattributedReason`: `hints`, `hintFor`, `reasons`. */
export * as UnattributedReasons from "./Reasons.js"
/** A `CampaignManagement` over REST for REST-only operations (the per-goal report); `.layerConfig`. */
export { ReportClient } from "./ReportClient.js"
/**
 * The ledger of what was sent: `Tally`, `make` over a `SqlExecutor`, the table's statements for SQLite and PostgreSQL.
 */
export * as Ledger from "../ledger/Ledger.js"
