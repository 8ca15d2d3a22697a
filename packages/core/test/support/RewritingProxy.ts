/**
 * A loopback HTTP proxy in front of the emulator that can rewrite responses: it turns error statuses into 200 (a
 * fault with HTTP 200 over REST, which the emulator only does for SOAP) or replaces the body with a well-formed
 * document that is not the contract. Everything else passes through unchanged.
 */
import * as NodeHttp from "node:http"
import type { AddressInfo } from "node:net"

export interface Rewrite {
  /** The status to answer instead of the upstream one. */
  readonly status?: (upstream: number) => number
  /** The body to answer instead of the upstream one. */
  readonly body?: (upstream: string, path: string) => string
}

export interface RewritingProxy {
  readonly url: string
  /** The rewrite applied to API responses from now on (undefined: pass through). */
  rewrite: Rewrite | undefined
  readonly stop: () => Promise<void>
}

export const startRewritingProxy = async (upstream: string): Promise<RewritingProxy> => {
  const target = new URL(upstream)
  const proxy: { rewrite: Rewrite | undefined } = { rewrite: undefined }
  const server = NodeHttp.createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const forward = NodeHttp.request(
        {
          host: target.hostname,
          port: target.port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, host: target.host }
        },
        (upstreamResponse) => {
          const body: Array<Buffer> = []
          upstreamResponse.on("data", (chunk: Buffer) => body.push(chunk))
          upstreamResponse.on("end", () => {
            const rewrite = request.url?.includes("oauth2") ? undefined : proxy.rewrite
            const status = rewrite?.status?.(upstreamResponse.statusCode ?? 500) ?? upstreamResponse.statusCode ?? 500
            const text = Buffer.concat(body).toString("utf8")
            const answer = rewrite?.body?.(text, request.url ?? "") ?? text
            const headers = { ...upstreamResponse.headers }
            delete headers["content-length"]
            delete headers["transfer-encoding"]
            response.writeHead(status, { ...headers, "content-length": Buffer.byteLength(answer) })
            response.end(answer)
          })
        }
      )
      forward.on("error", () => response.destroy())
      forward.end(Buffer.concat(chunks))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(proxy, {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  })
}
