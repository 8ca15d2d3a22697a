/**
 * Did it count? The CLI against an emulator that attributes from its own clicks and goals (not demo mode): runs whose
 * records fail attribution for every reason the emulator reports, then `uplink report --goals` showing each reason
 * with its count and hint next to what the ledger says was sent; the ledger holding no identifier; `--wait-for-report`
 * when the report covers the run and when it never does (a proxy serves a stale report); goals younger than two hours
 * refused, or held with `--hold`. The CLI runs in-process (`runInProcess`), each run with its own environment.
 */
import { createHash } from "node:crypto"
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { createServer, request as httpRequest, type Server } from "node:http"
import { join } from "node:path"
import type { RunningEmulator } from "@uplink/emulator"
import { clickId, emulatorEnv, isoAgo, MINUTE, startEmulator, writeInput } from "@uplink/emulator/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runInProcess, scratch } from "./support.js"

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

const today = () => new Date().toISOString().slice(0, 10)

const HEADER = "Microsoft Click Id,Conversion Name,Conversion Time,Email,Phone"

let emulator: RunningEmulator
let dir: string
let env: Record<string, string>
let files = 0
const write = (text: string) => writeInput(dir, `in-${++files}.csv`, text)

beforeAll(async () => {
  emulator = await startEmulator()
  dir = scratch()
  env = emulatorEnv(emulator, dir)
})
afterAll(() => emulator.stop())

