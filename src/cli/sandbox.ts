/**
 * `open-dcr sandbox [--profile P]`: the DCR server together with a local sandbox directory that matches
 * the profile, so that a bank engineer or a TPP engineer can register a client in a minute. This is what
 * `npm start` runs. `obuk` and `rfc7591`: the made-up UK directory; `cdr`: a directory with `iss`
 * cdr-register issuing CDR Register-shaped SSAs (CDR-DCR-8) and a mock CDR Register on loopback whose
 * status endpoints say the sandbox recipient and software product are ACTIVE (CDR-DCR-25..29); `brazil`: the
 * Open Finance Brasil sandbox issuer, its SSA shape and an ICP-Brasil-like transport subject (BR-DCR-7,
 * BR-DCR-11, BR-DCR-12). The profile is written to server.json, so `tpp register` builds its request in
 * that profile's shape.
 */
import { join, relative, resolve } from 'node:path'
import { environmentOverrides, loadConfig, merge, readConfigFile } from '../config/load.ts'
import { startServer } from '../main.ts'
import { startMockRegister, type MockRegister } from '../sandbox/mock-register.ts'
import { participantSoftwareIds } from '../sandbox/participants.ts'
import { sandboxOptionsFor, type SandboxProfile } from '../sandbox/profile-sandbox.ts'
import { createSandbox } from '../sandbox/sandbox.ts'
import { CDR_SANDBOX_RECIPIENT } from '../sandbox/ssa-shapes.ts'
import { defineCommand, parseCommand, printedHelp } from './command-help.ts'
import { profileOption } from './profile-option.ts'
import { writeRunningServer } from './running-server.ts'
import { stopWithin, waitForStop } from './shutdown.ts'
import { styleFor } from './terminal.ts'
import { UsageError } from './usage-error.ts'

/** Where the running sandbox server is described for the `tpp` commands (running-server.ts). */
export { SERVER_FILE } from './running-server.ts'

export const SANDBOX_HELP = defineCommand({
  command: 'sandbox',
  usage: 'open-dcr sandbox [--profile P] [--dir DIR] [--port PORT] [--host HOST] [--config FILE]',
  description: `Creates a sandbox directory (CA, transport certificates, a PS256 directory key and its JWKS served on
loopback, a made-up TPP), writes it to DIR (default .open-dcr), and starts the DCR server trusting it, with
the directory and the TPP shaped for the profile:
  obuk      UK OBIE: "Sandbox Directory" SSAs, OB legacy transport subject, signed application/jwt requests
  cdr       Australia CDR: iss cdr-register, CDR Register SSAs, and a mock CDR Register (statuses ACTIVE)
  brazil    Open Finance Brasil: the sandbox SSA issuer, ICP-Brasil-like subject, plain JSON requests
  rfc7591   plain RFC 7591/7592: JSON metadata, registration access tokens
--config FILE adds your own settings on top (docs/configuration.md); OPEN_DCR_* variables apply too.
SIGINT or SIGTERM (Ctrl+C) stops it.`,
  options: {
    profile: { type: 'string', value: 'P', group: 'Options', doc: "obuk | cdr | brazil | rfc7591 (default: the --config file's profile, else obuk)" },
    dir: { type: 'string', value: 'DIR', group: 'Options', doc: 'where the sandbox material and the database go (default .open-dcr)' },
    port: { type: 'string', value: 'PORT', group: 'Options', doc: 'HTTPS port of the DCR server (default 8443)' },
    host: { type: 'string', value: 'HOST', group: 'Options', doc: 'address to listen on (default 127.0.0.1)' },
    config: { type: 'string', value: 'FILE', group: 'Options', doc: 'extra configuration (YAML or JSON)' },
  },
})

/** The profile asked for: --profile, else the configuration file's or OPEN_DCR_PROFILE, else obuk. */
function chosenProfile(flag: string | undefined, configFile: string | undefined): SandboxProfile {
  if (flag !== undefined) return profileOption(flag)
  const fromEnvironment = environmentOverrides(process.env).profile
  const fromFile = configFile === undefined ? undefined : readConfigFile(configFile).profile
  const configured = fromEnvironment ?? fromFile
  return profileOption(typeof configured === 'string' ? configured : undefined)
}

export async function runSandbox(args: string[]): Promise<number> {
  const { values } = parseCommand(SANDBOX_HELP, args)
  if (printedHelp(SANDBOX_HELP, values)) return 0
  const port = Number(values.port ?? 8443)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be a port number, got ${values.port}`)
  const host = values.host ?? '127.0.0.1'
  const dir = resolve(values.dir ?? '.open-dcr')
  const issuer = `https://${host.includes(':') ? `[${host}]` : host}:${port}`
  const profile = chosenProfile(values.profile, values.config)

  const sandbox = await createSandbox({ dir, ...sandboxOptionsFor(profile) })
  let register: MockRegister | undefined
  try {
    if (profile === 'cdr') {
      register = await startMockRegister({ ca: sandbox.ca })
      register.setDataRecipientStatus(CDR_SANDBOX_RECIPIENT.legalEntityId, 'ACTIVE')
      for (const softwareId of participantSoftwareIds(sandbox.tpp.softwareId)) register.setSoftwareProductStatus(softwareId, 'ACTIVE')
    }
    const sandboxValues = merge(sandbox.serverConfigValues(issuer), {
      profile,
      server: { host, port },
      store: { path: join(dir, 'open-dcr.db') },
      tokens: { signingKeysFile: join(dir, 'server-signing-keys.json') },
      ...(register === undefined ? {} : { validators: { 'software-status': { registerBaseUrl: register.url } } }),
      // Keep the terminal for the instructions: request logs only when asked for (--config or OPEN_DCR_LOG__LEVEL).
      ...(values.config === undefined && process.env.OPEN_DCR_LOG__LEVEL === undefined ? { log: { level: 'warn' } } : {}),
    })
    const config = loadConfig({ ...(values.config ? { file: values.config } : {}), values: sandboxValues, env: process.env, sandbox: true })
    const server = await startServer(config)
    await writeRunningServer(dir, { url: server.url, issuer: config.issuer, profile: config.profile, ...(register === undefined ? {} : { registerUrl: register.url }) })

    const shown = relative(process.cwd(), dir) || '.'
    const dirFlag = values.dir ? ` --dir ${values.dir}` : ''
    const style = styleFor()
    console.log(`
${style.strong(`open-dcr sandbox is running (profile ${config.profile})`)}
  registration endpoint  ${server.url}/register   (mutual TLS)
  discovery              ${server.url}/.well-known/openid-configuration
  trusted directory      "${sandbox.directory.issuer}", keys at ${sandbox.directory.jwksUrl}${register === undefined ? '' : `\n  mock CDR Register      ${register.url} (data recipient and software product ACTIVE)`}
  sandbox material       ${shown}/  (CA, TPP transport certificate and signing key, database)

Register the sandbox TPP, from another terminal in this folder:
  npx open-dcr tpp register${dirFlag}

Then: tpp token, tpp show, tpp update, tpp delete (docs/cli.md).

Press Ctrl+C to stop.
`)
    await waitForStop()
    return await stopWithin(
      async () => {
        await server.close()
        await register?.close()
        await sandbox.close()
      },
      (message) => console.error(`open-dcr sandbox: ${message}`),
    )
  } catch (error) {
    // A start that failed leaves nothing listening: the directory's JWKS server and the mock Register close too.
    await register?.close()
    await sandbox.close()
    throw error
  }
}
