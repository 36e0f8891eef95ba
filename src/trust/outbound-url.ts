/**
 * The checks an outbound URL must pass before any socket is opened (SEC-14, SEC-15): it parses, its scheme
 * is https (http only where `outbound.allowHttp`), its host is on `outbound.allowedHosts` when that list is
 * not empty, and an IP-literal host is not in a forbidden range. Host names are checked again after DNS
 * resolution, in the connect step of outbound-http.ts; this file only sees what the URL itself says.
 */
import { isIP } from 'node:net'
import type { Config } from '../config/schema.ts'
import { isForbiddenAddress, unbracketHost } from './private-addresses.ts'

export type OutboundUrlProblemReason = 'invalid-url' | 'insecure-scheme' | 'host-not-allowed' | 'private-address'

export type OutboundUrlCheck =
  | { readonly ok: true; readonly url: URL }
  | { readonly ok: false; readonly reason: OutboundUrlProblemReason; readonly message: string }

type UrlPolicy = Readonly<Pick<Config['outbound'], 'allowHttp' | 'allowPrivateAddresses'>> & { readonly allowedHosts: readonly string[] }

/** Checks `raw` against the outbound policy; the message names the URL's origin, never its path or query. */
export function checkOutboundUrl(raw: string | URL, outbound: UrlPolicy): OutboundUrlCheck {
  const text = String(raw)
  if (!URL.canParse(text)) return { ok: false, reason: 'invalid-url', message: 'is not a valid absolute URL' }
  const url = new URL(text)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && outbound.allowHttp)) {
    const allowed = outbound.allowHttp ? 'https or http' : 'https'
    return { ok: false, reason: 'insecure-scheme', message: `must use ${allowed}, got "${url.protocol.slice(0, -1)}" (${url.origin})` }
  }
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'invalid-url', message: `must not carry user information (${url.host})` }
  const host = unbracketHost(url.hostname)
  if (outbound.allowedHosts.length > 0 && !outbound.allowedHosts.some((allowed) => allowed.toLowerCase() === host || allowed.toLowerCase() === url.hostname)) {
    return { ok: false, reason: 'host-not-allowed', message: `host "${host}" is not in outbound.allowedHosts` }
  }
  if (isIP(host) !== 0 && !outbound.allowPrivateAddresses && isForbiddenAddress(host)) {
    return { ok: false, reason: 'private-address', message: `host ${host} is a loopback, private, link-local or otherwise reserved address` }
  }
  return { ok: true, url }
}