describe("uplink report --goals after runs that fail attribution for every reason", () => {
  it("shows each reason with the right count and hint, next to what was sent; the ledger holds no identifier", async () => {
    const threeHoursAgo = Date.now() - 3 * 60 * MINUTE
    emulator.registerGoals([
      { name: "Recon Purchase", createdAt: threeHoursAgo, conversionWindowInMinutes: 60 },
      { name: "Recon Paused", createdAt: threeHoursAgo }
    ])
    const click = {
      ok: clickId("ok"),
      unknown1: clickId("unknown-1"),
      unknown2: clickId("unknown-2"),
      after: clickId("after"),
      outside: clickId("outside"),
      paused: clickId("paused"),
      retracted: clickId("retracted"),
      never: clickId("never-sent")
    }
    emulator.registerClicks({
      [click.ok]: isoAgo(50 * MINUTE),
      [click.paused]: isoAgo(50 * MINUTE),
      [click.retracted]: isoAgo(50 * MINUTE)
    })
    const email = "Reconcile.Person@Example.com"
    const phone = "+1 425 555 0199"
    const conversionOk = `${click.ok},Recon Purchase,${isoAgo(10 * MINUTE)},${email},${phone}`
    const retractedAt = isoAgo(20 * MINUTE)
    const first = write(
      [
        HEADER,
        conversionOk,
        `${click.unknown1},Recon Purchase,${isoAgo(10 * MINUTE)},,`,
        `${click.unknown2},Recon Purchase,${isoAgo(12 * MINUTE)},,`,
        `${click.after},Recon Purchase,${isoAgo(10 * MINUTE)},,`,
        `${click.outside},Recon Purchase,${isoAgo(10 * MINUTE)},,`,
        `${click.paused},Recon Paused,${isoAgo(10 * MINUTE)},,`,
        `${click.retracted},Recon Purchase,${retractedAt},,`
      ].join("\n")
    )
    const runs = [
      await runInProcess(["apply", first], env),
      // The same conversion again: DuplicateConversionKey.
      await runInProcess(["apply", write([HEADER, conversionOk].join("\n"))], env),
      // Retract one conversion (counted), and one that was never sent: AdjustmentOriginalNotFound.
      await runInProcess(
        [
          "adjust",
          write(
            [
              "Adjustment Type,Adjustment Time,Microsoft Click Id,Conversion Name,Conversion Time",
              `Retract,${isoAgo(5 * MINUTE)},${click.retracted},Recon Purchase,${retractedAt}`,
              `Retract,${isoAgo(5 * MINUTE)},${click.never},Recon Purchase,${isoAgo(30 * MINUTE)}`
            ].join("\n")
          )
        ],
        env
      ),
      // The retracted conversion again: ConversionAlreadyRetracted.
      await runInProcess(
        ["apply", write([HEADER, `${click.retracted},Recon Purchase,${retractedAt},,`].join("\n"))],
        env
      )
    ]
    for (const run of runs) expect(run.code, run.stderr).toBe(0)
    // What the emulator learns after the upload: two clicks (one after its conversion, one far before it), and the
    // second goal paused.
    emulator.registerClicks({ [click.after]: isoAgo(5 * MINUTE), [click.outside]: isoAgo(3 * 60 * MINUTE) })
    emulator.registerGoals([{ name: "Recon Paused", createdAt: threeHoursAgo, status: "Paused" }])

    const day = today()
    const json = await runInProcess(
      ["report", "--goals", "Recon Purchase,Recon Paused", "--from", day, "--to", day, "--json"],
      env
    )
    expect(json.code, json.stderr).toBe(0)
    const report = JSON.parse(json.stdout)
    const [purchase, paused] = report.goals
    expect(purchase).toMatchObject({
      name: "Recon Purchase",
      successCount: 3,
      unattributedCount: 7,
      sent: 10,
      unattributed: {
        NoMatchingClickFound: 2,
        ClickTimestampAfterConversion: 1,
        OutsideGoalLookbackWindow: 1,
        DuplicateConversionKey: 1,
        AdjustmentOriginalNotFound: 1,
        ConversionAlreadyRetracted: 1
      }
    })
    expect(purchase.days).toEqual([
      { date: day, successCount: 3, unattributedCount: 7, unattributed: purchase.unattributed, sent: 10 }
    ])
    expect(paused).toMatchObject({
      name: "Recon Paused",
      successCount: 0,
      unattributedCount: 1,
      sent: 1,
      unattributed: { GoalNotFoundOrInactive: 1 }
    })
    expect(Object.keys(report.hints).sort()).toEqual(
      [
        "AdjustmentOriginalNotFound",
        "ClickTimestampAfterConversion",
        "ConversionAlreadyRetracted",
        "DuplicateConversionKey",
        "GoalNotFoundOrInactive",
        "NoMatchingClickFound",
        "OutsideGoalLookbackWindow"
      ].sort()
    )

    // The same by id, as a table, over SOAP settings (the report itself goes over REST).
    const table = await runInProcess(
      ["report", "--goals", `${purchase.id},Recon Paused`, "--from", day, "--to", day, "--transport", "soap"],
      env
    )
    expect(table.code, table.stderr).toBe(0)
    expect(table.stderr).toContain("REST-only at Microsoft: it is fetched over REST")
    expect(table.stdout).toContain(
      `Goal "Recon Purchase" (id ${purchase.id}): sent 10, counted 3 (30.0 %), not counted 7`
    )
    expect(table.stdout).toMatch(new RegExp(`${day}\\s+10\\s+3\\s+7`))
    const hints: Record<string, RegExp> = {
      NoMatchingClickFound: /NoMatchingClickFound ×2\n\s+→ unknown click id/,
      ClickTimestampAfterConversion:
        /ClickTimestampAfterConversion ×1\n\s+→ click after conversion: your conversion times are probably local time, not UTC — use --timezone/,
      OutsideGoalLookbackWindow: /OutsideGoalLookbackWindow ×1\n\s+→ conversion too long after its click/,
      DuplicateConversionKey: /DuplicateConversionKey ×1\n\s+→ sent before/,
      AdjustmentOriginalNotFound: /AdjustmentOriginalNotFound ×1\n\s+→ adjustment without its conversion/,
      ConversionAlreadyRetracted: /ConversionAlreadyRetracted ×1\n\s+→ the conversion was retracted before/,
      GoalNotFoundOrInactive: /GoalNotFoundOrInactive ×1\n\s+→ the goal is paused, deleted or missing/
    }
    for (const [reason, hint] of Object.entries(hints)) expect(table.stdout, reason).toMatch(hint)

    // No click id, raw or hashed email or phone in the ledger's files, nor in anything the runs printed.
    const secrets = [
      ...Object.values(click),
      email,
      email.toLowerCase(),
      sha256(email.toLowerCase()),
      phone,
      "+14255550199",
      sha256("+14255550199")
    ]
    const ledgerDir = join(dir, "state")
    const ledgerFiles = readdirSync(ledgerDir).filter((name) => name.startsWith("ledger.db"))
    expect(ledgerFiles).toContain("ledger.db")
    for (const name of ledgerFiles) {
      const bytes = readFileSync(join(ledgerDir, name)).toString("latin1")
      expect(bytes).toContain("Recon Purchase")
      for (const secret of secrets) expect(bytes, `${name} holds ${secret}`).not.toContain(secret)
    }
    for (const run of [...runs, json, table]) {
      for (const secret of secrets.slice(Object.values(click).length)) {
        expect(run.stdout + run.stderr).not.toContain(secret)
      }
    }
  })

  it("without --goals keeps the daily summary; an unknown goal is named with the account's goals", async () => {
    const day = today()
    const unknown = await runInProcess(["report", "--goals", "No Such Goal", "--from", day, "--to", day], env)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(
      /--goals: no offline conversion goal is named or numbered "No Such Goal"; the account has/
    )
    expect(unknown.stderr).not.toMatch(/\n\s+at /)
  })

  it("refuses a day that is not a calendar day, a range that ends before it starts or is longer than 90 days, naming the options", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [
        ["--from", "2026-02-30", "--to", "2026-03-02"],
        '--from must be a date like 2026-11-01 (a UTC calendar day), got "2026-02-30"'
      ],
      [
        ["--from", "2026-03-01", "--to", "March 2"],
        '--to must be a date like 2026-11-01 (a UTC calendar day), got "March 2"'
      ],
      [
        ["--from", "2026-03-05", "--to", "2026-03-01"],
        "--to must not be before --from (got --from 2026-03-05 --to 2026-03-01)"
      ],
      [
        ["--from", "2016-01-01", "--to", "2026-01-01"],
        "--from 2016-01-01 --to 2026-01-01 covers 3654 days; with --goals the report covers at most 90 days at once " +
          "(Microsoft answers 7 days per request): narrow --from/--to, or run one report per 90 days"
      ],
      [
        ["--from", "2026-01-01", "--to", "2026-04-01"],
        "--from 2026-01-01 --to 2026-04-01 covers 91 days; with --goals the report covers at most 90 days at once"
      ]
    ]
    for (const [dates, message] of cases) {
      const run = await runInProcess(["report", "--goals", "Any Goal", ...dates], env)
      expect(run.code, dates.join(" ")).toBe(1)
      expect(run.stderr).toContain(message)
      expect(run.stderr).not.toMatch(/\n\s+at /)
      expect(run.stdout).toBe("")
    }
  })
})

