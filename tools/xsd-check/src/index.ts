/**
 * @uplink/xsd-check: the WSDL's XSD as files, and xmllint validation against it, for tests.
 */
export { defaultWsdl, type ExtractedXsd, extractSchemaTexts, extractXsd, SOAP_ENV } from "./extract.js"
export { assertValidXml, type ValidationResult, validateXml } from "./xmllint.js"
