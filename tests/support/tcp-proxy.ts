import { connect, createServer, type Server, type Socket } from 'node:net'

/** A TCP proxy to a database that a test can cut (refusing and dropping connections) and restore. */
export async function tcpProxy(targetHost: string, targetPort: number) {
  const sockets = new Set<Socket>()
  let up = true
  const server: Server = createServer((client) => {
    if (!up) {
      client.destroy()
      return
    }
    const upstream = connect(targetPort, targetHost)
    sockets.add(client)
    sockets.add(upstream)
    client.pipe(upstream).pipe(client)
    const close = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('error', close).on('close', close)
    upstream.on('error', close).on('close', close)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  return {
    port,
    cut() {
      up = false
      for (const s of sockets) s.destroy()
      sockets.clear()
    },
    restore() {
      up = true
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}
