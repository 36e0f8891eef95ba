/**
 * The whole sandbox, so that anyone can register a client in a minute and every integration test starts
 * from the same place: a CA (the directory's transport CA, which also issues the DCR server's TLS
 * certificate), an https JWKS server (keystore) on loopback, a directory that issues SSAs (JWKS at /directory/jwks) and
 * a TPP with a signing key and transport certificate. The material is written to a folder (keys mode 0600)
 * so that `loadSandbox` in another process, e.g. the CLI, can sign requests and issue SSAs with the same
 * keys; the JWKS server itself runs only in the process that called `createSandbox`.
 *
 * Folder layout: ca.pem, ca-key.pem, server.pem, server-key.pem, directory/signing-key.jwk.json,
 * tpp/transport.pem, tpp/transport-key.pem, tpp/signing-key.jwk.json, and sandbox.json (issuer, ids and URLs;
 * no secrets). ca-key.pem lets another process issue more certificates under the sandbox CA
 * (`open-dcr keys generate`); like every key it is written with mode 0600. Every key set URL its SSAs name
 * (signing, revoked, organisation, transport) is served by that keystore, on loopback. Started again on a
 * folder it wrote, the sandbox restarts with the same material and keystore port, so clients registered
 * before the restart keep working.
 */
import { X509Certificate } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { exportJWK, importX509, type JSONWebKeySet, type JWK } from 'jose'
import { createCertificateAuthority, restoreCertificateAuthority, type CertificateAuthority, type IssuedCertificate } from './ca.ts'
import { createSandboxDirectory, SANDBOX_ORGANISATION, type IssueSsaOptions, type SandboxDirectory, type SsaClaimsInput } from './directory.ts'
import { startJwksServer, type JwksServer } from './jwks-server.ts'
import { participantKeystore, participantKeystorePaths, type ParticipantKeystore } from './participant-keystore.ts'
import type { SandboxAlgorithm } from './signing-key.ts'
import { createSandboxTpp, obTransportSubject, restoreSandboxTpp, type SandboxTpp } from './tpp.ts'

/** Absolute paths of the sandbox material. */
export type SandboxFiles = {
  readonly dir: string
  readonly manifestFile: string
  readonly caFile: string
  /** The CA private key (PKCS#8 PEM, mode 0600). */
  readonly caKeyFile: string
  readonly serverCertFile: string
  readonly serverKeyFile: string
  readonly directorySigningKeyFile: string
  readonly tppTransportCertFile: string
  readonly tppTransportKeyFile: string
  readonly tppSigningKeyFile: string
}

/** The non-secret facts `loadSandbox` needs besides the key files (sandbox.json). */
export type SandboxManifest = {
  version: 1
  keystoreUrl: string
  directory: { issuer: string; jwksUrl: string }
  tpp: {
    softwareId: string
    orgId: string
    jwksUrl: string
    revokedJwksUrl: string
    orgJwksUrl: string
    orgRevokedJwksUrl: string
    /** The transport certificate's key, and an empty inactive set (Brazil software_jwks_transport_uri and its twin); absent in older manifests. */
    transportJwksUrl?: string
    transportRevokedJwksUrl?: string
    /** RFC 4514 subject the transport certificate was issued with (absent in sandboxes written before it was recorded: the OB legacy subject). */
    transportSubject?: string
  }
}

