/**
 * A TCP forwarder in front of a service that a test can take "down" and bring back without giving up its port: while
 * down it accepts connections and resets them at once (what a client sees of a service that is not there), while up
 * it pipes bytes both ways. Stopping and restarting the service itself on the same port would let another process take
 * the port in between.
 */
import * as Net from "node:net"

export interface OutageProxy {
  readonly url: string
  /** Refuse (reset) every connection from now on, and cut those open. */
  readonly down: () => void
  /** Forward connections again. */
  readonly up: () => void
  readonly stop: () => Promise<void>
}

/** A forwarder to `target` (`http://host:port`) on a free port of 127.0.0.1, up at first. */
export const startOutageProxy = async (target: string): Promise<OutageProxy> => {
  const { hostname, port } = new URL(target)
  let isDown = false
  const open = new Set<Net.Socket>()
  const server = Net.createServer((client) => {
    if (isDown) {
      client.resetAndDestroy()
      return
    }
    const upstream = Net.connect(Number(port), hostname)
    open.add(client).add(upstream)
    const close = () => {
      client.destroy()
      upstream.destroy()
      open.delete(client)
      open.delete(upstream)
    }
    client.on("error", close).on("close", close)
    upstream.on("error", close).on("close", close)
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address() as Net.AddressInfo
  return {
    url: `http://127.0.0.1:${address.port}`,
    down: () => {
      isDown = true
      for (const socket of open) socket.destroy()
      open.clear()
    },
    up: () => {
      isDown = false
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy()
        server.close(() => resolve())
      })
  }
}