/** A proxy to the emulator that answers the per-goal report as it was 30 days ago (Microsoft's report lagging). */
const staleReportProxy = (target: string): Promise<{ url: string; server: Server }> =>
  new Promise((resolve) => {
    const server = createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        let body = Buffer.concat(chunks)
        if (req.url?.endsWith("/OfflineConversionReport/QueryByGoalIds")) {
          const parsed = JSON.parse(body.toString("utf8"))
          const stale = new Date(Date.now() - 30 * 86_400_000).toISOString()
          body = Buffer.from(JSON.stringify({ ...parsed, StartDateUtc: stale, EndDateUtc: stale }))
        }
        const headers = { ...req.headers, "content-length": String(body.length) }
        const forward = httpRequest(`${target}${req.url}`, { method: req.method, headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
        })
        forward.end(body)
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      resolve({ url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`, server })
    })
  })

describe("uplink apply --wait-for-report", () => {
  it("prints the attribution outcome of the run once the report covers it", async () => {
    emulator.registerGoals([{ name: "Wait Goal", createdAt: Date.now() - 3 * 60 * MINUTE }])
    const known = clickId("wait-known")
    emulator.registerClicks({ [known]: isoAgo(30 * MINUTE) })
    const file = write(
      [
        HEADER,
        `${known},Wait Goal,${isoAgo(10 * MINUTE)},,`,
        `${clickId("wait-unknown")},Wait Goal,${isoAgo(10 * MINUTE)},,`
      ].join("\n")
    )
    const json = await runInProcess(["apply", file, "--wait-for-report", "--json"], env)
    expect(json.code, json.stderr).toBe(0)
    const summary = JSON.parse(json.stdout)
    expect(summary.attribution).toMatchObject({
      status: "covered",
      goals: [
        { name: "Wait Goal", sent: 2, successCount: 1, unattributedCount: 1, unattributed: { NoMatchingClickFound: 1 } }
      ]
    })
    expect(summary.ledger).toMatchObject({ path: join(dir, "state", "ledger.db"), error: null })

    const text = await runInProcess(
      [
        "apply",
        write([HEADER, `${clickId("wait-unknown-2")},Wait Goal,${isoAgo(9 * MINUTE)},,`].join("\n")),
        "--wait-for-report"
      ],
      env
    )
    expect(text.code, text.stderr).toBe(0)
    expect(text.stderr).toContain("waiting for Microsoft's per-goal report to cover the run")
    expect(text.stdout).toMatch(
      /"Wait Goal" \(id \d+\): sent 1, counted 0, not counted 1\n\s+NoMatchingClickFound ×1\n\s+→ unknown click id/
    )
  })

  it("refuses --report-timeout without --wait-for-report (exit 1, nothing sent) instead of ignoring it", async () => {
    emulator.registerGoals([{ name: "Timeout Goal", createdAt: Date.now() - 3 * 60 * MINUTE }])
    const file = write([HEADER, `${clickId("timeout-alone")},Timeout Goal,${isoAgo(10 * MINUTE)},,`].join("\n"))
    const sentBefore = emulator.state().requestsByOp.ApplyOfflineConversions ?? 0
    for (const mode of ["apply", "adjust"]) {
      const run = await runInProcess([mode, file, "--report-timeout", "2s"], env)
      expect(run.code, `${mode}: ${run.stderr}`).toBe(1)
      expect(run.stderr).toBe(
        "uplink: --report-timeout only sets how long --wait-for-report waits: add --wait-for-report, or leave " +
          "--report-timeout out\n"
      )
      expect(run.stdout).toBe("")
    }
    expect(emulator.state().requestsByOp.ApplyOfflineConversions ?? 0).toBe(sentBefore)
  })

  it("says clearly when the report does not cover the run before the timeout", async () => {
    emulator.registerGoals([{ name: "Slow Goal", createdAt: Date.now() - 3 * 60 * MINUTE }])
    const proxy = await staleReportProxy(emulator.url)
    try {
      const file = write([HEADER, `${clickId("slow")},Slow Goal,${isoAgo(10 * MINUTE)},,`].join("\n"))
      const started = Date.now()
      const run = await runInProcess(["apply", file, "--wait-for-report", "--report-timeout", "2s"], {
        ...env,
        MSADS_ENDPOINT: proxy.url
      })
      expect(run.code, run.stderr).toBe(0)
      expect(Date.now() - started).toBeGreaterThanOrEqual(2_000)
      expect(run.stdout).toContain("Microsoft's report did not cover the run within 2s (it can take several hours)")
      expect(run.stdout).toContain(`uplink report --goals "Slow Goal" --from ${today()}`)
      expect(run.stdout).toMatch(/"Slow Goal" \(id \d+\): sent 1, counted 0, not counted 0/)
    } finally {
      await new Promise((resolve) => proxy.server.close(resolve))
    }
  })
})

describe("a goal younger than two hours", () => {
  it("has its records refused with when to send them, or held with --hold until it takes them", async () => {
    // The emulator's goals are old enough; Uplink's record (its own config folder) says "Fresh Goal" was created two
    // hours less 4 seconds ago, and "Young Goal" 30 minutes ago.
    emulator.registerGoals([
      { name: "Fresh Goal", createdAt: Date.now() - 3 * 60 * MINUTE },
      { name: "Young Goal", createdAt: Date.now() - 3 * 60 * MINUTE }
    ])
    const own = join(scratch(), "config")
    mkdirSync(own, { recursive: true })
    const goalEnv = { ...env, UPLINK_TOKEN_FILE: join(own, "tokens.json") }
    const freshCreated = new Date(Date.now() - 2 * 60 * MINUTE + 4_000)
    const youngCreated = new Date(Date.now() - 30 * MINUTE)
    writeFileSync(
      join(own, "goals.json"),
      JSON.stringify({
        [env.MSADS_ACCOUNT_ID!]: { "Fresh Goal": freshCreated.toISOString(), "Young Goal": youngCreated.toISOString() }
      })
    )
    const fresh = write([HEADER, `${clickId("fresh")},Fresh Goal,${isoAgo(10 * MINUTE)},,`].join("\n"))
    const young = write([HEADER, `${clickId("young")},Young Goal,${isoAgo(10 * MINUTE)},,`].join("\n"))
    const before = emulator.state().accepted.length

    const held = await runInProcess(["apply", fresh, "--hold"], goalEnv)
    expect(held.code, held.stderr).toBe(0)
    expect(held.stderr).toMatch(/holding: Microsoft takes conversions for "Fresh Goal" from .* waiting, then sending/)
    expect(held.stdout).toMatch(/accepted\s+1/)
    expect(emulator.state().accepted.length).toBe(before + 1)

    const results = join(dir, "young.csv")
    const refused = await runInProcess(["apply", young, "--results", results], goalEnv)
    expect(refused.code).toBe(2)
    const readyAt = new Date(youngCreated.getTime() + 2 * 60 * MINUTE).toISOString()
    expect(readFileSync(results, "utf8")).toContain(
      `\n2,invalid,5615,OfflineConversionNotAcceptedForGoal,"Not sent: goal ""Young Goal"" was created at ` +
        `${youngCreated.toISOString()} and Microsoft takes its conversions from ${readyAt} (two hours later). ` +
        'Send again then, or use --hold to wait."'
    )
    expect(emulator.state().accepted.length).toBe(before + 1)
    // A dry run says the same; with --hold the record would be sent (after the wait), so it is ready.
    const dryRun = await runInProcess(["apply", young, "--dry-run", "--results", results], goalEnv)
    expect(dryRun.code).toBe(2)
    expect(readFileSync(results, "utf8")).toMatch(/\n2,invalid,5615,OfflineConversionNotAcceptedForGoal,/)
    const dryHold = await runInProcess(["apply", young, "--dry-run", "--hold", "--results", results], goalEnv)
    expect(dryHold.code, dryHold.stderr).toBe(0)
    expect(readFileSync(results, "utf8")).toMatch(/\n2,ready,/)
  })
})