/** What another process can do with a written sandbox: sign requests, issue SSAs, configure a server. */
export type LoadedSandbox = {
  readonly files: SandboxFiles
  readonly manifest: SandboxManifest
  /** The CA certificate (PEM): trust anchor of the JWKS server, the DCR server and the TPP transport certificate. */
  readonly caCertificatePem: string
  /** The DCR server's TLS certificate and key (for 127.0.0.1, ::1 and localhost). */
  readonly serverCertificate: IssuedCertificate
  readonly directory: SandboxDirectory
  readonly tpp: SandboxTpp
  /** Configuration values (as for `loadConfig({ values })`) that make a DCR server at `issuer` trust this sandbox. */
  serverConfigValues(issuer: string): Record<string, unknown>
  /** An SSA for the sandbox TPP: its software_id, org_id and keystore URLs, then `claims`. */
  issueSsa(claims?: SsaClaimsInput, options?: IssueSsaOptions): Promise<string>
  /** A CDR Register-shaped SSA (ssa-shapes.ts) for the sandbox TPP: its software_id, org_id and `jwks_uri`, then `claims`. */
  issueCdrSsa(claims?: Record<string, unknown>, options?: Omit<IssueSsaOptions, 'shape'>): Promise<string>
  /** An Open Finance Brasil-shaped SSA (ssa-shapes.ts) for the sandbox TPP: its software_id, org_id and `software_jwks_uri`, then `claims`. */
  issueBrazilSsa(claims?: Record<string, unknown>, options?: Omit<IssueSsaOptions, 'shape'>): Promise<string>
  /** A plain RFC 7591 software statement (metadata names, RFC7591-13) for the sandbox TPP: its software_id and `jwks_uri`, then `claims`. */
  issueRfc7591Ssa(claims?: Record<string, unknown>, options?: Omit<IssueSsaOptions, 'shape'>): Promise<string>
  /** The sandbox CA with its private key (ca-key.pem), to issue more certificates that chain to it. */
  certificateAuthority(): Promise<CertificateAuthority>
}

export type Sandbox = LoadedSandbox & {
  readonly ca: CertificateAuthority
  readonly jwksServer: JwksServer
  /** True when createSandbox restarted the sandbox already in `dir` rather than making a new one. */
  readonly restarted: boolean
  /** Stops the JWKS server; removes the folder if createSandbox made a temporary one. */
  close(): Promise<void>
}

export type SandboxOptions = {
  /** SSA `iss` of the sandbox directory (default `Sandbox Directory`). */
  directoryIssuer?: string
  /** Folder to write the material to (created if missing); default a new temporary folder, removed on close. */
  dir?: string
  softwareId?: string
  orgId?: string
  /** Algorithm of the TPP request signing key (default PS256). */
  tppAlgorithm?: SandboxAlgorithm
  /** RFC 4514 subject of the TPP transport certificate (default the OB legacy subject; see ssa-shapes.ts for CDR and Brazil). */
  tppTransportSubject?: string
  /** Make new material even when `dir` holds a sandbox made with the same options (default: restart that one). */
  fresh?: boolean
}

const DIRECTORY_JWKS_PATH = '/directory/jwks'
const DEFAULT_DIRECTORY_ISSUER = 'Sandbox Directory'

export function sandboxFiles(dir: string): SandboxFiles {
  const root = resolve(dir)
  return {
    dir: root,
    manifestFile: join(root, 'sandbox.json'),
    caFile: join(root, 'ca.pem'),
    caKeyFile: join(root, 'ca-key.pem'),
    serverCertFile: join(root, 'server.pem'),
    serverKeyFile: join(root, 'server-key.pem'),
    directorySigningKeyFile: join(root, 'directory', 'signing-key.jwk.json'),
    tppTransportCertFile: join(root, 'tpp', 'transport.pem'),
    tppTransportKeyFile: join(root, 'tpp', 'transport-key.pem'),
    tppSigningKeyFile: join(root, 'tpp', 'signing-key.jwk.json'),
  }
}

async function writeMaterial(path: string, content: string, secret: boolean): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const mode = secret ? 0o600 : 0o644
  await writeFile(path, content, { mode })
  // `mode` applies only when the file is created; an existing file keeps its mode unless set again.
  await chmod(path, mode)
}

