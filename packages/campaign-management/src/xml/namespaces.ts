/**
 * Namespace URIs of SOAP 1.1 and XML Schema instance, and the fixed prefixes the writer uses for the service's data
 * namespaces when an element is not in the document's default namespace.
 */
import { NS0, NS1, NS2, NS3, NS4, NS5 } from "../generated/wire-types.js"

export const SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
export const XSI = "http://www.w3.org/2001/XMLSchema-instance"
export const XML_NS = "http://www.w3.org/XML/1998/namespace"
/** The WCF addressing namespace of the `Action` header in the docs' request templates. */
export const WCF_ADDRESSING_NONE = "http://schemas.microsoft.com/ws/2005/05/addressing/none"

/** The Campaign Management v13 namespace (bodies, headers, most types). */
export const CM_NS = NS1
/** The namespace of `AdApiFaultDetail`, `ApplicationFault` and `AdApiError`. */
export const ADAPI_NS = NS5

/** Prefix per data namespace, used only where an element is not in the default namespace of its document. */
export const dataPrefixes: ReadonlyMap<string, string> = new Map([
  [NS0, "ser"],
  [NS1, "t"],
  [NS2, "a"],
  [NS3, "b"],
  [NS4, "c"],
  [NS5, "ad"]
])
