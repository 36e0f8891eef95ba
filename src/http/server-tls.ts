/**
 * The HTTPS server's own key and certificate (`server.tls.keyFile`, `server.tls.certFile`, mode mtls), checked
 * before anything is opened: each must be a readable file holding PEM, the certificate must parse as X.509 and
 * the key must be the certificate's key. A failure is a ConfigError naming the key and the file, so that
 * `open-dcr serve` exits 2 with one line an operator can act on, instead of Node's bare "key values mismatch".
 */
import { certificateSubject, formatDistinguishedName } from '../trust/distinguished-name.ts'
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { ConfigError } from '../config/fields.ts'
import type { Config } from '../config/schema.ts'
import { pemCertificateBlocks } from '../trust/pem-certificates.ts'

/** The text of a regular file, or a ConfigError saying why it cannot be had. */
function readRegularFile(path: string, key: string): string {
  let isFile: boolean
  try {
    isFile = statSync(path).isFile()
  } catch (error) {
    throw new ConfigError(key, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  if (!isFile) throw new ConfigError(key, `${path} is not a file (a directory or a device): give the PEM file itself`)
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(key, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
}

function privateKeyOf(path: string, key: string): KeyObject {
  const text = readRegularFile(path, key)
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) throw new ConfigError(key, `${path} holds no PEM private key (expected a "-----BEGIN PRIVATE KEY-----" block)`)
  try {
    return createPrivateKey(text)
  } catch (error) {
    throw new ConfigError(key, `${path} holds a private key Node cannot read (${(error as Error).message})`)
  }
}

function leafCertificateOf(path: string, key: string): X509Certificate {
  const blocks = pemCertificateBlocks(readRegularFile(path, key))
  if (blocks.length === 0) throw new ConfigError(key, `${path} holds no PEM certificate (expected "-----BEGIN CERTIFICATE-----" blocks)`)
  try {
    return new X509Certificate(blocks[0]!)
  } catch (error) {
    throw new ConfigError(key, `${path}: the first certificate is not a valid X.509 certificate (${(error as Error).message})`)
  }
}

/** Throws a ConfigError when the server's TLS key or certificate cannot serve HTTPS; nothing to check in mode proxy. */
export function checkServerTls(config: Config): void {
  if (config.server.mode !== 'mtls') return
  const { keyFile, certFile } = config.server.tls
  const privateKey = privateKeyOf(keyFile, 'server.tls.keyFile')
  const certificate = leafCertificateOf(certFile, 'server.tls.certFile')
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new ConfigError('server.tls.keyFile', `${keyFile} is not the key of the certificate in ${certFile} (server.tls.certFile, subject "${formatDistinguishedName(certificateSubject(certificate))}"): give the pair that belongs together`)
  }
}
