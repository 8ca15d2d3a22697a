/**
 * `TokenStore`: where OAuth refresh tokens live between runs, keyed by client id and environment. The default is a
 * JSON file readable by its owner only (mode 0600, folder 0700) at `UPLINK_TOKEN_FILE`, else
 * `$XDG_CONFIG_HOME/uplink/tokens.json` (`~/.config/uplink/tokens.json`). The service is pluggable: provide another
 * `TokenStore` layer (a keychain, a secret manager) and `Auth` persists rotated refresh tokens there.
 *
 * File format: `{"version": 1, "tokens": [{"clientId", "environment", "refreshToken", "updatedAt"}]}`; other top-level
 * keys are kept when the file is rewritten. Writes go to a temporary file that is renamed over the old one.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import type { Environment } from "../config/MsadsConfig.js"

/** Which refresh token: one per OAuth client id and environment. */
export interface TokenKey {
  readonly clientId: string
  readonly environment: Environment
}

/** The token file could not be read, parsed or written. Never carries the file's content. */
export class TokenStoreError extends Data.TaggedError("TokenStoreError")<{
  readonly location: string
  readonly action: "read" | "parse" | "write"
  readonly detail: string
}> {
  override get message(): string {
    return `cannot ${this.action} the token store ${this.location}: ${this.detail}`
  }
}

/** The store's operations. */
export interface TokenStoreShape {
  /** Where tokens are kept (a file path), for messages. */
  readonly location: string
  readonly load: (key: TokenKey) => Effect.Effect<Option.Option<Redacted.Redacted<string>>, TokenStoreError>
  readonly save: (key: TokenKey, refreshToken: Redacted.Redacted<string>) => Effect.Effect<void, TokenStoreError>
  readonly remove: (key: TokenKey) => Effect.Effect<void, TokenStoreError>
}

interface StoredEntry {
  readonly clientId: string
  readonly environment: string
  readonly refreshToken: string
  readonly updatedAt?: string
}

interface TokenFile {
  readonly [key: string]: unknown
  readonly version: 1
  readonly tokens: ReadonlyArray<StoredEntry>
}

const isEntry = (value: unknown): value is StoredEntry =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as StoredEntry).clientId === "string" &&
  typeof (value as StoredEntry).environment === "string" &&
  typeof (value as StoredEntry).refreshToken === "string"

/** Parses the file's text; the message never quotes the content. */
const parseTokenFile = (text: string): TokenFile | string => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return "the file is not valid JSON; delete it and log in again"
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return "the file is not a JSON object"
  const tokens = (json as { tokens?: unknown }).tokens ?? []
  if (!Array.isArray(tokens) || !tokens.every(isEntry))
    return `"tokens" is not a list of {clientId, environment, refreshToken}`
  return { ...(json as object), version: 1, tokens }
}

const sameKey = (entry: StoredEntry, key: TokenKey) =>
  entry.clientId === key.clientId && entry.environment === key.environment

/** The default token file: `$XDG_CONFIG_HOME/uplink/tokens.json`, with `~/.config` when XDG_CONFIG_HOME is unset. */
export const defaultTokenFile = (xdgConfigHome: string | undefined): string =>
  NodePath.join(
    xdgConfigHome !== undefined && xdgConfigHome.trim() !== ""
      ? xdgConfigHome
      : NodePath.join(NodeOs.homedir(), ".config"),
    "uplink",
    "tokens.json"
  )

/** The token file path from `UPLINK_TOKEN_FILE`, else the XDG default. */
export const tokenFileFromEnv: Config.Config<string> = Config.option(Config.nonEmptyString("UPLINK_TOKEN_FILE")).pipe(
  Config.zip(Config.option(Config.string("XDG_CONFIG_HOME"))),
  Config.map(([file, xdg]) => Option.getOrElse(file, () => defaultTokenFile(Option.getOrUndefined(xdg))))
)

