/**
 * `Transport`: one contract for both wire protocols — encode the request, send it, decode the response or the fault.
 * `soap` is Microsoft's documented protocol for the WSDL (retired 2027-01-31); `rest` (the default) carries the same
 * contracts as JSON. Every failure is a `CampaignManagementError` with the TrackingId when the service sent one.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type { OperationName, RequestOf, ResponseOf } from "@uplink/campaign-management/wire"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import { MsadsConfig, type TransportKind } from "../config/MsadsConfig.js"
import type { CampaignManagementError } from "../errors/CampaignManagementError.js"
import { makeRestTransport } from "./RestTransport.js"
import { makeSoapTransport } from "./SoapTransport.js"

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

/** The transport service tag and its layers. */
export class Transport extends Context.Tag("@uplink/core/Transport")<Transport, TransportShape>() {
  /** SOAP for every operation. */
  static readonly layerSoap: Layer.Layer<Transport, never, MsadsConfig | HttpClient.HttpClient> = Layer.effect(
    Transport,
    makeSoapTransport
  )

  /** REST for every operation (each has a route in Microsoft's table); the default. */
  static readonly layerRest: Layer.Layer<Transport, never, MsadsConfig | HttpClient.HttpClient> = Layer.effect(
    Transport,
    makeRestTransport
  )

  /** The transport `MsadsConfig.transport` names. */
  static readonly layer: Layer.Layer<Transport, never, MsadsConfig | HttpClient.HttpClient> = Layer.unwrapEffect(
    Effect.map(MsadsConfig, (config) => (config.transport === "soap" ? Transport.layerSoap : Transport.layerRest))
  )
}
