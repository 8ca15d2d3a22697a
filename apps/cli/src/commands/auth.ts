/**
 * The definitions of `uplink auth login | status | logout` (flags and help); their runs (`../run/auth.ts`: device-code
 * sign-in, the token file) are imported when a command runs.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import { environment, json } from "../options.js"

const clientIdFlag = Options.text("client-id").pipe(
  Options.withDescription("OAuth application (client) id; overrides MSADS_CLIENT_ID"),
  Options.optional
)
const authorityFlag = Options.text("authority").pipe(
  Options.withDescription(
    "OAuth authority; overrides MSADS_AUTHORITY (default https://login.microsoftonline.com/common)"
  ),
  Options.optional
)

const run = () => Effect.promise(() => import("../run/auth.js"))

const authFlags = { clientId: clientIdFlag, authority: authorityFlag, environment }
const statusFlags = { ...authFlags, json }

export type AuthFlags = Command.Command.ParseConfig<typeof authFlags>
export type StatusFlags = Command.Command.ParseConfig<typeof statusFlags>

const login = Command.make("login", authFlags, (flags) => Effect.flatMap(run(), (auth) => auth.login(flags))).pipe(
  Command.withDescription("sign in with a device code and store the refresh token")
)

const status = Command.make("status", statusFlags, (flags) => Effect.flatMap(run(), (auth) => auth.status(flags))).pipe(
  Command.withDescription("show the environment, ids and stored credentials (no secrets)")
)

const logout = Command.make("logout", authFlags, (flags) => Effect.flatMap(run(), (auth) => auth.logout(flags))).pipe(
  Command.withDescription("delete the stored refresh token")
)

export const authCommand = Command.make("auth").pipe(
  Command.withDescription("sign in to Microsoft Advertising (OAuth)"),
  Command.withSubcommands([login, status, logout])
)