describe("the ledger's place", () => {
  it("is the XDG state folder (else ~/.local/state), private; UPLINK_LEDGER=off and --no-ledger keep none", async () => {
    emulator.registerGoals([{ name: "Ledger Goal", createdAt: Date.now() - 3 * 60 * MINUTE }])
    const file = write([HEADER, `${clickId("ledger-1")},Ledger Goal,${isoAgo(10 * MINUTE)},,`].join("\n"))
    const { UPLINK_LEDGER: _, ...withoutLedger } = env
    const home = scratch()
    const state = join(scratch(), "state")
    const byXdg = await runInProcess(["apply", file, "--json"], { ...withoutLedger, XDG_STATE_HOME: state, HOME: home })
    expect(byXdg.code, byXdg.stderr).toBe(0)
    const xdgFile = join(state, "uplink", "ledger.db")
    expect(JSON.parse(byXdg.stdout).ledger).toMatchObject({ path: xdgFile, rows: 1, error: null })
    expect(statSync(xdgFile).mode & 0o777).toBe(0o600)

    const byHome = await runInProcess(["apply", file, "--json"], { ...withoutLedger, HOME: home })
    expect(JSON.parse(byHome.stdout).ledger).toMatchObject({
      path: join(home, ".local", "state", "uplink", "ledger.db")
    })

    const offHome = scratch()
    for (const off of [
      await runInProcess(["apply", file, "--json"], { ...withoutLedger, HOME: offHome, UPLINK_LEDGER: "off" }),
      await runInProcess(["apply", file, "--json", "--no-ledger"], { ...withoutLedger, HOME: offHome })
    ]) {
      expect(off.code, off.stderr).toBe(0)
      expect(JSON.parse(off.stdout).ledger).toBeNull()
    }
    expect(readdirSync(offHome)).toEqual([])

    // The report says when there is no ledger to put next to Microsoft's numbers.
    const day = today()
    const report = await runInProcess(
      ["report", "--goals", "Ledger Goal", "--from", day, "--to", day, "--no-ledger"],
      env
    )
    expect(report.code, report.stderr).toBe(0)
    expect(report.stdout).toMatch(/Goal "Ledger Goal" \(id \d+\): sent -, counted/)
    expect(report.stdout).toContain("(the ledger is off: sent counts are not shown)")
    const missing = join(scratch(), "none.db")
    const none = await runInProcess(
      ["report", "--goals", "Ledger Goal", "--from", day, "--to", day, "--ledger", missing],
      env
    )
    expect(none.stdout).toContain(`(no ledger at ${missing} (nothing was sent from here with a ledger)`)
    // A file that is not a ledger is named as such, not taken for a missing one.
    const broken = join(scratch(), "broken.db")
    writeFileSync(broken, "not a database, but long enough to be read as one: ".repeat(200))
    const unreadable = await runInProcess(
      ["report", "--goals", "Ledger Goal", "--from", day, "--to", day, "--ledger", broken],
      env
    )
    expect(unreadable.code, unreadable.stderr).toBe(0)
    expect(unreadable.stdout).toContain(`(the ledger ${broken} cannot be opened: file is not a database: sent counts`)
  })
})

