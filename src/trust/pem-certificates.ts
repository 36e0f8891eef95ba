/**
 * Reads the PEM certificate files named in configuration (directory transport CAs, outbound CAs) into
 * node:crypto X509Certificates. A file may hold several certificates; a file that cannot be read, holds no
 * certificate or holds a malformed one stops start-up with a ConfigError naming the configuration key.
 */
import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { ConfigError } from '../config/fields.ts'

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g

/** The `-----BEGIN CERTIFICATE-----` blocks of a PEM text, in order. */
export const pemCertificateBlocks = (text: string): string[] => text.match(PEM_CERTIFICATE) ?? []

/** Every certificate in the PEM file at `path`; `key` is the configuration key reported on failure. */
export function readPemCertificates(path: string, key: string): X509Certificate[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(key, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  const blocks = pemCertificateBlocks(text)
  if (blocks.length === 0) throw new ConfigError(key, `${path} holds no PEM certificate (expected "-----BEGIN CERTIFICATE-----" blocks)`)
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block)
    } catch (error) {
      throw new ConfigError(key, `${path}: certificate ${index + 1} of ${blocks.length} is not a valid X.509 certificate (${(error as Error).message})`)
    }
  })
}
