import { afterAll, assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Option, Redacted } from "effect"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { defaultTokenFile, TokenStore, tokenFileFromEnv } from "../src/auth/TokenStore.js"

const created: Array<string> = []
const tempDir = () => {
  const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "uplink-tokens-"))
  created.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of created) NodeFs.rmSync(dir, { recursive: true, force: true })
})
const mode = (path: string) => NodeFs.statSync(path).mode & 0o777
const production = { clientId: "client-a", environment: "production" } as const
const sandbox = { clientId: "client-a", environment: "sandbox" } as const

const withFileStore = <A, E>(path: string, f: (store: typeof TokenStore.Service) => Effect.Effect<A, E>) =>
  Effect.flatMap(TokenStore, f).pipe(Effect.provide(TokenStore.layerFile(path)))

describe("TokenStore (file)", () => {
  it.effect("saves, loads and removes per client id and environment in a 0600 file inside a 0700 folder", () =>
    Effect.gen(function* () {
      const path = NodePath.join(tempDir(), "nested", "uplink", "tokens.json")
      yield* withFileStore(path, (store) =>
        Effect.gen(function* () {
          assert.isTrue(Option.isNone(yield* store.load(production)))
          yield* store.save(production, Redacted.make("refresh-prod"))
          yield* store.save(sandbox, Redacted.make("refresh-sandbox"))
          assert.strictEqual(mode(path), 0o600)
          assert.strictEqual(mode(NodePath.dirname(path)), 0o700)
          const loaded = yield* store.load(production)
          assert.strictEqual(Redacted.value(Option.getOrThrow(loaded)), "refresh-prod")
          yield* store.save(production, Redacted.make("refresh-prod-2"))
          assert.strictEqual(Redacted.value(Option.getOrThrow(yield* store.load(production))), "refresh-prod-2")
          assert.strictEqual(Redacted.value(Option.getOrThrow(yield* store.load(sandbox))), "refresh-sandbox")
          yield* store.remove(production)
          assert.isTrue(Option.isNone(yield* store.load(production)))
          assert.isTrue(Option.isSome(yield* store.load(sandbox)))
        })
      )
      const file = JSON.parse(NodeFs.readFileSync(path, "utf8"))
      assert.strictEqual(file.version, 1)
      assert.deepStrictEqual(
        file.tokens.map((t: { clientId: string; environment: string }) => [t.clientId, t.environment]),
        [["client-a", "sandbox"]]
      )
      assert.deepStrictEqual(NodeFs.readdirSync(NodePath.dirname(path)), ["tokens.json"])
    })
  )

  it.effect("keeps other keys of the file and tightens a loose mode on rewrite", () =>
    Effect.gen(function* () {
      const path = NodePath.join(tempDir(), "tokens.json")
      NodeFs.writeFileSync(path, JSON.stringify({ version: 1, tokens: [], goals: { a: 1 } }), { mode: 0o644 })
      yield* withFileStore(path, (store) => store.save(production, Redacted.make("r")))
      assert.strictEqual(mode(path), 0o600)
      assert.deepStrictEqual(JSON.parse(NodeFs.readFileSync(path, "utf8")).goals, { a: 1 })
    })
  )

  it.effect("a corrupt file fails with a message naming the file and not quoting it", () =>
    Effect.gen(function* () {
      const path = NodePath.join(tempDir(), "tokens.json")
      NodeFs.writeFileSync(path, '{"tokens": [{"clientId": "x", "refreshToken": "super-secret-value"', { mode: 0o600 })
      const error = yield* Effect.flip(withFileStore(path, (store) => store.load(production)))
      assert.strictEqual(error._tag, "TokenStoreError")
      assert.include(error.message, path)
      assert.notInclude(error.message, "super-secret-value")
      NodeFs.writeFileSync(path, JSON.stringify({ tokens: [{ clientId: 1 }] }))
      const shape = yield* Effect.flip(withFileStore(path, (store) => store.load(production)))
      assert.strictEqual(shape.action, "parse")
    })
  )

  it.effect("the path comes from UPLINK_TOKEN_FILE, else XDG_CONFIG_HOME, else ~/.config", () =>
    Effect.gen(function* () {
      const read = (env: Record<string, string>) =>
        Effect.withConfigProvider(tokenFileFromEnv, ConfigProvider.fromMap(new Map(Object.entries(env))))
      assert.strictEqual(yield* read({ UPLINK_TOKEN_FILE: "/x/t.json", XDG_CONFIG_HOME: "/c" }), "/x/t.json")
      assert.strictEqual(yield* read({ XDG_CONFIG_HOME: "/c" }), "/c/uplink/tokens.json")
      assert.strictEqual(yield* read({}), NodePath.join(NodeOs.homedir(), ".config", "uplink", "tokens.json"))
      assert.strictEqual(defaultTokenFile(""), NodePath.join(NodeOs.homedir(), ".config", "uplink", "tokens.json"))
    })
  )

  it.effect("layerConfig writes where UPLINK_TOKEN_FILE says", () =>
    Effect.gen(function* () {
      const path = NodePath.join(tempDir(), "from-env.json")
      const layer = TokenStore.layerConfig.pipe(
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["UPLINK_TOKEN_FILE", path]]))))
      )
      yield* Effect.flatMap(TokenStore, (store) => store.save(production, Redacted.make("r"))).pipe(
        Effect.provide(layer)
      )
      assert.strictEqual(mode(path), 0o600)
    })
  )
})

describe("TokenStore (memory)", () => {
  it.effect("is seeded and isolated per key", () =>
    Effect.gen(function* () {
      const store = yield* TokenStore
      assert.strictEqual(Redacted.value(Option.getOrThrow(yield* store.load(production))), "seed")
      assert.isTrue(Option.isNone(yield* store.load(sandbox)))
      yield* store.remove(production)
      assert.isTrue(Option.isNone(yield* store.load(production)))
    }).pipe(Effect.provide(TokenStore.layerMemory([[production, "seed"]])))
  )
})