function loadedSandbox(parts: { files: SandboxFiles; manifest: SandboxManifest; caCertificatePem: string; serverCertificate: IssuedCertificate; directory: SandboxDirectory; tpp: SandboxTpp }): LoadedSandbox {
  const { files, manifest, directory, tpp, caCertificatePem } = parts
  // Every key set URL the TPP's SSAs name, whatever software id a caller puts in them: the sandbox TPP's own, on the keystore.
  const keystore: ParticipantKeystore = {
    jwks: manifest.tpp.jwksUrl,
    revokedJwks: manifest.tpp.revokedJwksUrl,
    orgJwks: manifest.tpp.orgJwksUrl,
    orgRevokedJwks: manifest.tpp.orgRevokedJwksUrl,
    transportJwks: manifest.tpp.transportJwksUrl ?? participantKeystore(manifest.keystoreUrl, tpp.orgId, tpp.softwareId).transportJwks,
    transportRevokedJwks: manifest.tpp.transportRevokedJwksUrl ?? participantKeystore(manifest.keystoreUrl, tpp.orgId, tpp.softwareId).transportRevokedJwks,
  }
  return {
    ...parts,
    serverConfigValues(issuer) {
      return {
        issuer,
        directories: [{ issuer: directory.issuer, jwksUrl: directory.jwksUrl, transportCaFiles: [files.caFile] }],
        outbound: { caFiles: [files.caFile], allowPrivateAddresses: true },
        server: { mode: 'mtls', tls: { keyFile: files.serverKeyFile, certFile: files.serverCertFile } },
        // One TPP on one address runs every conformance case in seconds: a local sandbox does not rate-limit it.
        rateLimit: { enabled: false },
      }
    },
    issueSsa(claims = {}, options = {}) {
      return directory.issueSsa({ software_id: tpp.softwareId, org_id: tpp.orgId, ...claims }, { keystore, ...options })
    },
    issueCdrSsa(claims = {}, options = {}) {
      return directory.issueSsa({ software_id: tpp.softwareId, org_id: tpp.orgId, ...claims }, { keystore, ...options, shape: 'cdr' })
    },
    issueBrazilSsa(claims = {}, options = {}) {
      return directory.issueSsa({ software_id: tpp.softwareId, org_id: tpp.orgId, ...claims }, { keystore, ...options, shape: 'brazil' })
    },
    issueRfc7591Ssa(claims = {}, options = {}) {
      return directory.issueSsa({ software_id: tpp.softwareId, ...claims }, { keystore, ...options, shape: 'rfc7591' })
    },
    async certificateAuthority() {
      return restoreCertificateAuthority(caCertificatePem, await readMaterial(files, files.caKeyFile))
    },
  }
}

/** The sandbox's options, with their defaults: what a folder's sandbox.json must match to be restarted. */
function resolvedOptions(options: SandboxOptions) {
  const softwareId = options.softwareId ?? SANDBOX_ORGANISATION.softwareId
  const orgId = options.orgId ?? SANDBOX_ORGANISATION.orgId
  return {
    directoryIssuer: options.directoryIssuer ?? DEFAULT_DIRECTORY_ISSUER,
    softwareId,
    orgId,
    tppAlgorithm: options.tppAlgorithm ?? 'PS256',
    tppTransportSubject: options.tppTransportSubject ?? obTransportSubject(softwareId, orgId),
  }
}

/** The transport certificate's public key as a JWK with its certificate (RFC 7517 §4.7), for the transport JWKS. */
async function transportJwk(transport: IssuedCertificate): Promise<JWK> {
  const key = await importX509(transport.certificatePem, 'ES256', { extractable: true })
  return { ...(await exportJWK(key)), use: 'tls', x5c: [transport.certificate.raw.toString('base64')] }
}

/** Publishes the directory JWKS and every key set the sandbox TPP's SSAs name; returns their URLs. */
async function publishKeystore(jwksServer: JwksServer, directory: SandboxDirectory, tpp: SandboxTpp): Promise<ParticipantKeystore> {
  jwksServer.publish(DIRECTORY_JWKS_PATH, directory.publicJwks)
  const paths = participantKeystorePaths(tpp.orgId, tpp.softwareId)
  const publish = (path: string, jwks: JSONWebKeySet): string => jwksServer.publish(path, jwks)
  return {
    jwks: publish(paths.jwks, tpp.publicJwks),
    revokedJwks: publish(paths.revokedJwks, { keys: [] }),
    orgJwks: publish(paths.orgJwks, tpp.publicJwks),
    orgRevokedJwks: publish(paths.orgRevokedJwks, { keys: [] }),
    transportJwks: publish(paths.transportJwks, { keys: [await transportJwk(tpp.transport)] }),
    transportRevokedJwks: publish(paths.transportRevokedJwks, { keys: [] }),
  }
}