describe("apply --goal-check against the goals' settings", () => {
  it("warns once per goal and kind, and counts, conversions outside the window, before the goal, hashed-only for a goal without enhanced conversions", async () => {
    emulator.registerGoals([
      { name: "Window Goal", createdAt: Date.now() - 3 * 60 * MINUTE, conversionWindowInMinutes: 60 },
      { name: "Enhanced Goal", createdAt: Date.now() - 3 * 60 * MINUTE, isEnhancedConversionsEnabled: true }
    ])
    // Its own config folder: Uplink's record says "Window Goal" was created 150 minutes ago (old enough to send).
    const own = join(scratch(), "config")
    mkdirSync(own, { recursive: true })
    const windowCreated = new Date(Date.now() - 150 * MINUTE)
    writeFileSync(
      join(own, "goals.json"),
      JSON.stringify({ [env.MSADS_ACCOUNT_ID!]: { "Window Goal": windowCreated.toISOString() } })
    )
    const goalEnv = { ...env, UPLINK_TOKEN_FILE: join(own, "tokens.json"), UPLINK_LEDGER: "off" }
    const digest = sha256("someone@example.com")
    const file = write(
      [
        "Microsoft Click Id,Conversion Name,Conversion Time,Hashed Email Address",
        `${clickId("gs1")},Window Goal,${isoAgo(10 * MINUTE)},`, // fine
        `${clickId("gs2")},Window Goal,${isoAgo(100 * MINUTE)},`, // older than the 60-minute window
        `${clickId("gs3")},Window Goal,${isoAgo(160 * MINUTE)},`, // older than the window, and before the goal was created
        `,Window Goal,${isoAgo(20 * MINUTE)},${digest}`, // hashed only; the goal has no enhanced conversions
        `,Window Goal,${isoAgo(21 * MINUTE)},${digest}`,
        `,Enhanced Goal,${isoAgo(20 * MINUTE)},${digest}` // hashed only, enhanced conversions on: fine
      ].join("\n")
    )
    const json = await runInProcess(["apply", file, "--goal-check", "--json"], goalEnv)
    // Warnings, not refusals: Microsoft may still count these records.
    expect(json.code, json.stderr).toBe(0)
    const summary = JSON.parse(json.stdout)
    expect(summary.byStatus.accepted).toBe(6)
    expect(summary.goalSettings).toEqual({
      "Window Goal": { olderThanWindow: 2, beforeCreated: 1, notEnhanced: 2 }
    })
    expect(summary.warnings).toEqual([
      expect.stringMatching(
        /^line 3: the conversion is dated more than the conversion window of goal "Window Goal" \(1 hour\) ago/
      ),
      expect.stringMatching(
        new RegExp(
          `^line 4: the conversion is dated before goal "Window Goal" was created \\(${windowCreated.toISOString()}\\)`
        )
      ),
      expect.stringMatching(/^line 5: goal "Window Goal" is not enabled for enhanced conversions/)
    ])

    const text = await runInProcess(["apply", file, "--goal-check"], goalEnv)
    expect(text.stderr).toContain('uplink: warning: line 5: goal "Window Goal" is not enabled for enhanced conversions')
    expect(text.stdout).toContain(
      'goal "Window Goal": 2 dated longer ago than its conversion window; 1 dated before it was created; 2 with only ' +
        "hashed email/phone, not enabled for enhanced conversions"
    )
    expect(text.stdout).not.toContain('goal "Enhanced Goal"')
    // Without --goal-check the goals' settings are not known: no such warning.
    const unchecked = await runInProcess(["apply", file, "--json"], goalEnv)
    expect(JSON.parse(unchecked.stdout)).toMatchObject({ goalSettings: null, warnings: [] })
  })
})

