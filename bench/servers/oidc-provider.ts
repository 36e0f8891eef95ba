/**
 * Benchmark child: panva/oidc-provider (the reference OpenID Provider for Node) with dynamic client
 * registration and registration management on, its default in-memory adapter, over HTTPS with the same
 * server certificate as open-dcr. It registers plain JSON clients: no request object, no software
 * statement, no client certificate check, no durable write. argv[2] is a JSON file: { keyFile, certFile }.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair } from 'jose'
import Provider from 'oidc-provider'
import { exitOnStop, failChild, tell } from '../processes.ts'

type Options = { keyFile: string; certFile: string }

try {
  const options = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as Options
  const server = createServer({ key: readFileSync(options.keyFile), cert: readFileSync(options.certFile) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
  // Its own signing key and cookie keys, so that it does not warn about development defaults.
  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  const provider = new Provider(url, {
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'bench' }] },
    cookies: { keys: ['benchmark-cookie-key-0123456789abcdef'] },
    features: {
      registration: { enabled: true },
      registrationManagement: { enabled: true },
      devInteractions: { enabled: false },
    },
  })
  server.on('request', provider.callback())
  exitOnStop(() => new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  }))
  await tell({ type: 'ready', url, pids: [process.pid] })
} catch (error) {
  await failChild(error)
}
