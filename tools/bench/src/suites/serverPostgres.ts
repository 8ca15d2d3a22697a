/**
 * `uplink-server` on PostgreSQL, for users sizing a deployment (no target): how many records per second one and two
 * instances sharing one PostgreSQL outbox acknowledge (`202` after the commit), and how many they deliver end to end
 * (from the first request to the last record `accepted` in the outbox, the emulator answering).
 *
 * Everything runs on this machine: a throwaway PostgreSQL cluster (Debian's binaries, fsync on, as in production;
 * tools/scripts/postgres-cluster.mjs), the built server (`apps/server/dist/bin.js`) as one or two child processes, the
 * emulator (`--demo`) as another for the delivery cases, and eight HTTP clients in this process posting 500 records per
 * request, spread evenly over the instances. Intake cases run without delivery settings, so the instances only take
 * records. Between samples the outbox table is emptied and the instances restarted; start-up is not timed. Cases are
 * interleaved (two instances, one instance, …) so machine load hits both alike.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { join } from "node:path"
import { type ThrowawayCluster, postgresBinDir, startCluster } from "../../../scripts/postgres-cluster.mjs"
import { type Measurement, quantile } from "../harness.js"
import { compare, type Suite } from "../suite.js"
import { workspaceRoot } from "../workspace.js"

const token = "bench-server-token-0123456789"
const clients = 8
const perRequest = 500

interface Instance {
  readonly url: string
  readonly stop: () => Promise<void>
}

/** Starts `node <bin> <args>` and resolves once a stdout line matches `ready` (its first group is the URL). */
const startProcess = (bin: string, args: ReadonlyArray<string>, env: Record<string, string>, ready: RegExp) =>
  new Promise<Instance>((resolve, reject) => {
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith("MSADS_") && !name.startsWith("UPLINK_"))
    )
    const child: ChildProcess = spawn(process.execPath, [bin, ...args], {
      env: { ...base, ...env },
      stdio: ["ignore", "pipe", "inherit"]
    })
    let output = ""
    const onData = (data: Buffer) => {
      output += data.toString()
      const match = ready.exec(output)
      if (match === null) return
      child.stdout?.off("data", onData)
      child.stdout?.resume()
      resolve({
        url: match[1]!,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done()
            child.once("exit", () => done())
            child.kill("SIGTERM")
          })
      })
    }
    child.stdout?.on("data", onData)
    child.once("error", reject)
    child.once("exit", (code) =>
      reject(new Error(`${bin} exited (${code}) before it was ready: ${output.slice(-2000)}`))
    )
  })

/** 32-hex click ids, unique per record and per sample (demo mode accepts any). */
const makeRecords = (count: number, sample: number) => {
  const time = new Date(Date.now() - 2 * 3_600_000).toISOString()
  return Array.from({ length: count }, (_, index) => ({
    id: `s${sample}-${index}`,
    MicrosoftClickId: `c${sample.toString(16).padStart(3, "0")}${index.toString(16).padStart(28, "0")}`,
    ConversionName: "Offline Purchase",
    ConversionTime: time,
    ConversionValue: (index % 500) + 0.25,
    ConversionCurrencyCode: "USD"
  }))
}

/** Posts `records` with `clients` concurrent clients, 500 per request, client i to instance i mod n. */
const postAll = async (urls: ReadonlyArray<string>, records: ReadonlyArray<object>) => {
  const requests: Array<ReadonlyArray<object>> = []
  for (let offset = 0; offset < records.length; offset += perRequest) {
    requests.push(records.slice(offset, offset + perRequest))
  }
  let next = 0
  const client = async (index: number) => {
    const url = urls[index % urls.length]!
    while (next < requests.length) {
      const body = JSON.stringify({ records: requests[next++] })
      const response = await fetch(`${url}/v1/conversions`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body
      })
      if (response.status !== 202) throw new Error(`intake answered ${response.status}: ${await response.text()}`)
      await response.arrayBuffer()
    }
  }
  await Promise.all(Array.from({ length: clients }, (_, index) => client(index)))
}

/** The outbox's accepted count, from an instance's /metrics. */
const acceptedCount = async (url: string): Promise<number> => {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text()
  const match = /^uplink_outbox_records\{status="accepted"\} (\d+)$/m.exec(text)
  return match === null ? 0 : Number(match[1])
}

const measurement = (label: string, samples: ReadonlyArray<number>): Measurement => {
  const sorted = [...samples].sort((a, b) => a - b)
  return {
    label,
    medianMs: quantile(sorted, 0.5),
    p10Ms: quantile(sorted, 0.1),
    p90Ms: quantile(sorted, 0.9),
    samples: sorted.length
  }
}

const perSecond = (records: number, ms: number): string =>
  `${Math.round((records * 1000) / ms).toLocaleString("en-US")} records/s`

