/**
 * @uplink/cli: the `uplink` command. `main(argv)` runs it and resolves to the exit code (used by the bin); `run(argv)`
 * is the same as an Effect (tests run it in-process with their own Console and ConfigProvider).
 */
export { main, type RunOptions, run, VERSION } from "./cli.js"