function manifestOf(jwksServer: JwksServer, directory: SandboxDirectory, tpp: SandboxTpp, keystore: ParticipantKeystore): SandboxManifest {
  return {
    version: 1,
    keystoreUrl: jwksServer.url,
    directory: { issuer: directory.issuer, jwksUrl: directory.jwksUrl },
    tpp: {
      softwareId: tpp.softwareId,
      orgId: tpp.orgId,
      jwksUrl: keystore.jwks,
      revokedJwksUrl: keystore.revokedJwks,
      orgJwksUrl: keystore.orgJwks,
      orgRevokedJwksUrl: keystore.orgRevokedJwks,
      transportJwksUrl: keystore.transportJwks,
      transportRevokedJwksUrl: keystore.transportRevokedJwks,
      transportSubject: tpp.transportSubject,
    },
  }
}

/** A port number from a keystore URL, or 0 when there is none. */
const portOf = (url: string): number => {
  try {
    return Number(new URL(url).port) || 0
  } catch {
    return 0
  }
}

/** Starts the JWKS server on `port` when it is free, else on a free one (the SSAs issued before then name the old one). */
async function startKeystore(ca: CertificateAuthority, port: number): Promise<JwksServer> {
  if (port === 0) return startJwksServer({ ca })
  try {
    return await startJwksServer({ ca, port })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error
    return startJwksServer({ ca })
  }
}

/**
 * The sandbox already written to `files.dir`, when it was made with the same options: restarted with the same
 * keys, certificates and keystore port, so that clients registered before the restart keep working (their
 * jwks_uri and SSAs name that keystore). Undefined when the folder holds none, or one for other options.
 */
async function restartableSandbox(files: SandboxFiles, options: ReturnType<typeof resolvedOptions>): Promise<{ loaded: LoadedSandbox; ca: CertificateAuthority } | undefined> {
  if (!existsSync(files.manifestFile)) return undefined
  let loaded: LoadedSandbox
  try {
    loaded = await loadSandbox(files.dir)
  } catch {
    return undefined
  }
  const { manifest, tpp, directory } = loaded
  const same =
    directory.issuer === options.directoryIssuer &&
    tpp.softwareId === options.softwareId &&
    tpp.orgId === options.orgId &&
    tpp.signingKey.alg === options.tppAlgorithm &&
    (manifest.tpp.transportSubject ?? obTransportSubject(tpp.softwareId, tpp.orgId)) === options.tppTransportSubject
  if (!same) return undefined
  try {
    return { loaded, ca: await loaded.certificateAuthority() }
  } catch {
    return undefined
  }
}

/**
 * Creates the sandbox: generates every key and certificate, writes them, starts the JWKS server. Given a `dir`
 * that already holds a sandbox made with the same options, restarts that one instead (same keys, same keystore
 * port when it is free), unless `fresh` is set.
 */
