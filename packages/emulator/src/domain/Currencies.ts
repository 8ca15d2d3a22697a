/**
 * The ISO 4217 codes the service accepts for conversion goal revenue and, by reference, for a conversion's or an
 * adjustment's currency (docs/microsoft-api.md §8, 100 codes, legacy TRL/VEF/HRK included, TRY not). Upper case only: the
 * service's case sensitivity is unconfirmed, so the emulator is strict.
 */
const codes =
  "AED ALL AMD ARS AUD AZN BDT BGN BHD BND BOB BRL BWP BZD CAD CHF CLP CNY COP CRC CZK DKK DOP DZD EGP ETB EUR FJD GBP " +
  "GEL GHS GTQ HKD HNL HRK HUF IDR ILS INR IQD ISK JMD JOD JPY KES KGS KRW KWD KZT LBP LKR LYD MAD MKD MNT MOP MUR MVR " +
  "MWK MXN MYR NGN NIO NOK NZD OMR PAB PEN PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SEK SGD THB TND TOP TRL TTD TWD TZS " +
  "UAH UGX USD UYU UZS VEF VND XAF XCD XOF YER ZAR ZMW"

/** The accepted currency codes. */
export const currencyCodes: ReadonlySet<string> = new Set(codes.split(" "))

/** Whether the service accepts this currency code. */
export const isCurrencyCode = (code: string): boolean => currencyCodes.has(code)
