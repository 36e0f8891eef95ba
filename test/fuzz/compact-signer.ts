/**
 * A compact JWS (RFC 7515 §7.1) over any header and payload *text*, signed with a sandbox key: the fuzzer's way
 * to put duplicate members, odd `alg`/`typ`/`crit` values or wrong-typed claims into a token whose signature is
 * still right, so that it reaches the validators behind the signature checks instead of stopping there. jose's
 * signers take objects and check `alg` against the key; this one signs the bytes as given, with the key's own
 * algorithm (PS256 or ES256, the sandbox's).
 */
import { base64url } from 'jose'
import type { SigningKey } from '../../src/sandbox/signing-key.ts'

const encoder = new TextEncoder()

/** WebCrypto parameters of the sandbox algorithms (RFC 7518 §3.4, §3.5: PS256 salt = hash length; ES256 raw r||s). */
const SIGN_PARAMETERS = {
  PS256: { name: 'RSA-PSS', saltLength: 32 },
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
} as const

/** `base64url(headerText).base64url(payloadText).signature`, signed with `key` whatever the header says. */
export async function signCompactText(key: SigningKey, headerText: string, payloadText: string): Promise<string> {
  const signingInput = `${base64url.encode(headerText)}.${base64url.encode(payloadText)}`
  const signature = await crypto.subtle.sign(SIGN_PARAMETERS[key.alg], key.privateKey, encoder.encode(signingInput))
  return `${signingInput}.${base64url.encode(new Uint8Array(signature))}`
}
