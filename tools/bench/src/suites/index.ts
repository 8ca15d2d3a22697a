/**
 * Every benchmark suite, in run order. Add a new subject as a module in this folder and list it here.
 */
import type { Suite } from "../suite.js"
import { codecSuite } from "./codec.js"
import { deliverySuite } from "./delivery.js"
import { pipelineSuite } from "./pipeline.js"
import { serverPostgresSuite } from "./serverPostgres.js"
import { startupSuite } from "./startup.js"

export const suites: ReadonlyArray<Suite> = [
  codecSuite,
  pipelineSuite,
  deliverySuite,
  serverPostgresSuite,
  startupSuite
]
