/**
 * The media type of a Content-Type header value, without parameters, lower case (RFC 9110 §8.3.1: type and
 * subtype are case-insensitive): `application/JWT; charset=utf-8` → `application/jwt`. Used for the bodies
 * the server reads and for the JWKS it fetches.
 */
export const mediaTypeOf = (contentType: string | null | undefined): string => (contentType ?? '').split(';')[0]!.trim().toLowerCase()
