/** @uplink/cli: the `uplink` command. `main(argv)` runs it and resolves to the exit code (used by the bin and tests). */
export { main, VERSION } from "./cli.js"
