/**
 * The HTTP API of `uplink-server` as an @effect/platform `HttpApi` (DESIGN.md §6): intake of conversions and
 * adjustments, record status, per-goal health (Microsoft's attribution report, polled), health, readiness and metrics. The same definition serves requests and the OpenAPI
 * document shown at `/docs`. Request bodies are decoded as JSON and validated record by record by the handlers (with
 * @uplink/core's rules), so that every invalid record is answered with its index, field, code and message.
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"

/** Where a record is (DESIGN.md §6). */
export const RecordStatus = Schema.Literal(
  "pending",
  "waiting",
  "sending",
  "accepted",
  "rejected",
  "duplicate",
  "failed"
).annotations({ identifier: "RecordStatus" })

/** One record taken into the outbox. */
export const RecordAck = Schema.Struct({
  index: Schema.Int.annotations({ description: "Position of the record in the request (0-based)" }),
  id: Schema.String.annotations({ description: "The client's id when given, else a generated UUID" }),
  status: RecordStatus
}).annotations({ identifier: "RecordAck" })

/** One record refused at intake. */
export const InvalidRecord = Schema.Struct({
  index: Schema.Int.annotations({ description: "Position of the record in the request (0-based)" }),
  field: Schema.NullOr(Schema.String).annotations({ description: "The field the rule is about (null: the record)" }),
  code: Schema.NullOr(Schema.Int).annotations({
    description: "The Microsoft Advertising error code the service would return (56xx), or null for a local rule"
  }),
  message: Schema.String
}).annotations({ identifier: "InvalidRecord" })

const intakeFields = {
  records: Schema.Array(RecordAck),
  invalid: Schema.Array(InvalidRecord)
}

/** `202`: the valid records are committed to the outbox. */
export class IntakeAccepted extends Schema.Class<IntakeAccepted>("IntakeAccepted")(intakeFields, {
  description: "Every listed record is committed to the outbox; invalid ones are listed and were not queued"
}) {}

/** `422`: no record of the request is valid; nothing was queued. */
export class IntakeRejected extends Schema.Class<IntakeRejected>("IntakeRejected")(intakeFields, {
  description: "No record of the request is valid; nothing was queued",
  [HttpApiSchema.AnnotationStatus]: 422
}) {}

/** A record's state. */
export class RecordView extends Schema.Class<RecordView>("RecordView")({
  id: Schema.String,
  status: RecordStatus,
  code: Schema.NullOr(Schema.Int),
  errorCode: Schema.NullOr(Schema.String),
  message: Schema.NullOr(Schema.String),
  updatedAt: Schema.String.annotations({ description: "ISO 8601 UTC time of the last change" })
}) {}

/** Unattributed counts by Microsoft's reason name (`NoMatchingClickFound`, …). */
const ReasonCounts = Schema.Record({ key: Schema.String, value: Schema.Int }).annotations({
  identifier: "UnattributedReasons",
  description: "Records Microsoft accepted but did not count, by its OfflineConversionUnattributedReason"
})

/** One day of a goal's health. */
export const GoalHealthDay = Schema.Struct({
  date: Schema.String.annotations({ description: "UTC upload day, YYYY-MM-DD" }),
  successCount: Schema.Int,
  unattributedCount: Schema.Int,
  unattributed: ReasonCounts,
  sent: Schema.NullOr(Schema.Int).annotations({ description: "Records this server delivered and Microsoft accepted" })
}).annotations({ identifier: "GoalHealthDay" })

/** A goal's attribution over the last days, from the background poller. */
export class GoalHealth extends Schema.Class<GoalHealth>("GoalHealth")({
  id: Schema.String,
  name: Schema.String,
  from: Schema.String.annotations({ description: "First UTC day of the report, YYYY-MM-DD" }),
  to: Schema.String.annotations({ description: "Last UTC day of the report, YYYY-MM-DD" }),
  checkedAt: Schema.String.annotations({ description: "When the report was fetched (ISO 8601 UTC)" }),
  successCount: Schema.Int,
  unattributedCount: Schema.Int,
  successRate: Schema.Number.annotations({
    description: "successCount / (successCount + unattributedCount); 0 when none"
  }),
  unattributed: ReasonCounts,
  sent: Schema.NullOr(Schema.Int).annotations({ description: "Records this server delivered and Microsoft accepted" }),
  waiting: Schema.Int.annotations({ description: "Records in the outbox waiting for this goal to take conversions" }),
  days: Schema.Array(GoalHealthDay)
}) {}

