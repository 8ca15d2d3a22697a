/**
 * The client the per-goal report is fetched with: GetOfflineConversionReportByGoalIds is REST-only at Microsoft, so
 * `ReportClient` is a `CampaignManagement` over REST whatever transport (`MSADS_TRANSPORT`) the conversions use. It
 * shares the conversions client's `Auth` (one token, refreshed once), so `layerConfig` builds both from one set of
 * settings.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Auth } from "../auth/Auth.js"
import { TokenStore, type TokenStoreError } from "../auth/TokenStore.js"
import { CampaignManagement, type CampaignManagementShape, make } from "../CampaignManagement.js"
import { MsadsConfig } from "../config/MsadsConfig.js"
import type { AuthenticationError } from "../errors/CampaignManagementError.js"
import { layerNodeHttpClient } from "../transport/NodeHttpClientLayer.js"
import { Transport } from "../transport/Transport.js"

/** A `CampaignManagement` client over REST, for REST-only operations such as the per-goal report. */
export class ReportClient extends Context.Tag("@uplink/core/ReportClient")<ReportClient, CampaignManagementShape>() {
  /** Over REST, with the `Auth` in context (share it with the conversions client). */
  static readonly layer: Layer.Layer<ReportClient, never, Auth | MsadsConfig | HttpClient.HttpClient> = Layer.effect(
    ReportClient,
    Effect.provide(make, Transport.layerRest)
  )

  /**
   * The conversions client (`CampaignManagement`, over `MSADS_TRANSPORT`) and the report client (REST) from the
   * environment, over one `Auth`, one token store and one HTTP client.
   */
  static readonly layerConfig: Layer.Layer<
    CampaignManagement | ReportClient,
    ConfigError.ConfigError | AuthenticationError | TokenStoreError
  > = Layer.mergeAll(CampaignManagement.layer, ReportClient.layer).pipe(
    Layer.provide(Layer.merge(Transport.layer, Auth.layerConfig)),
    Layer.provide(Layer.mergeAll(MsadsConfig.layer, TokenStore.layerConfig, layerNodeHttpClient))
  )
}