export const serverPostgresSuite: Suite = {
  name: "server-postgres",
  title: "uplink-server on PostgreSQL: one and two instances",
  run: async (options) => {
    if (postgresBinDir() === undefined) throw new Error("this suite needs Debian's postgresql package (initdb, pg_ctl)")
    const quick = options.samples < 10
    const records = quick ? 10_000 : 50_000
    const rounds = quick ? 1 : 3
    const root = workspaceRoot()
    const serverBin = join(root, "apps", "server", "dist", "bin.js")
    const emulatorBin = join(root, "packages", "emulator", "dist", "bin.js")
    const cluster: ThrowawayCluster = await startCluster({ durable: true })
    const psql = join(postgresBinDir()!, "psql")
    const query = (url: string, statement: string) =>
      execFileSync(psql, [url, "-q", "-c", statement], { stdio: "pipe" })
    try {
      query(cluster.url, "CREATE DATABASE uplink_bench")
      const databaseUrl = cluster.url.replace(/\/postgres$/, "/uplink_bench")
      const emulator = await startProcess(emulatorBin, ["--port", "0", "--demo"], {}, /emulator listening on (\S+)/)
      try {
        const serverEnv = (deliver: boolean): Record<string, string> => ({
          UPLINK_SERVER_TOKEN: token,
          UPLINK_DB: databaseUrl,
          UPLINK_FLUSH_MS: "100",
          UPLINK_MAX_RECORDS: "10000",
          ...(deliver
            ? {
                MSADS_DEVELOPER_TOKEN: "BBD37VB98",
                MSADS_CUSTOMER_ID: "1000001",
                MSADS_ACCOUNT_ID: "2000002",
                MSADS_ACCESS_TOKEN: "emulator-access-token",
                MSADS_ENDPOINT: emulator.url
              }
            : {})
        })
        const startInstances = (count: number, deliver: boolean) =>
          Promise.all(
            Array.from({ length: count }, () =>
              startProcess(
                serverBin,
                ["--host", "127.0.0.1", "--port", "0"],
                serverEnv(deliver),
                /"uplink-server listening".*?"url":"([^"]+)"/
              )
            )
          )
        // Migrate once, so that no sample times the schema's creation.
        await Promise.all((await startInstances(1, false)).map((instance) => instance.stop()))

        let sample = 0
        /** One timed run: `count` fresh instances, an empty outbox; answers the ms until done. */
        const run = async (count: number, deliver: boolean): Promise<number> => {
          query(databaseUrl, "TRUNCATE uplink_records")
          await fetch(`${emulator.url}/__emulator/reset`, { method: "POST" })
          const instances = await startInstances(count, deliver)
          try {
            const batch = makeRecords(records, ++sample)
            const urls = instances.map((instance) => instance.url)
            const started = performance.now()
            await postAll(urls, batch)
            if (deliver) {
              const deadline = Date.now() + 600_000
              while ((await acceptedCount(urls[0]!)) < records) {
                if (Date.now() > deadline) throw new Error("delivery did not finish within 10 minutes")
                await new Promise((resolve) => setTimeout(resolve, 50))
              }
            }
            const elapsed = performance.now() - started
            const what = deliver ? "delivered" : "acknowledged"
            console.log(
              `  ${count} instance(s), ${records.toLocaleString("en-US")} ${what}: ${(elapsed / 1000).toFixed(1)} s, ${perSecond(records, elapsed)}`
            )
            return elapsed
          } finally {
            await Promise.all(instances.map((instance) => instance.stop()))
          }
        }

        const intakeTwo: Array<number> = []
        const intakeOne: Array<number> = []
        const deliverTwo: Array<number> = []
        const deliverOne: Array<number> = []
        for (let round = 0; round < rounds; round++) {
          intakeTwo.push(await run(2, false))
          intakeOne.push(await run(1, false))
          deliverTwo.push(await run(2, true))
          deliverOne.push(await run(1, true))
        }
        const count = records.toLocaleString("en-US")
        const a = measurement("2 instances", intakeTwo)
        const b = measurement("1 instance", intakeOne)
        const c = measurement("2 instances", deliverTwo)
        const d = measurement("1 instance", deliverOne)
        return {
          rows: [
            compare(
              `acknowledge ${count} records (${clients} clients, ${perRequest} per request), median of ${rounds}`,
              a,
              b
            ),
            compare(`deliver ${count} records end to end (post → all accepted), median of ${rounds}`, c, d)
          ],
          notes: [
            `Acknowledged (202 after the commit): 2 instances ${perSecond(records, a.medianMs)}, 1 instance ${perSecond(records, b.medianMs)}. Delivered end to end: 2 instances ${perSecond(records, c.medianMs)}, 1 instance ${perSecond(records, d.medianMs)}. The ratio column is the speed-up of two instances over one.`,
            `Setup: one PostgreSQL 15 cluster (fsync on, default settings) on this 2-core machine, the server processes, the emulator process for the delivery cases and the ${clients} clients all share the same two cores, so a second instance adds no CPU: on real hardware each instance has its own. Default server settings (pool of 10, batches of 1,000, UPLINK_FLUSH_MS=100).`,
            "Each sample: an empty outbox table, fresh instances (start-up not timed), distinct records (valid conversions for the demo goal, no email or phone), clients spread evenly over the instances; delivery runs over REST to the emulator in demo mode without injected latency."
          ]
        }
      } finally {
        await emulator.stop()
      }
    } finally {
      cluster.stop()
    }
  }
}
