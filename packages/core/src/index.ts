/**
 * @uplink/core: the Effect client for Microsoft Advertising Campaign Management v13 — configuration, OAuth,
 * SOAP and REST transports, typed errors with a fault-code table, a replaceable retry policy, and a typed call of
 * every operation.
 */
export {
  type CallResult,
  CampaignManagement,
  type CampaignManagementShape
} from "./CampaignManagement.js"
export {
  defaultRequestTimeout,
  type Endpoints,
  type Environment,
  endpointsFor,
  MsadsConfig,
  type MsadsConfigOptions,
  type MsadsConfigShape,
  soapPath,
  type TransportKind
} from "./config/MsadsConfig.js"
export { Auth, type AuthFailure, type AuthShape, type OAuthOptions } from "./auth/Auth.js"
export * as OAuthClient from "./auth/OAuthClient.js"
export {
  defaultTokenFile,
  type TokenKey,
  TokenStore,
  TokenStoreError,
  type TokenStoreShape,
  tokenFileFromEnv
} from "./auth/TokenStore.js"
export {
  ApiFaultError,
  AuthenticationError,
  CampaignManagementError,
  type CampaignManagementErrorReason,
  DecodeError,
  type FaultError,
  HttpStatusError,
  InvalidRequestError,
  NotAvailableOverRestError,
  RateLimitError,
  RestOnlyOperationError,
  TransportError
} from "./errors/CampaignManagementError.js"
export {
  classifyCode,
  classifyCodes,
  type FaultClass,
  faultCodeTable,
  type ReplyFacts,
  reasonFromFault,
  reasonFromReply
} from "./errors/FaultClassification.js"
export { RetryPolicy, type RetryPolicyOptions, type RetrySchedule } from "./retry/RetryPolicy.js"
export { layerBufferedNodeHttpClient, makeBufferedNodeHttpClient } from "./transport/BufferedNodeHttpClient.js"
export { layerNodeHttpClient } from "./transport/NodeHttpClientLayer.js"
export { Transport, type TransportResponse, type TransportShape } from "./transport/Transport.js"

export * as DeviceCodeFlow from "./auth/DeviceCodeFlow.js"
export {
  CampaignManagementSender,
  failureKind,
  makeCampaignManagementSender,
  toDeliveryError
} from "./CampaignManagementSender.js"
export * as GoalReadiness from "./goals/GoalReadiness.js"
export * as GoalTimes from "./goals/GoalTimes.js"
export * as Hygiene from "./hygiene/IdentifierHygiene.js"
export * as Ledger from "./ledger/Ledger.js"
export * as Limits from "./config/Limits.js"
export * as OfflineGoals from "./OfflineGoals.js"
export * as Reconciliation from "./reconciliation/GoalReport.js"
export * as UnattributedReasons from "./reconciliation/Reasons.js"
export { ReportClient } from "./reconciliation/ReportClient.js"
export * from "./pipeline/index.js"
