/**
 * @uplink/emulator: a local Campaign Management v13 service for offline conversions — SOAP and REST endpoints for
 * ApplyOfflineConversions, ApplyOfflineConversionAdjustments, AddConversionGoals, GetConversionGoalsByIds,
 * UpdateConversionGoals and GetOfflineConversionReports, OAuth token and device-code endpoints, an admin API, and
 * deterministic fault injection. `start()` for plain JS, `layer()` for Effect programs.
 */
export {
  Emulator,
  type EmulatorHandle,
  layer,
  make,
  makeRouter,
  type RunningEmulator,
  start
} from "./Server.js"
export {
  type CommandLine,
  DEFAULT_HOST,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_PORT,
  demoGoals,
  EmulatorConfigError,
  type EmulatorOptions,
  environmentVariables,
  makeEmulatedService,
  type OAuthOptions,
  parseCommandLine,
  usage
} from "./Options.js"
export { type Credentials, defaultCredentials } from "./domain/Credentials.js"
export { type CatalogError, errorCatalog } from "./domain/ErrorCatalog.js"
export { conversionKey, adjustmentKey } from "./domain/DedupeKey.js"
export {
  EmulatedService,
  type EmulatedOperationName,
  emulatedOperationNames,
  type EmulatorState,
  ITEMS_PER_REQUEST
} from "./domain/EmulatedService.js"
export { FaultConfig, type FaultKind, faultKinds } from "./domain/FaultPlan.js"
export type { Goal, GoalSpec } from "./domain/Goals.js"
export type { AcceptedAdjustment, AcceptedConversion } from "./domain/Ledger.js"
export type { Protocol } from "./domain/Records.js"
export type { AdjustmentRecord, ConversionRecord } from "./domain/Records.js"
export { SeedFile } from "./domain/Seed.js"
export { type Clock, fixedClock } from "./domain/Time.js"
export type { TokenRequestRecord } from "./domain/TokenStore.js"
export { SOAP_PATH } from "./http/SoapEndpoint.js"
export { ADMIN_PREFIX } from "./http/AdminEndpoints.js"