/** An error body: a stable code (distinct per status, so each error keeps its status) and a message for people. */
const errorBody = <Code extends string>(code: Code) => ({ error: Schema.Literal(code), message: Schema.String })

/** `400`: the body is not JSON, nests deeper than 64 levels, or is not one record or `{ "records": [...] }`. */
export class BadRequest extends Schema.Class<BadRequest>("BadRequest")(errorBody("bad_request"), {
  description:
    'The body is not JSON, nests arrays and objects deeper than 64 levels, or is not one record or { "records": [...] }',
  [HttpApiSchema.AnnotationStatus]: 400
}) {}

/** `401`: no bearer token, or the wrong one. */
export class Unauthorized extends Schema.Class<Unauthorized>("Unauthorized")(errorBody("unauthorized"), {
  description: "No bearer token, or the wrong one; checked on the headers before any of the body is read",
  [HttpApiSchema.AnnotationStatus]: 401
}) {}

/** `404`: no record has this id. */
export class RecordNotFound extends Schema.Class<RecordNotFound>("RecordNotFound")(errorBody("not_found"), {
  [HttpApiSchema.AnnotationStatus]: 404
}) {}

/** `404` from `/v1/goals/{id}/health`: the last report has no goal with this id. */
export class GoalNotFound extends Schema.Class<GoalNotFound>("GoalNotFound")(errorBody("goal_not_found"), {
  description:
    "The last report has no offline conversion goal with this id (the poller reports every goal of the account)",
  [HttpApiSchema.AnnotationStatus]: 404
}) {}

/** `503` from `/v1/goals/{id}/health`: no report yet (not fetched yet, or delivery is not configured). */
export class ReportUnavailable extends Schema.Class<ReportUnavailable>("ReportUnavailable")(
  errorBody("report_unavailable"),
  {
    description:
      "No per-goal report yet: the poller has not fetched one (UPLINK_REPORT_POLL_INTERVAL), its last fetch failed, " +
      "or the MSADS_* settings are missing; the message says which",
    [HttpApiSchema.AnnotationStatus]: 503
  }
) {}

/** `413`: too many bytes or too many records in one request. */
export class PayloadTooLarge extends Schema.Class<PayloadTooLarge>("PayloadTooLarge")(errorBody("payload_too_large"), {
  description: "More bytes than UPLINK_MAX_BODY_BYTES or more records than UPLINK_MAX_RECORDS in one request",
  [HttpApiSchema.AnnotationStatus]: 413
}) {}

/** `415`: the body is not declared as JSON. */
export class UnsupportedMediaType extends Schema.Class<UnsupportedMediaType>("UnsupportedMediaType")(
  errorBody("unsupported_media_type"),
  {
    description:
      "The body is not declared as JSON: send Content-Type: application/json (UTF-8); a body without a content " +
      "type is read as JSON",
    [HttpApiSchema.AnnotationStatus]: 415
  }
) {}

/** `503`: the outbox cannot take records now (nothing was acknowledged); try again. */
export class OutboxUnavailable extends Schema.Class<OutboxUnavailable>("OutboxUnavailable")(
  errorBody("outbox_unavailable"),
  {
    description:
      "The outbox cannot be written (for example a full disk or a corrupt file; the message says SQLite's reason): " +
      "nothing of this request was acknowledged, send it again later. /readyz fails meanwhile",
    [HttpApiSchema.AnnotationStatus]: 503
  }
) {}

/** `/readyz` answer. */
export class Readiness extends Schema.Class<Readiness>("Readiness")({
  ready: Schema.Boolean,
  checks: Schema.Struct({
    outbox: Schema.Struct({ ok: Schema.Boolean, detail: Schema.String }),
    credentials: Schema.Struct({ ok: Schema.Boolean, detail: Schema.String })
  })
}) {}

