/**
 * What `tpp update` starts from: the client metadata the server last answered with (RFC 7592 §2.2: the update
 * request carries every metadata field, with the client's `client_id`, RFC7592-10), so that an update
 * changes only what --claim and --omit say. Values the server assigns itself (client_id_issued_at, secrets,
 * the registration access token and its URI) and the software statement (a fresh one is sent) are not
 * sent back.
 */

/** RFC 7591 §2, OpenID Connect Registration §2, RFC 8705 §2, JARM and the CDR and Brazil extensions a TPP sends. */
const CLIENT_METADATA = [
  'redirect_uris', 'token_endpoint_auth_method', 'token_endpoint_auth_signing_alg', 'grant_types', 'response_types', 'client_name',
  'client_uri', 'logo_uri', 'scope', 'contacts', 'tos_uri', 'policy_uri', 'jwks_uri', 'software_id', 'software_version', 'application_type',
  'id_token_signed_response_alg', 'id_token_encrypted_response_alg', 'id_token_encrypted_response_enc', 'request_object_signing_alg',
  'userinfo_signed_response_alg', 'tls_client_auth_subject_dn', 'tls_client_auth_san_dns', 'tls_client_auth_san_uri', 'tls_client_auth_san_ip',
  'tls_client_auth_san_email', 'tls_client_certificate_bound_access_tokens', 'authorization_signed_response_alg',
  'authorization_encrypted_response_alg', 'authorization_encrypted_response_enc', 'sector_identifier_uri', 'subject_type',
] as const

/** The registered metadata of `registration` to send again in an update of `clientId`. */
export function registeredMetadata(clientId: string, registration: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const metadata: Record<string, unknown> = { client_id: clientId }
  for (const name of CLIENT_METADATA) if (Object.hasOwn(registration, name) && registration[name] !== undefined) metadata[name] = registration[name]
  return metadata
}