/** A file-backed store at `path` (mode 0600). */
export const makeFileStore = (path: string): Effect.Effect<TokenStoreShape, never, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const lock = yield* Effect.makeSemaphore(1)
    const fail = (action: TokenStoreError["action"], detail: string) =>
      new TokenStoreError({ location: path, action, detail })

    const read: Effect.Effect<TokenFile, TokenStoreError> = fs.readFileString(path).pipe(
      Effect.map(Option.some),
      Effect.catchIf(
        (error) => error._tag === "SystemError" && error.reason === "NotFound",
        () => Effect.succeed(Option.none<string>())
      ),
      Effect.mapError((error) => fail("read", error.message)),
      Effect.flatMap(
        Option.match({
          onNone: () => Effect.succeed<TokenFile>({ version: 1, tokens: [] }),
          onSome: (text) => {
            const parsed = parseTokenFile(text)
            return typeof parsed === "string" ? Effect.fail(fail("parse", parsed)) : Effect.succeed(parsed)
          }
        })
      )
    )

    const write = (file: TokenFile): Effect.Effect<void, TokenStoreError> => {
      const temporary = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`
      return Effect.gen(function* () {
        yield* fs.makeDirectory(NodePath.dirname(path), { recursive: true, mode: 0o700 })
        yield* fs.writeFileString(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 })
        yield* fs.chmod(temporary, 0o600)
        yield* fs.rename(temporary, path)
      }).pipe(
        Effect.tapError(() => fs.remove(temporary).pipe(Effect.ignore)),
        Effect.mapError((error) => fail("write", error.message))
      )
    }

    const update = (f: (tokens: ReadonlyArray<StoredEntry>) => ReadonlyArray<StoredEntry>) =>
      lock.withPermits(1)(
        Effect.flatMap(read, (file) => {
          const tokens = f(file.tokens)
          return tokens === file.tokens ? Effect.void : write({ ...file, tokens })
        })
      )

    return {
      location: path,
      load: (key) =>
        Effect.map(read, (file) =>
          Option.map(Option.fromNullable(file.tokens.find((entry) => sameKey(entry, key))), (entry) =>
            Redacted.make(entry.refreshToken)
          )
        ),
      save: (key, refreshToken) =>
        update((tokens) => [
          ...tokens.filter((entry) => !sameKey(entry, key)),
          {
            clientId: key.clientId,
            environment: key.environment,
            refreshToken: Redacted.value(refreshToken),
            updatedAt: new Date().toISOString()
          }
        ]),
      remove: (key) =>
        update((tokens) =>
          tokens.some((entry) => sameKey(entry, key)) ? tokens.filter((e) => !sameKey(e, key)) : tokens
        )
    } satisfies TokenStoreShape
  })

/** An in-memory store (tests, or processes that must not write files). */
export const makeMemoryStore = (
  initial: ReadonlyArray<readonly [TokenKey, string]> = []
): Effect.Effect<TokenStoreShape & { readonly snapshot: Effect.Effect<ReadonlyMap<string, string>> }> =>
  Effect.gen(function* () {
    const id = (key: TokenKey) => `${key.environment}:${key.clientId}`
    const tokens = yield* Ref.make(new Map(initial.map(([key, token]) => [id(key), token])))
    return {
      location: "memory",
      load: (key) =>
        Effect.map(Ref.get(tokens), (map) => Option.map(Option.fromNullable(map.get(id(key))), Redacted.make)),
      save: (key, refreshToken) => Ref.update(tokens, (map) => new Map(map).set(id(key), Redacted.value(refreshToken))),
      remove: (key) =>
        Ref.update(tokens, (map) => {
          const next = new Map(map)
          next.delete(id(key))
          return next
        }),
      snapshot: Ref.get(tokens)
    }
  })

/** The refresh-token store service. */
export class TokenStore extends Context.Tag("@uplink/core/TokenStore")<TokenStore, TokenStoreShape>() {
  /** A 0600 JSON file at `path`. */
  static layerFile(path: string): Layer.Layer<TokenStore> {
    return Layer.effect(TokenStore, makeFileStore(path)).pipe(Layer.provide(NodeFileSystem.layer))
  }

  /** The file named by `UPLINK_TOKEN_FILE`, else `$XDG_CONFIG_HOME/uplink/tokens.json`. */
  static readonly layerConfig = Layer.unwrapEffect(Effect.map(tokenFileFromEnv, (path) => TokenStore.layerFile(path)))

  /** An in-memory store, optionally seeded. */
  static layerMemory(initial: ReadonlyArray<readonly [TokenKey, string]> = []): Layer.Layer<TokenStore> {
    return Layer.effect(TokenStore, makeMemoryStore(initial))
  }
}
