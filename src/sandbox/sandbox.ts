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
 * (`open-dcr keys generate`); like every key it is written with mode 0600.
 */
import { X509Certificate } from 'node:crypto'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import type { JWK } from 'jose'
import { createCertificateAuthority, restoreCertificateAuthority, type CertificateAuthority, type IssuedCertificate } from './ca.ts'
import { createSandboxDirectory, SANDBOX_ORGANISATION, type IssueSsaOptions, type SandboxDirectory, type SsaClaimsInput } from './directory.ts'
import { startJwksServer, type JwksServer } from './jwks-server.ts'
import type { SandboxAlgorithm } from './signing-key.ts'
import { createSandboxTpp, restoreSandboxTpp, tppJwksPath, type SandboxTpp } from './tpp.ts'

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
  /** The sandbox CA with its private key (ca-key.pem), to issue more certificates that chain to it. */
  certificateAuthority(): Promise<CertificateAuthority>
}

export type Sandbox = LoadedSandbox & {
  readonly ca: CertificateAuthority
  readonly jwksServer: JwksServer
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
}

const DIRECTORY_JWKS_PATH = '/directory/jwks'

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
  return {
    ...parts,
    serverConfigValues(issuer) {
      return {
        issuer,
        directories: [{ issuer: directory.issuer, jwksUrl: directory.jwksUrl, transportCaFiles: [files.caFile] }],
        outbound: { caFiles: [files.caFile], allowPrivateAddresses: true },
        server: { mode: 'mtls', tls: { keyFile: files.serverKeyFile, certFile: files.serverCertFile } },
      }
    },
    issueSsa(claims = {}, options = {}) {
      return directory.issueSsa(
        {
          software_id: tpp.softwareId,
          org_id: tpp.orgId,
          software_jwks_endpoint: manifest.tpp.jwksUrl,
          software_jwks_revoked_endpoint: manifest.tpp.revokedJwksUrl,
          org_jwks_endpoint: manifest.tpp.orgJwksUrl,
          org_jwks_revoked_endpoint: manifest.tpp.orgRevokedJwksUrl,
          ...claims,
        },
        options,
      )
    },
    issueCdrSsa(claims = {}, options = {}) {
      return directory.issueSsa({ software_id: tpp.softwareId, org_id: tpp.orgId, jwks_uri: manifest.tpp.jwksUrl, ...claims }, { ...options, shape: 'cdr' })
    },
    issueBrazilSsa(claims = {}, options = {}) {
      return directory.issueSsa({ software_id: tpp.softwareId, org_id: tpp.orgId, software_jwks_uri: manifest.tpp.jwksUrl, ...claims }, { ...options, shape: 'brazil' })
    },
    async certificateAuthority() {
      return restoreCertificateAuthority(caCertificatePem, await readMaterial(files, files.caKeyFile))
    },
  }
}

/** Creates the sandbox: generates every key and certificate, writes them, starts the JWKS server. */
export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const softwareId = options.softwareId ?? SANDBOX_ORGANISATION.softwareId
  const orgId = options.orgId ?? SANDBOX_ORGANISATION.orgId
  const ca = await createCertificateAuthority('open-dcr sandbox CA')
  const serverCertificate = await ca.issueServer({ commonName: 'open-dcr sandbox server', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] })

  const ownsDir = options.dir === undefined
  const files = sandboxFiles(options.dir ?? (await mkdtemp(join(tmpdir(), 'open-dcr-sandbox-'))))
  const jwksServer = await startJwksServer({ ca })
  try {
    const directory = await createSandboxDirectory({ issuer: options.directoryIssuer, jwksUrl: new URL(DIRECTORY_JWKS_PATH, jwksServer.url).href })
    jwksServer.publish(DIRECTORY_JWKS_PATH, directory.publicJwks)
    const tpp = await createSandboxTpp({ ca, softwareId, orgId, jwksServer, alg: options.tppAlgorithm ?? 'PS256', ...(options.tppTransportSubject === undefined ? {} : { transportSubject: options.tppTransportSubject }) })
    const manifest: SandboxManifest = {
      version: 1,
      keystoreUrl: jwksServer.url,
      directory: { issuer: directory.issuer, jwksUrl: directory.jwksUrl },
      tpp: {
        softwareId,
        orgId,
        jwksUrl: tpp.jwksUrl,
        revokedJwksUrl: jwksServer.publish(`/${orgId}/revoked/${softwareId}.jwks`, { keys: [] }),
        orgJwksUrl: jwksServer.publish(tppJwksPath(orgId, orgId), tpp.publicJwks),
        orgRevokedJwksUrl: jwksServer.publish(`/${orgId}/revoked/${orgId}.jwks`, { keys: [] }),
        transportSubject: tpp.transportSubject,
      },
    }

    await writeMaterial(files.caFile, ca.certificatePem, false)
    await writeMaterial(files.caKeyFile, ca.privateKeyPem, true)
    await writeMaterial(files.serverCertFile, serverCertificate.certificatePem, false)
    await writeMaterial(files.serverKeyFile, serverCertificate.privateKeyPem, true)
    await writeMaterial(files.directorySigningKeyFile, JSON.stringify(directory.signingKey.privateJwk, null, 2) + '\n', true)
    await writeMaterial(files.tppTransportCertFile, tpp.transport.certificatePem, false)
    await writeMaterial(files.tppTransportKeyFile, tpp.transport.privateKeyPem, true)
    await writeMaterial(files.tppSigningKeyFile, JSON.stringify(tpp.signingKey.privateJwk, null, 2) + '\n', true)
    await writeMaterial(files.manifestFile, JSON.stringify(manifest, null, 2) + '\n', false)

    return {
      ...loadedSandbox({ files, manifest, caCertificatePem: ca.certificatePem, serverCertificate, directory, tpp }),
      ca,
      certificateAuthority: () => Promise.resolve(ca),
      jwksServer,
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
