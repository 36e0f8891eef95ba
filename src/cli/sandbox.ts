/**
 * `open-dcr sandbox`: the DCR server together with a local sandbox directory, so that a bank engineer or a
 * TPP engineer can register a client in a minute. This is what `npm start` runs.
 */
import { writeFile } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { loadConfig, merge } from '../config/load.ts'
import { startServer } from '../main.ts'
import { createSandbox } from '../sandbox/sandbox.ts'
import { waitForSignal } from './serve.ts'
import { UsageError } from './usage-error.ts'

const HELP = `Usage: open-dcr sandbox [--dir DIR] [--port PORT] [--host HOST] [--config FILE]

Creates a sandbox directory (CA, transport certificates, a PS256 directory key and its JWKS served on
loopback, a made-up TPP), writes it to DIR (default .open-dcr), and starts the DCR server trusting it.
--config FILE adds your own settings on top (docs/configuration.md); OPEN_DCR_* variables apply too.

Options:
  --dir DIR      where the sandbox material and the database go (default .open-dcr)
  --port PORT    HTTPS port of the DCR server (default 8443)
  --host HOST    address to listen on (default 127.0.0.1)
  --config FILE  extra configuration (YAML or JSON)`

/** Where the running sandbox server is described for the `tpp` commands. */
export const SERVER_FILE = 'server.json'

export async function runSandbox(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { dir: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  })
  if (values.help) {
    console.log(HELP)
    return 0
  }
  const port = Number(values.port ?? 8443)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be a port number, got ${values.port}`)
  const host = values.host ?? '127.0.0.1'
  const dir = resolve(values.dir ?? '.open-dcr')
  const issuer = `https://${host.includes(':') ? `[${host}]` : host}:${port}`

  const sandbox = await createSandbox({ dir })
  const sandboxValues = merge(sandbox.serverConfigValues(issuer), { server: { host, port }, store: { path: join(dir, 'open-dcr.db') }, tokens: { signingKeysFile: join(dir, 'server-signing-keys.json') } })
  const config = loadConfig({ ...(values.config ? { file: values.config } : {}), values: sandboxValues, env: process.env })
  const server = await startServer(config)
  await writeFile(join(dir, SERVER_FILE), JSON.stringify({ url: server.url, issuer: config.issuer, profile: config.profile }, null, 2) + '\n')

  const shown = relative(process.cwd(), dir) || '.'
  console.log(`
open-dcr sandbox is running (profile ${config.profile})
  registration endpoint  ${server.url}/register   (mutual TLS)
  trusted directory      "${sandbox.directory.issuer}", keys at ${sandbox.directory.jwksUrl}
  sandbox material       ${shown}/  (CA, TPP transport certificate and signing key, database)

Register the sandbox TPP, from another terminal in this folder:
  npx open-dcr tpp register${values.dir ? ` --dir ${values.dir}` : ''}

Press Ctrl+C to stop.
`)
  await waitForSignal()
  await server.close()
  await sandbox.close()
  return 0
}
