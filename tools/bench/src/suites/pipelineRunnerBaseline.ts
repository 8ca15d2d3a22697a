/**
 * The pipeline benchmark's baseline, run in a child process of its own: the script a user would write with the
 * node-soap client generated from the WSDL — read the CSV line by line, split on commas, build the objects, send 1,000
 * per ApplyOfflineConversions call, one call after the other, no validation, no hashing, no dedupe, no retries.
 * Argument: a JSON `RunnerArgs`; prints one JSON `RunnerResult` line on standard output when done.
 * Only node builtins and the generated client are loaded, so its peak RSS is that of such a script.
 */
import { createReadStream } from "node:fs"
import { createInterface } from "node:readline"
import { createClientAsync } from "@uplink/campaign-management/soap-client"

interface RunnerArgs {
  readonly file: string
  readonly url: string
  readonly wsdl: string
  readonly credentials: {
    readonly accessToken: string
    readonly developerToken: string
    readonly customerId: string
    readonly accountId: string
  }
}

const args = JSON.parse(process.argv[2] ?? "{}") as RunnerArgs
const NS = "https://bingads.microsoft.com/CampaignManagement/v13"
const SOAP_PATH = "/Api/Advertiser/CampaignManagement/v13/CampaignManagementService.svc"

const client = await createClientAsync(args.wsdl)
client.setEndpoint(args.url + SOAP_PATH)
client.addSoapHeader(
  {
    AuthenticationToken: args.credentials.accessToken,
    CustomerAccountId: args.credentials.accountId,
    CustomerId: args.credentials.customerId,
    DeveloperToken: args.credentials.developerToken
  },
  "",
  "tns",
  NS
)

interface Conversion {
  MicrosoftClickId: string
  ConversionName: string
  ConversionTime: string
  ConversionValue: number
  ConversionCurrencyCode: string
}

let sent = 0
let calls = 0
let partialErrors = 0
const send = async (batch: Array<Conversion>) => {
  const [result] = await client.ApplyOfflineConversionsAsync({ OfflineConversions: { OfflineConversion: batch } })
  calls++
  sent += batch.length
  const errors = (result?.PartialErrors as { BatchError?: Array<unknown> } | undefined)?.BatchError
  partialErrors += errors?.length ?? 0
}

const started = performance.now()
const lines = createInterface({ input: createReadStream(args.file), crlfDelay: Number.POSITIVE_INFINITY })
let header = true
let batch: Array<Conversion> = []
for await (const line of lines) {
  if (header) {
    header = false
    continue
  }
  if (line === "") continue
  const [click, name, time, value, currency] = line.split(",")
  batch.push({
    MicrosoftClickId: click!,
    ConversionName: name!,
    ConversionTime: time!,
    ConversionValue: Number(value),
    ConversionCurrencyCode: currency!
  })
  if (batch.length === 1000) {
    await send(batch)
    batch = []
  }
}
if (batch.length > 0) await send(batch)
const elapsedMs = performance.now() - started

const result = {
  records: sent,
  accepted: sent - partialErrors,
  calls,
  elapsedMs,
  maxRssKb: process.resourceUsage().maxRSS
}
process.stdout.write(`${JSON.stringify(result)}\n`)
