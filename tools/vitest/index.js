/**
 * Shared vitest settings: every package's vitest.config.ts spreads these so that test runs look and
 * behave the same everywhere (node environment, no watch, no silent passes).
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
      reporters: ["default"],
      ...overrides
    }
  })
