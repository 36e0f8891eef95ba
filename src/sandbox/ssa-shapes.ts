/**
 * What the sandbox's made-up participants look like in each regime: the default claims of a CDR Register
 * SSA (au-cdr-dcr.md §2 and the §7 sample: `iss` cdr-register, 10-minute life, legal_entity_id, brand org_id,
 * plain metadata names, `software_roles` as one string, `scope` with cdr:registration) and of an Open Finance
 * Brasil directory SSA (br-dcr.md §6/§7: software_* names, `software_statement_roles` with a status each,
 * org_number, no jti, iss per BR-DCR-7), and the transport certificate subjects each regime issues: a CDR
 * subject (no layout is mandated, CDR chains only) and an ICP-Brasil-like subject with UID = software_id and
 * organizationIdentifier OFBBR-<org_id> as a UTF8String (BR-DCR-11, BR-DCR-12, BR-DCR-14). The UK shape stays
 * in directory.ts.
 */
import { AsnConvert } from '@peculiar/asn1-schema'
import { AttributeValue } from '@peculiar/asn1-x509'
import type { ParticipantKeystore } from './participant-keystore.ts'

/** The shapes the sandbox directory issues: plain RFC 7591 statements carry client metadata names (RFC7591-13). */
export type SsaShape = 'uk' | 'cdr' | 'brazil' | 'rfc7591'

/** The SSA claims that carry what a registration reads from a statement, in each shape. */
export type SsaClaimNames = {
  redirectUris: string
  jwksUri: string
  clientName: string
  clientUri: string
  logoUri: string
  tosUri: string
  policyUri: string
}

const SOFTWARE_NAMES: SsaClaimNames = {
  redirectUris: 'software_redirect_uris',
  jwksUri: 'software_jwks_endpoint',
  clientName: 'software_client_name',
  clientUri: 'software_client_uri',
  logoUri: 'software_logo_uri',
  tosUri: 'software_tos_uri',
  policyUri: 'software_policy_uri',
}
const METADATA_NAMES: SsaClaimNames = { redirectUris: 'redirect_uris', jwksUri: 'jwks_uri', clientName: 'client_name', clientUri: 'client_uri', logoUri: 'logo_uri', tosUri: 'tos_uri', policyUri: 'policy_uri' }

/** UK-DCR-15 software_* names, CDR-DCR-8 and RFC7591-13 metadata names, BR-DCR-5 software_* names with software_jwks_uri. */
export const SSA_CLAIM_NAMES: Readonly<Record<SsaShape, SsaClaimNames>> = {
  uk: SOFTWARE_NAMES,
  cdr: METADATA_NAMES,
  brazil: { ...SOFTWARE_NAMES, jwksUri: 'software_jwks_uri' },
  rfc7591: METADATA_NAMES,
}

/** CDR-DCR-8: the `iss` of every CDR Register SSA. */
export const CDR_REGISTER_ISSUER = 'cdr-register'
/** CDR-DCR-7: an SSA lives 10 minutes. */
export const CDR_SSA_LIFETIME_SECONDS = 600
/** BR-DCR-7: the sandbox directory's issuer string, as the ID3 key-store section spells it. */
export const BRAZIL_SANDBOX_SSA_ISSUER = 'Open Finance Open Finance Brasil sandbox SSA issuer'

/** The made-up accredited data recipient of the CDR sandbox (shaped like the au-cdr-dcr.md §7 sample). */
export const CDR_SANDBOX_RECIPIENT = {
  legalEntityId: '18B75A76-5821-4C9E-B465-4709291CF0F4',
  legalEntityName: 'Koala Analytics Pty Ltd',
  orgId: 'FFB1C8BA-279E-44D8-96F0-1BC34A6B436F',
  orgName: 'Koala Money',
  softwareId: 'C6327F87-687A-4369-99A4-EAACD3BB8210',
  host: 'koalamoney.example.com.au',
} as const

/** The made-up Open Finance Brasil participant of the sandbox (shaped like the br-dcr.md §7 sample). */
export const BRAZIL_SANDBOX_ORGANISATION = {
  orgId: '1f0e3d2c-4b5a-4968-8776-a5b4c3d2e1f0',
  orgName: 'Tucano Pagamentos SA',
  orgNumber: '12345678000199',
  softwareId: '9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d',
  host: 'app.tucano.example.com.br',
} as const

/** CDR-DCR-16 sample scope: what the Register grants a banking data recipient software product. */
export const CDR_SANDBOX_SCOPE = 'openid profile bank:accounts.basic:read bank:transactions:read common:customer.basic:read cdr:registration'

export type ShapeInput = {
  issuer: string
  iat: number
  /** Undefined leaves `jti` out (Brazil SSAs carry none). */
  jti: string | undefined
  softwareId: string
  orgId: string
  /** Where the participant's key sets are (participant-keystore.ts). */
  keystore: ParticipantKeystore
}

/** The claims of a CDR Register SSA for one software product (CDR SSA table). */
export function cdrSsaClaims({ issuer, iat, jti, softwareId, orgId, keystore }: ShapeInput): Record<string, unknown> {
  const site = `https://${CDR_SANDBOX_RECIPIENT.host}`
  return {
    iss: issuer,
    iat,
    exp: iat + CDR_SSA_LIFETIME_SECONDS,
    jti,
    legal_entity_id: CDR_SANDBOX_RECIPIENT.legalEntityId,
    legal_entity_name: CDR_SANDBOX_RECIPIENT.legalEntityName,
    org_id: orgId,
    org_name: CDR_SANDBOX_RECIPIENT.orgName,
    client_name: 'Koala Money Insights',
    client_description: 'Spending insights for Australian consumers',
    client_uri: site,
    redirect_uris: [`${site}/cdr/callback`],
    logo_uri: `${site}/logo.png`,
    tos_uri: `${site}/tos`,
    policy_uri: `${site}/policy`,
    jwks_uri: keystore.jwks,
    revocation_uri: `${site}/cdr/arrangements/revoke`,
    recipient_base_uri: `${site}/cdr`,
    software_id: softwareId,
    software_roles: 'data-recipient-software-product',
    scope: CDR_SANDBOX_SCOPE,
  }
}

