/**
 * `Transport`: one contract for both wire protocols — encode the request, send it, decode the response or the fault.
 * `soap` is Microsoft's documented protocol for the WSDL (retired 2027-01-31); `rest` (the default) carries the same
 * contracts as JSON. Every failure is a `CampaignManagementError` with the TrackingId when the service sent one.
 *
 * This module holds the tag and its types only: each implementation is its own module with its own layer
 * (`RestTransport.ts`, `SoapTransport.ts`), and the choice between them by configuration is made where the client is
 * composed (`CampaignManagement.layerTransportFromConfig`), so that nothing here depends on an implementation.
 */
import type { OperationName, RequestOf, ResponseOf } from "@uplink/campaign-management/wire"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type { TransportKind } from "../config/MsadsConfig.js"
import type { CampaignManagementError } from "../errors/CampaignManagementError.js"

/** A decoded response with its TrackingId and the protocol that carried it. */
export interface TransportResponse<Op extends OperationName> {
  readonly response: ResponseOf<Op>
  readonly trackingId: string | undefined
  readonly transport: TransportKind
}

/** The transport service. */
export interface TransportShape {
  readonly kind: TransportKind
  /** Sends one request with `accessToken`; no retries here. */
  readonly send: <Op extends OperationName>(
    operation: Op,
    request: RequestOf<Op>,
    accessToken: Redacted.Redacted<string>
  ) => Effect.Effect<TransportResponse<Op>, CampaignManagementError>
}

/** The transport service tag (layers: `RestTransport.layer`, `SoapTransport.layer`). */
export class Transport extends Context.Tag("@uplink/core/Transport")<Transport, TransportShape>() {}