describe("the identifier hygiene report of a run", () => {
  it("prints exact shares, digests found in raw columns (sent as they are) and mistyped email domains", async () => {
    emulator.registerGoals([{ name: "Hygiene Goal", createdAt: Date.now() - 3 * 60 * MINUTE }])
    const digest = sha256("someone@example.com")
    const file = write(
      [
        HEADER,
        `${clickId("h1")},Hygiene Goal,${isoAgo(10 * MINUTE)},ann@gmial.com,`,
        `${clickId("h2")},Hygiene Goal,${isoAgo(11 * MINUTE)},,+14255550100`,
        `,Hygiene Goal,${isoAgo(12 * MINUTE)},${digest.toUpperCase()},`,
        `${clickId("h4")},Hygiene Goal,${isoAgo(13 * MINUTE)},,`
      ].join("\n")
    )
    const json = await runInProcess(["apply", file, "--json"], env)
    expect(json.code, json.stderr).toBe(0)
    const { hygiene } = JSON.parse(json.stdout)
    expect(hygiene.total).toMatchObject({
      records: 4,
      withClickId: 3,
      withEmail: 2,
      withPhone: 1,
      shares: { clickId: 0.75, email: 0.5, phone: 0.25 },
      alreadyHashed: { email: 1, phone: 0 },
      emailTypos: { count: 1, domains: [{ domain: "gmial.com", suggestion: "gmail.com", count: 1, firstLine: 2 }] }
    })
    const sent = emulator.state().accepted.filter((entry) => entry.ConversionName === "Hygiene Goal")
    expect(sent.find((entry) => entry.MicrosoftClickId === null)?.HashedEmailAddress).toBe(digest)
    const text = await runInProcess(["apply", file, "--no-ledger"], env)
    expect(text.stdout).toContain("Identifiers: click id 75.0 % (3/4), email 50.0 % (2/4), phone 25.0 % (1/4)")
    expect(text.stdout).toContain("already SHA-256 digests in raw columns: Email 1, Phone 0")
    expect(text.stdout).toContain("gmial.com ×1 (gmail.com?, first on line 2)")
    expect(text.stderr).toContain("line 4: the Email value is already a SHA-256 digest")
    expect(text.stdout).not.toContain("Ledger:")
  })
})
