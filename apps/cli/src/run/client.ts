/**
 * The Campaign Management client of the commands that call Microsoft, built from their connection flags (and `extra`
 * settings, e.g. the demo's) over the environment. Lives beside the commands' runs, not in `../options.ts`, because it
 * loads core's client: the command definitions must not.
 */
import { CampaignManagement } from "@uplink/core"
import * as Layer from "effect/Layer"
import { type ConnectionFlags, configLayer } from "../options.js"

/** The Campaign Management client built from the flags (and `extra` settings) over the environment. */
export const clientLayer = (flags: ConnectionFlags, extra?: ReadonlyMap<string, string>) =>
  CampaignManagement.layerConfig.pipe(Layer.provide(configLayer(flags, extra)))