export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const wanted = resolvedOptions(options)
  const ownsDir = options.dir === undefined
  const files = sandboxFiles(options.dir ?? (await mkdtemp(join(tmpdir(), 'open-dcr-sandbox-'))))
  const existing = ownsDir || options.fresh === true ? undefined : await restartableSandbox(files, wanted)
  const ca = existing?.ca ?? (await createCertificateAuthority('open-dcr sandbox CA'))
  const jwksServer = await startKeystore(ca, existing === undefined ? 0 : portOf(existing.loaded.manifest.keystoreUrl))
  try {
    const jwksUrl = new URL(DIRECTORY_JWKS_PATH, jwksServer.url).href
    let serverCertificate: IssuedCertificate
    let directory: SandboxDirectory
    let tpp: SandboxTpp
    if (existing === undefined) {
      serverCertificate = await ca.issueServer({ commonName: 'open-dcr sandbox server', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] })
      directory = await createSandboxDirectory({ issuer: wanted.directoryIssuer, jwksUrl })
      tpp = await createSandboxTpp({ ca, softwareId: wanted.softwareId, orgId: wanted.orgId, jwksServer, alg: wanted.tppAlgorithm, transportSubject: wanted.tppTransportSubject })
    } else {
      serverCertificate = existing.loaded.serverCertificate
      directory = await createSandboxDirectory({ issuer: wanted.directoryIssuer, jwksUrl, signingKey: existing.loaded.directory.signingKey.privateJwk })
      tpp = existing.loaded.tpp
    }
    const keystore = await publishKeystore(jwksServer, directory, tpp)
    const manifest = manifestOf(jwksServer, directory, tpp, keystore)
    if (existing === undefined) {
      await writeMaterial(files.caFile, ca.certificatePem, false)
      await writeMaterial(files.caKeyFile, ca.privateKeyPem, true)
      await writeMaterial(files.serverCertFile, serverCertificate.certificatePem, false)
      await writeMaterial(files.serverKeyFile, serverCertificate.privateKeyPem, true)
      await writeMaterial(files.directorySigningKeyFile, JSON.stringify(directory.signingKey.privateJwk, null, 2) + '\n', true)
      await writeMaterial(files.tppTransportCertFile, tpp.transport.certificatePem, false)
      await writeMaterial(files.tppTransportKeyFile, tpp.transport.privateKeyPem, true)
      await writeMaterial(files.tppSigningKeyFile, JSON.stringify(tpp.signingKey.privateJwk, null, 2) + '\n', true)
    }
    await writeMaterial(files.manifestFile, JSON.stringify(manifest, null, 2) + '\n', false)
    // A keystore that had to move to another port publishes the TPP keys at another URL.
    const published = tpp.jwksUrl === keystore.jwks ? tpp : await restoreSandboxTpp({ softwareId: tpp.softwareId, orgId: tpp.orgId, signingKey: tpp.signingKey.privateJwk, transport: tpp.transport, jwksUrl: keystore.jwks, transportSubject: tpp.transportSubject })

    return {
      ...loadedSandbox({ files, manifest, caCertificatePem: ca.certificatePem, serverCertificate, directory, tpp: published }),
      ca,
      certificateAuthority: () => Promise.resolve(ca),
      jwksServer,
      restarted: existing !== undefined,
      async close() {
        await jwksServer.close()
        if (ownsDir) await rm(files.dir, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await jwksServer.close()
    if (ownsDir) await rm(files.dir, { recursive: true, force: true })
    throw error
  }
}

async function readMaterial(files: SandboxFiles, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    throw new Error(`sandbox folder ${files.dir} has no readable ${path.slice(files.dir.length + 1)} (${(error as NodeJS.ErrnoException).code ?? String(error)}); create it with createSandbox({ dir })`, { cause: error })
  }
}

async function readJson(files: SandboxFiles, path: string): Promise<unknown> {
  const text = await readMaterial(files, path)
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new Error(`sandbox file ${path} is not JSON`, { cause: error })
  }
}

function issued(certificatePem: string, privateKeyPem: string): IssuedCertificate {
  return { certificatePem, privateKeyPem, certificate: new X509Certificate(certificatePem) }
}

/** Reads a sandbox written by createSandbox({ dir }). The keystore URLs work only while that process runs. */
export async function loadSandbox(dir: string): Promise<LoadedSandbox> {
  const files = sandboxFiles(dir)
  const manifest = (await readJson(files, files.manifestFile)) as SandboxManifest
  if (manifest.version !== 1) throw new Error(`sandbox file ${files.manifestFile} has version ${String(manifest.version)}; this open-dcr reads version 1`)
  const directory = await createSandboxDirectory({
    issuer: manifest.directory.issuer,
    jwksUrl: manifest.directory.jwksUrl,
    keystoreUrl: manifest.keystoreUrl,
    signingKey: (await readJson(files, files.directorySigningKeyFile)) as JWK,
  })
  const tpp = await restoreSandboxTpp({
    softwareId: manifest.tpp.softwareId,
    orgId: manifest.tpp.orgId,
    jwksUrl: manifest.tpp.jwksUrl,
    signingKey: (await readJson(files, files.tppSigningKeyFile)) as JWK,
    transport: issued(await readMaterial(files, files.tppTransportCertFile), await readMaterial(files, files.tppTransportKeyFile)),
    ...(manifest.tpp.transportSubject === undefined ? {} : { transportSubject: manifest.tpp.transportSubject }),
  })
  return loadedSandbox({
    files,
    manifest,
    caCertificatePem: await readMaterial(files, files.caFile),
    serverCertificate: issued(await readMaterial(files, files.serverCertFile), await readMaterial(files, files.serverKeyFile)),
    directory,
    tpp,
  })
}