/** `503` from `/readyz`. */
export class NotReady extends Schema.Class<NotReady>("NotReady")(
  { ready: Schema.Boolean, checks: Readiness.fields.checks },
  { [HttpApiSchema.AnnotationStatus]: 503 }
) {}

const timeDoc = { type: "string", description: "ISO 8601 with Z or an offset, e.g. 2026-11-20T10:00:00Z" }
const textDoc = (description: string) => ({ type: "string", description })
const numberDoc = (description: string) => ({ type: "number", description })
const idDoc = textDoc(
  "Optional idempotency key: an id sent again in a later request returns the first record instead of queuing a copy; " +
    "within one request a repeated id with the same fields is the same record (queued once), with other fields it is " +
    "refused (invalid, field id)"
)

const conversionDoc = {
  type: "object",
  description: "An offline conversion with the API field names (the JSON Lines fields of `uplink apply`)",
  properties: {
    id: idDoc,
    MicrosoftClickId: textDoc("MSCLKID; optional when a hashed or raw email or phone is given"),
    ConversionName: textDoc("Name of the offline conversion goal"),
    ConversionTime: timeDoc,
    ConversionValue: numberDoc("Value (≥ 0)"),
    ConversionCurrencyCode: textDoc("ISO 4217 code"),
    ExternalAttributionCredit: numberDoc("0 < credit ≤ 1, with ExternalAttributionModel"),
    ExternalAttributionModel: textDoc("Attribution model name, with ExternalAttributionCredit"),
    HashedEmailAddress: textDoc("SHA-256 of the normalised email, 64 lower-case hex"),
    HashedPhoneNumber: textDoc("SHA-256 of the E.164 phone number, 64 lower-case hex"),
    Email: textDoc("Raw email: normalised and hashed on arrival, never stored or logged"),
    Phone: textDoc("Raw phone (E.164): normalised and hashed on arrival, never stored or logged")
  },
  required: ["ConversionName", "ConversionTime"]
}

const adjustmentDoc = {
  type: "object",
  description: "A Restate or Retract of an offline conversion sent earlier, with the API field names",
  properties: {
    id: idDoc,
    AdjustmentType: { type: "string", enum: ["Restate", "Retract"] },
    AdjustmentTime: timeDoc,
    AdjustmentValue: numberDoc("The new value (Restate only)"),
    AdjustmentCurrencyCode: textDoc("ISO 4217 code (Restate only)"),
    ConversionName: textDoc("Goal name of the original conversion"),
    ConversionTime: timeDoc,
    MicrosoftClickId: textDoc("MSCLKID of the original conversion"),
    HashedEmailAddress: textDoc("SHA-256 of the normalised email, 64 lower-case hex"),
    HashedPhoneNumber: textDoc("SHA-256 of the E.164 phone number, 64 lower-case hex"),
    Email: textDoc("Raw email: normalised and hashed on arrival"),
    Phone: textDoc("Raw phone: normalised and hashed on arrival")
  },
  required: ["AdjustmentType", "AdjustmentTime", "ConversionName", "ConversionTime"]
}

/** A body of one record or `{ "records": [...] }`; each record is checked by the handler. */
const intakePayload = (recordDoc: object, name: string) =>
  Schema.Unknown.annotations({
    identifier: name,
    description: 'One record, or { "records": [record, …] }',
    jsonSchema: { oneOf: [recordDoc, { type: "object", properties: { records: { type: "array", items: recordDoc } } }] }
  })

/** Bearer-token authorization of the `/v1` and `/metrics` routes. */
export class Authorization extends HttpApiMiddleware.Tag<Authorization>()("Authorization", {
  failure: Unauthorized,
  security: { bearer: HttpApiSecurity.bearer }
}) {}

