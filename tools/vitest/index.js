/**
 * Shared vitest settings: every package's vitest configs use these so that test runs look and behave the same
 * everywhere (node environment, no watch, no silent passes). Two gates:
 *
 * - `uplinkVitest` (a package's `vitest.config.ts`, `pnpm test`): the fast unit tests, every `*.test.ts` under `test/`
 *   but the integration files. They run in-process: no child process, browser, database server or million-line file.
 * - `uplinkIntegrationVitest` (`vitest.integration.config.ts`, `pnpm test:integration`): the `*.integration.test.ts`
 *   files, the tests that spawn processes (the built bins, xmllint, npm), drive Chromium, use PostgreSQL, recover from a
 *   crash, stream a million lines or generate from the full WSDL.
 *
 * Under CI each gate also writes a JSON report (`.vitest-results.json`, `.vitest-integration-results.json`), which
 * `tools/scripts/test-summary.mjs` adds up into one closing line for the whole run.
 */
import { configDefaults, defineConfig } from "vitest/config"

/** The file name that puts a test file in the integration gate. */
export const INTEGRATION_TESTS = "test/**/*.integration.test.ts"

/**
 * @param {string} report
 * @param {import("vitest/config").UserConfig["test"]} gate
 * @param {import("vitest/config").UserConfig["test"]} overrides
 */
const config = (report, gate, overrides) =>
  defineConfig({
    test: {
      environment: "node",
      passWithNoTests: false,
      testTimeout: 30_000,
      hookTimeout: 60_000,
      reporters: process.env.CI ? ["default", ["json", { outputFile: report }]] : ["default"],
      // Other workspace packages are imported through their built `dist` (plain ESM): Node loads them as a user's
      // program would, instead of vite transforming the ~1,100 generated contract modules for every test file.
      server: { deps: { external: [/\/(packages|apps|tools)\/[^/]+\/dist\//] } },
      ...gate,
      ...overrides
    }
  })

/**
 * The unit gate (`pnpm test`). Its files share a worker's loaded modules (`isolate: false`): importing the contracts,
 * effect and the emulator once per worker instead of once per file is most of what makes the gate fast, so a unit test
 * may not rely on module state another file leaves behind (none may depend on another's state anyway).
 * @param {import("vitest/config").UserConfig["test"]} overrides
 */
export const uplinkVitest = (overrides = {}) =>
  config(
    ".vitest-results.json",
    { include: ["test/**/*.test.ts"], exclude: [...configDefaults.exclude, INTEGRATION_TESTS], isolate: false },
    overrides
  )

/** The integration gate (`pnpm test:integration`). @param {import("vitest/config").UserConfig["test"]} overrides */
export const uplinkIntegrationVitest = (overrides = {}) =>
  config(".vitest-integration-results.json", { include: [INTEGRATION_TESTS] }, overrides)