/** The claims of an Open Finance Brasil directory SSA (br-dcr.md §6). */
export function brazilSsaClaims({ issuer, iat, jti, softwareId, orgId, keystore }: ShapeInput): Record<string, unknown> {
  const site = `https://${BRAZIL_SANDBOX_ORGANISATION.host}`
  return {
    software_mode: 'Live',
    software_redirect_uris: [`${site}/of/cb`],
    software_statement_roles: [
      { role: 'DADOS', authorisation_domain: 'Open Banking', status: 'Active' },
      { role: 'PAGTO', authorisation_domain: 'Open Banking', status: 'Inactive' },
    ],
    software_client_name: 'Tucano Financas',
    org_status: 'Active',
    software_client_id: softwareId,
    iss: issuer,
    software_tos_uri: `${site}/termos`,
    software_client_description: 'Agregador de contas',
    software_jwks_uri: keystore.jwks,
    software_policy_uri: `${site}/privacidade`,
    software_id: softwareId,
    software_client_uri: site,
    software_jwks_inactive_uri: keystore.revokedJwks,
    software_jwks_transport_uri: keystore.transportJwks,
    software_jwks_transport_inactive_uri: keystore.transportRevokedJwks,
    software_logo_uri: `${site}/logo.png`,
    org_id: orgId,
    org_number: BRAZIL_SANDBOX_ORGANISATION.orgNumber,
    software_environment: 'sandbox',
    software_version: '1.0',
    software_roles: ['DADOS', 'PAGTO'],
    org_name: BRAZIL_SANDBOX_ORGANISATION.orgName,
    iat,
    jti,
    organisation_competent_authority_claims: [
      {
        authorisation_domain: 'Open Banking',
        authorisations: [],
        registration_id: `${BRAZIL_SANDBOX_ORGANISATION.orgNumber.slice(0, 8)}-OBB-DADOS`,
        authority_id: '687a1c94-b360-4e04-9589-0fa5cb16451b',
        authority_name: 'Banco Central',
        authorisation_role: 'DADOS',
        authority_code: 'BCB',
        status: 'Active',
      },
    ],
  }
}

/**
 * The claims of a plain RFC 7591 software statement (RFC7591-13, §2.3 example): client metadata names
 * (`redirect_uris`, `jwks_uri`, `scope`, `logo_uri` ...) with `software_id`, for the UK sandbox organisation.
 */
export function rfc7591SsaClaims({ issuer, iat, jti, softwareId, keystore, host }: ShapeInput & { host: string }): Record<string, unknown> {
  const site = `https://${host}`
  return {
    iss: issuer,
    iat,
    jti,
    software_id: softwareId,
    software_version: '3.1',
    client_name: 'Acme Budget',
    client_uri: site,
    redirect_uris: [`${site}/ob/callback`, `${site}/ob/callback2`],
    logo_uri: `${site}/logo.png`,
    tos_uri: `${site}/tos`,
    policy_uri: `${site}/policy`,
    jwks_uri: keystore.jwks,
    scope: 'openid accounts',
  }
}

/** A CDR transport certificate subject: the CDR mandates no layout (chain only), so this just names the software. */
export const cdrTransportSubject = (softwareId: string, orgId: string): string => `CN=${softwareId},OU=${orgId},O=${CDR_SANDBOX_RECIPIENT.legalEntityName},C=AU`

/** `#<hex>` of a DER UTF8String or PrintableString, as BR-DCR-14 writes non-descriptor attributes. */
function derHex(text: string, type: 'utf8String' | 'printableString'): string {
  return `#${Buffer.from(AsnConvert.serialize(new AttributeValue({ [type]: text }))).toString('hex').toUpperCase()}`
}

/**
 * An ICP-Brasil-like transport subject (br-dcr.md §7 sample), written with OID/hex values so the sandbox CA
 * encodes each attribute with the string type real certificates use: UID = software_id (BR-DCR-11),
 * organizationIdentifier = OFBBR-<org_id> as UTF8String (BR-DCR-12), jurisdictionCountryName and
 * serialNumber (CNPJ) as PrintableString, businessCategory as UTF8String.
 */
export function brazilTransportSubject(input: { softwareId: string; orgId: string; orgNumber?: string; orgName?: string; commonName?: string; organizationIdentifier?: string }): string {
  const orgNumber = input.orgNumber ?? BRAZIL_SANDBOX_ORGANISATION.orgNumber
  return [
    `UID=${input.softwareId}`,
    `2.5.4.97=${derHex(input.organizationIdentifier ?? `OFBBR-${input.orgId}`, 'utf8String')}`,
    `1.3.6.1.4.1.311.60.2.1.3=${derHex('BR', 'printableString')}`,
    `2.5.4.15=${derHex('Private Organization', 'utf8String')}`,
    `2.5.4.5=${derHex(orgNumber, 'printableString')}`,
    `CN=${input.commonName ?? BRAZIL_SANDBOX_ORGANISATION.host}`,
    `O=${input.orgName ?? BRAZIL_SANDBOX_ORGANISATION.orgName}`,
    'L=SAO PAULO',
    'ST=SP',
    'C=BR',
  ].join(',')
}
