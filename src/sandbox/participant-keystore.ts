/**
 * Where a directory participant's key sets live on the sandbox keystore (jwks-server.ts), laid out like the
 * OB Directory keystore (UK-DCR-13: `/<org_id>/<software_id>.jwks` and a `revoked/` twin) with the Open
 * Finance Brasil transport sets beside them (br-dcr.md §6: `software_jwks_transport_uri` and its inactive
 * twin). Every URL an SSA of the sandbox carries is one of these, on loopback: a sandbox never sends a bank
 * to an internet host for keys.
 */

/** The key set URLs of one piece of software and its organisation. */
export type ParticipantKeystore = {
  /** The software's signing keys (UK software_jwks_endpoint, CDR/RFC 7591 jwks_uri, Brazil software_jwks_uri). */
  jwks: string
  /** Its revoked or inactive signing keys (UK software_jwks_revoked_endpoint, Brazil software_jwks_inactive_uri). */
  revokedJwks: string
  /** The organisation's keys (UK org_jwks_endpoint). */
  orgJwks: string
  /** The organisation's revoked keys (UK org_jwks_revoked_endpoint). */
  orgRevokedJwks: string
  /** The transport certificate's key (Brazil software_jwks_transport_uri). */
  transportJwks: string
  /** Inactive transport keys (Brazil software_jwks_transport_inactive_uri). */
  transportRevokedJwks: string
}

/** The keystore paths of a participant, each starting with "/". */
export function participantKeystorePaths(orgId: string, softwareId: string): ParticipantKeystore {
  const org = encodeURIComponent(orgId)
  const software = encodeURIComponent(softwareId)
  return {
    jwks: `/${org}/${software}.jwks`,
    revokedJwks: `/${org}/revoked/${software}.jwks`,
    orgJwks: `/${org}/${org}.jwks`,
    orgRevokedJwks: `/${org}/revoked/${org}.jwks`,
    transportJwks: `/${org}/${software}/transport.jwks`,
    transportRevokedJwks: `/${org}/${software}/inactive/transport.jwks`,
  }
}

/** The participant's key set URLs under the keystore at `baseUrl` (e.g. https://127.0.0.1:41234). */
export function participantKeystore(baseUrl: string, orgId: string, softwareId: string): ParticipantKeystore {
  const paths = participantKeystorePaths(orgId, softwareId)
  const at = (path: string): string => new URL(path, baseUrl).href
  return {
    jwks: at(paths.jwks),
    revokedJwks: at(paths.revokedJwks),
    orgJwks: at(paths.orgJwks),
    orgRevokedJwks: at(paths.orgRevokedJwks),
    transportJwks: at(paths.transportJwks),
    transportRevokedJwks: at(paths.transportRevokedJwks),
  }
}