/** Intake and status of records. */
export class RecordsGroup extends HttpApiGroup.make("records")
  .add(
    HttpApiEndpoint.post("postConversions", "/v1/conversions")
      .setPayload(intakePayload(conversionDoc, "ConversionsPayload"))
      .addSuccess(IntakeAccepted, { status: 202 })
      .addError(IntakeRejected)
      .addError(BadRequest)
      .addError(PayloadTooLarge)
      .addError(UnsupportedMediaType)
      .addError(OutboxUnavailable)
      .annotate(OpenApi.Summary, "Queue offline conversions (ApplyOfflineConversions)")
  )
  .add(
    HttpApiEndpoint.post("postAdjustments", "/v1/adjustments")
      .setPayload(intakePayload(adjustmentDoc, "AdjustmentsPayload"))
      .addSuccess(IntakeAccepted, { status: 202 })
      .addError(IntakeRejected)
      .addError(BadRequest)
      .addError(PayloadTooLarge)
      .addError(UnsupportedMediaType)
      .addError(OutboxUnavailable)
      .annotate(OpenApi.Summary, "Queue restatements and retractions (ApplyOfflineConversionAdjustments)")
  )
  .add(
    HttpApiEndpoint.get("getRecord", "/v1/records/:id")
      .setPath(Schema.Struct({ id: Schema.String }))
      .addSuccess(RecordView)
      .addError(RecordNotFound)
      .addError(OutboxUnavailable)
      .annotate(OpenApi.Summary, "The status of one record")
  )
  .middleware(Authorization)
  .annotate(OpenApi.Description, "Records: intake into the durable outbox, and their delivery status") {}

/** Per-goal health from Microsoft's attribution report. */
export class GoalsGroup extends HttpApiGroup.make("goals")
  .add(
    HttpApiEndpoint.get("getGoalHealth", "/v1/goals/:id/health")
      .setPath(Schema.Struct({ id: Schema.String }))
      .addSuccess(GoalHealth)
      .addError(GoalNotFound)
      .addError(ReportUnavailable)
      .addError(OutboxUnavailable)
      .annotate(OpenApi.Summary, "A goal's attribution: counted, not counted by reason, sent, waiting")
      .annotate(
        OpenApi.Description,
        "From the background poller (GetOfflineConversionReportByGoalIds over the last 7 UTC days, every " +
          "UPLINK_REPORT_POLL_INTERVAL): success rate and unattributed counts by reason, next to what this server " +
          "delivered (its ledger) and the records waiting for the goal to take conversions"
      )
  )
  .middleware(Authorization) {}

/** Prometheus metrics. */
export class MetricsGroup extends HttpApiGroup.make("metrics")
  .add(
    HttpApiEndpoint.get("metrics", "/metrics")
      .addSuccess(HttpApiSchema.Text({ contentType: "text/plain; version=0.0.4; charset=utf-8" }))
      .annotate(
        OpenApi.Summary,
        "Prometheus text: received, enqueued, delivered, retries, 117s, queue depth, latency, identifier shares and " +
          "attribution per goal"
      )
  )
  .middleware(Authorization) {}

/** Liveness and readiness probes (no token needed). */
export class HealthGroup extends HttpApiGroup.make("health")
  .add(
    HttpApiEndpoint.get("healthz", "/healthz")
      .addSuccess(Schema.Struct({ status: Schema.Literal("ok") }))
      .annotate(OpenApi.Summary, "The process is up")
  )
  .add(
    HttpApiEndpoint.get("readyz", "/readyz")
      .addSuccess(Readiness)
      .addError(NotReady)
      .annotate(OpenApi.Summary, "The outbox is writable and delivery credentials are configured")
  ) {}

/** The whole API. */
export class UplinkApi extends HttpApi.make("uplink")
  .add(RecordsGroup)
  .add(GoalsGroup)
  .add(MetricsGroup)
  .add(HealthGroup)
  .annotate(OpenApi.Title, "Uplink server")
  .annotate(
    OpenApi.Description,
    "HTTP ingestion of Microsoft Advertising offline conversions with a durable outbox: a record is acknowledged " +
      "(202) only after it is committed, and is then delivered in batches of up to 1,000."
  ) {}
