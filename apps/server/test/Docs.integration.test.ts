/**
 * `/docs` in a real headless browser (Debian's chromium through playwright-core): Swagger UI renders the OpenAPI
 * document of the HttpApi, lists every operation, and loads nothing from outside the server (it works offline).
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type Browser, chromium } from "playwright-core"
import { temporaryDirectory } from "./support/files.js"
import { type RunningServer, startInProcess } from "./support/InProcessServer.js"
import { makeTestDeliverer } from "./support/TestDeliverer.js"

const chromiumPath = "/usr/bin/chromium"

describe("/docs", () => {
  let server: RunningServer
  let browser: Browser

  beforeAll(async () => {
    if (!NodeFs.existsSync(chromiumPath)) {
      throw new Error(`${chromiumPath} is missing: apt-get install -y chromium (the CI script installs it)`)
    }
    const deliverer = await Effect.runPromise(makeTestDeliverer())
    server = await startInProcess(deliverer.layer, { databasePath: NodePath.join(temporaryDirectory(), "docs.db") })
    browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] })
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it("shows every operation of the API in Swagger UI without loading anything from elsewhere", async () => {
    const page = await browser.newPage()
    const foreign: Array<string> = []
    page.on("request", (request) => {
      const url = request.url()
      if (!url.startsWith(server.url) && !url.startsWith("data:") && !url.startsWith("blob:")) foreign.push(url)
    })
    await page.goto(`${server.url}/docs`)
    await page.waitForSelector(".opblock-summary-path", { timeout: 20_000 })
    const operations = await page.$$eval(".opblock", (blocks) =>
      blocks.map((block) => {
        const method = block.querySelector(".opblock-summary-method")?.textContent?.trim() ?? ""
        const path = block.querySelector(".opblock-summary-path")?.textContent?.trim() ?? ""
        return `${method} ${path.replace(/\u200b/g, "")}`
      })
    )
    expect(operations.sort()).toEqual(
      [
        "GET /healthz",
        "GET /metrics",
        "GET /readyz",
        "GET /v1/goals/{id}/health",
        "GET /v1/records/{id}",
        "POST /v1/adjustments",
        "POST /v1/conversions"
      ].sort()
    )
    expect(await page.textContent(".title")).toContain("Uplink server")
    // The bearer scheme is offered by the Authorize button.
    expect(await page.locator(".btn.authorize").count()).toBe(1)
    const screenshot = process.env.UPLINK_DOCS_SCREENSHOT ?? NodePath.join(temporaryDirectory(), "docs.png")
    await page.screenshot({ path: screenshot, fullPage: true })
    expect(NodeFs.statSync(screenshot).size).toBeGreaterThan(10_000)
    expect(foreign).toEqual([])
    await page.close()
  })
})
