import { copyFileSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { generate } from "../src/generate.js"
import { makeHierarchy } from "../src/hierarchy.js"
import { makePlan } from "../src/plan.js"
import type { ComplexTypeModel, WsdlModel } from "../src/model.js"
import { readWsdl } from "../src/read-wsdl.js"
import { realOverlay, realRoutes, realWsdlPath } from "./helpers.js"

const V13 = "https://bingads.microsoft.com/CampaignManagement/v13"
const ADAPI = "https://adapi.microsoft.com"
const ARRAYS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
const wsdlText = readFileSync(realWsdlPath, "utf8")
let model: WsdlModel

const complex = (ns: string, name: string) => {
  const type = model.types.get(`{${ns}}${name}`)
  if (type?.kind !== "complex") throw new Error(`${name} is not a complex type`)
  return type
}
const fieldNames = (type: ComplexTypeModel) =>
  makeHierarchy(model)
    .allFields(type)
    .map((f) => f.name)

beforeAll(() => {
  model = readWsdl(wsdlText)
})

describe("the real Campaign Management v13 WSDL", () => {
  it("has 178 operations, each with SOAPAction = name, the 7 request headers, TrackingId and two faults", () => {
    expect(model.operations).toHaveLength(178)
    expect(new Set(model.operations.map((o) => o.name)).size).toBe(178)
    for (const op of model.operations) {
      expect(op.soapAction).toBe(op.name)
      expect(op.requestHeaders).toEqual([
        "ApplicationToken",
        "AuthenticationToken",
        "CustomerAccountId",
        "CustomerId",
        "DeveloperToken",
        "Password",
        "UserName"
      ])
      expect(op.responseHeaders).toEqual(["TrackingId"])
      expect(op.faults).toHaveLength(2)
    }
    const apply = model.operations.find((o) => o.name === "ApplyOfflineConversions")!
    expect(apply.faults.map((f) => f.element)).toEqual([`{${ADAPI}}AdApiFaultDetail`, `{${V13}}ApiFaultDetail`])
  })

  it("keeps OfflineConversion's fields in XSD order", () => {
    expect(fieldNames(complex(V13, "OfflineConversion"))).toEqual([
      "ConversionCurrencyCode",
      "ConversionName",
      "ConversionTime",
      "ConversionValue",
      "ExternalAttributionCredit",
      "ExternalAttributionModel",
      "HashedEmailAddress",
      "HashedPhoneNumber",
      "MicrosoftClickId"
    ])
    const time = complex(V13, "OfflineConversion").fields.find((f) => f.name === "ConversionTime")!
    expect(time).toMatchObject({ type: { builtin: "dateTime" }, optional: true, nillable: false })
  })

  it("keeps OfflineConversionAdjustment's fields in XSD order", () => {
    expect(fieldNames(complex(V13, "OfflineConversionAdjustment"))).toEqual([
      "AdjustmentCurrencyCode",
      "AdjustmentTime",
      "AdjustmentType",
      "AdjustmentValue",
      "ConversionName",
      "ConversionTime",
      "HashedEmailAddress",
      "HashedPhoneNumber",
      "MicrosoftClickId"
    ])
  })

  it("makes OfflineConversionGoal extend ConversionGoal with the base fields first", () => {
    const goal = complex(V13, "OfflineConversionGoal")
    const base = complex(V13, "ConversionGoal")
    expect(goal.base).toBe(base.key)
    const all = fieldNames(goal)
    expect(all.slice(0, base.fields.length)).toEqual(base.fields.map((f) => f.name))
    expect(all.slice(base.fields.length)).toEqual(goal.fields.map((f) => f.name))
    expect(base.fields.map((f) => f.name)).toContain("Type")
    expect(
      makeHierarchy(model)
        .concrete(base.key)
        .map((k) => model.types.get(k)!.tsName)
    ).toContain("OfflineConversionGoal")
  })

  it("reads ConversionGoalType as a list of the seven literals", () => {
    const type = model.types.get(`{${V13}}ConversionGoalType`)
    expect(type).toMatchObject({
      kind: "list",
      item: {
        values: [
          "Url",
          "Duration",
          "PagesViewedPerVisit",
          "Event",
          "AppInstall",
          "OfflineConversion",
          "InStoreTransaction"
        ]
      }
    })
  })

  it("reads the error and fault types in their namespaces", () => {
    expect(fieldNames(complex(V13, "BatchError"))).toEqual([
      "Code",
      "Details",
      "ErrorCode",
      "FieldPath",
      "ForwardCompatibilityMap",
      "Index",
      "Message",
      "Type"
    ])
    expect(complex(V13, "EditorialError").base).toBe(`{${V13}}BatchError`)
    expect(complex(ADAPI, "AdApiFaultDetail").base).toBe(`{${ADAPI}}ApplicationFault`)
    const apiFault = complex(V13, "ApiFaultDetail")
    expect(apiFault.base).toBe(`{${ADAPI}}ApplicationFault`)
    const all = makeHierarchy(model).allFields(apiFault)
    expect(all[0]).toMatchObject({ name: "TrackingId", ns: ADAPI })
    expect(all.slice(1).map((f) => [f.name, f.ns])).toEqual([
      ["BatchErrors", V13],
      ["OperationErrors", V13]
    ])
    const arrayOfLong = complex(ARRAYS, "ArrayOflong")
    expect(arrayOfLong.fields).toEqual([
      { name: "long", ns: ARRAYS, type: { builtin: "long" }, optional: true, repeated: true, nillable: false }
    ])
  })

  it("plans modules so that ApplyOfflineConversions constructs its 18 types and no others", () => {
    const plan = makePlan(model, makeHierarchy(model))
    const name = (key: string) => model.types.get(key)!.tsName
    const reached = plan.reachedBy("ApplyOfflineConversions").map(name)
    expect(reached).toHaveLength(18)
    expect(reached).toEqual(
      expect.arrayContaining(["OfflineConversion", "ArrayOfOfflineConversion", "BatchError", "EditorialError"])
    )
    const groups = new Set(plan.reachedBy("ApplyOfflineConversions").map((key) => plan.groupOf(key)))
    expect([...groups].map((g) => g.name).sort()).toEqual(["ApplyOfflineConversionsRequest", "ArrayOfBatchError"])
    // Each of those modules holds only types the operation reaches.
    for (const group of groups) for (const key of group.types) expect(reached).toContain(name(key))
    // Every type is in exactly one module, and a module's types are reached by the same operations.
    const all = plan.groups.flatMap((g) => g.types)
    expect(new Set(all).size).toBe(model.types.size)
    for (const group of plan.groups) {
      for (const op of model.operations) {
        const reachedByOp = new Set(plan.reachedBy(op.name))
        const inGroup = group.types.filter((key) => reachedByOp.has(key)).length
        expect(inGroup === 0 || inGroup === group.types.length, `${group.name} / ${op.name}`).toBe(true)
      }
    }
  })

  it("generates byte-for-byte the same output twice, with the REST overlay, from any folder", async () => {
    const a = await generate({
      wsdlPath: realWsdlPath,
      wsdlText,
      overlay: realOverlay,
      routes: realRoutes,
      soapClient: true
    })
    const folder = mkdtempSync(join(tmpdir(), "uplink-wsdl-"))
    const elsewhere = join(folder, "CampaignManagementService.wsdl")
    copyFileSync(realWsdlPath, elsewhere)
    const b = await generate({
      wsdlPath: elsewhere,
      wsdlText,
      overlay: { path: join(folder, "rest-overlay.json"), text: realOverlay.text },
      routes: realRoutes,
      soapClient: true
    })
    expect([...a.keys()]).toEqual([...b.keys()])
    for (const [path, text] of a) expect(b.get(path) === text, path).toBe(true)
    expect(a.get("operations.ts")).not.toContain(realWsdlPath)
    expect(a.get("operations.ts")).not.toContain(realOverlay.path)
    expect(a.get("operations.ts")!.split("\n")[0]).toContain(" and rest-overlay.json (sha256 ")
    // Every operation Microsoft serves over REST has a contract, except GetDiagnostics (route only, not in the overlay).
    expect(a.get("loader.ts")).toContain(
      'export const restRoutesWithoutContract: ReadonlyArray<string> = ["GetDiagnostics"]'
    )
    // The node-soap client: post-processed for verbatimModuleSyntax and the Date trap.
    const conversion = a.get("soap-client/definitions/OfflineConversion.ts")!
    expect(conversion).toMatch(/ConversionTime\?: string;/)
    expect([...a.values()].some((text) => /\?: Date;/.test(text))).toBe(false)
    expect(a.get("soap-client/index.ts")).toContain(
      'export type { OfflineConversion } from "./definitions/OfflineConversion.js";'
    )
    expect(a.get("soap-client/index.ts")).toContain(
      "export { createClientAsync, type CampaignManagementServiceClient }"
    )
  })
})
