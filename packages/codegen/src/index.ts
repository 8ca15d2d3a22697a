/**
 * @uplink/codegen: WSDL → typed contracts. The `uplink-codegen` bin is the usual entry point; these exports serve
 * tests and tools that need the model.
 */
export {
  DEFAULT_REST_RUNTIME,
  type EmitOptions,
  emitContracts,
  type GenerateOptions,
  generate,
  headerFor,
  sha256
} from "./generate.js"
export { readWsdl } from "./read-wsdl.js"
export { mergeOverlay, type OverlayFile, parseOverlay } from "./overlay.js"
export type { WsdlModel, TypeModel, FieldModel, OperationModel } from "./model.js"
export { makePlan, type ModulePlan, type TypeGroup } from "./plan.js"
export { makeHierarchy } from "./hierarchy.js"
export { restRouteOf, type RoutesFile } from "./emit-operations.js"
export { diffFiles, hasDrift, writeFiles } from "./files.js"
export { defaultWsdlPath, findWorkspaceRoot } from "./paths.js"
