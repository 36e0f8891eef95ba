/**
 * UK Open Banking (OBIE DCR v3.2/3.3) preset. The schema defaults are already the UK values, so the
 * preset only states what the UK specification says differently from open-dcr's generic defaults.
 */
export const obuk = {
  registration: {
    // UK-DCR-42: the v3.x swagger declares no 415, so a refused media type answers 400 invalid_request.
    unsupportedMediaTypeStatus: 400,
  },
  // Stated here too, not only as the schema default: no PUT is accepted without a token unless a bank asks.
  management: { allowSignedRecovery: false },
  metadataPolicy: {
    // The statement's user-facing URIs win over the request's (UK-DCR-5, RFC7591-15): registered under their RFC 7591 names.
    fromSsa: { client_uri: 'software_client_uri', logo_uri: 'software_logo_uri', tos_uri: 'software_tos_uri', policy_uri: 'software_policy_uri' },
  },
}
