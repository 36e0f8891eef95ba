/**
 * Signed recovery: a client that lost its registration access token (or whose tokens all expired) may send
 * PUT /register/{client_id} without Authorization, with a fresh request signed by its key and a software
 * statement from its directory, over its transport certificate (`management.allowSignedRecovery`). That is
 * the same proof a registration takes (UK-DCR-1, BR-DCR-27), so it is accepted when:
 * 1. the software statement names the software of an active client at this URL (checked before anything
 *    else, on the decoded statement, so that an unknown client and another software's statement get the
 *    same 401 and no client id is confirmed to a stranger, SEC-33);
 * 2. the whole validation pipeline passes (signatures, freshness, replay, certificate chain ...);
 * 3. the certificate is the one the client registered with, or its subject names that software by the
 *    configured transport-certificate subject rules (UK-DCR-38, BR-DCR-11/12).
 * The answer carries a new registration access token and every earlier token ends at once.
 */
import type { Config } from '../config/schema.ts'
import type { ClientRecord } from '../store/store.ts'
import { certificateIdentifiesClient } from '../tokens/client-certificate-binding.ts'
import { InvalidTokenError } from '../tokens/bearer-token-errors.ts'
import type { ClientCertificate } from '../trust/types.ts'
import type { Claims } from '../lib/claims.ts'
import type { DecodedRegistration } from './request.ts'

const NOT_PROVEN = 'signed recovery refused: the software statement does not name the software of a registration at this URL; send Authorization: Bearer <token>, or a request signed for the registered software'

/** Step 1: the client exists, is active, and the decoded statement names its software. */
export function assertRecoveryTarget(client: ClientRecord | undefined, decoded: DecodedRegistration, config: Config): asserts client is ClientRecord {
  const named = decoded.ssa?.claims[config.ssa.softwareIdClaim]
  if (client === undefined || client.status !== 'active' || typeof named !== 'string' || named !== client.softwareId) {
    throw new InvalidTokenError('recovery', NOT_PROVEN)
  }
}

/** Step 3: the transport certificate is the registered one, or names the client's software by a subject rule. */
export function assertRecoveryCertificate(client: ClientRecord, certificate: ClientCertificate | undefined, ssa: Claims | undefined, config: Config): void {
  if (certificate === undefined) throw new InvalidTokenError('recovery', 'signed recovery refused: call over mutual TLS with the transport certificate of the registered software')
  const orgClaim = ssa?.[config.ssa.orgIdClaim]
  if (certificateIdentifiesClient(client, certificate, config, typeof orgClaim === 'string' ? orgClaim : client.orgId)) return
  throw new InvalidTokenError('recovery', 'signed recovery refused: the transport certificate is neither the one this client registered with nor one whose subject names its software and organisation')
}
