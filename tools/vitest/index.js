/**
 * Shared vitest settings: every package's vitest.config.ts uses these so that test runs look and behave the same
 * everywhere (node environment, no watch, no silent passes). Under CI a JSON report is also written to
 * `.vitest-results.json`, which `tools/scripts/test-summary.mjs` adds up into one closing line for the whole run.
 */
import { defineConfig } from "vitest/config"

/** @param {import("vitest/config").UserConfig["test"]} overrides */
export const uplinkVitest = (overrides = {}) =>
  defineConfig({
    test: {
      environment: "node",
      include: ["test/**/*.test.ts"],
      passWithNoTests: false,
      testTimeout: 30_000,
      hookTimeout: 60_000,
      reporters: process.env.CI ? ["default", ["json", { outputFile: ".vitest-results.json" }]] : ["default"],
      // Other workspace packages are imported through their built `dist` (plain ESM): Node loads them as a user's
      // program would, instead of vite transforming the ~1,100 generated contract modules for every test file.
      server: { deps: { external: [/\/(packages|apps|tools)\/[^/]+\/dist\//] } },
      ...overrides
    }
  })
