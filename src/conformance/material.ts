/**
 * What the conformance run needs from the tester: where the DCR endpoint is, which profile it plays, the
 * TPP (transport certificate, signing key) and a source of fresh SSAs. Requests, SSAs and content types
 * follow that profile: UK and CDR send a request JWT signed by the TPP as `application/jwt` (UK-DCR-4,
 * CDR-DCR-11), Brazil and plain RFC 7591 the JSON metadata as `application/json` (BR-DCR-4, RFC7591-1),
 * each with its SSA shape (ssa-shapes.ts). Where a profile allows one registration per software id
 * (CDR-DCR-15, BR-DCR-25), a sandbox offers more participants of the same organisation — their own
 * software ids, each with its transport certificate — so that a case can hold two clients at once. From the
 * sandbox by default; for any other DCR endpoint, from files (see open-dcr conformance --help).
 */
import { randomUUID } from 'node:crypto'
import type { CertificateAuthority } from '../sandbox/ca.ts'
import type { SandboxProfile } from '../sandbox/profile-sandbox.ts'
import { issueProfileSsa, ssaShapeOf, transportSubjectFor } from '../sandbox/profile-sandbox.ts'
import { profileRegistrationClaims, requestContentType, signsRequests } from '../sandbox/profile-request.ts'
import { participantSoftwareIds } from '../sandbox/participants.ts'
import type { LoadedSandbox } from '../sandbox/sandbox.ts'
import { SSA_CLAIM_NAMES, type SsaClaimNames } from '../sandbox/ssa-shapes.ts'
import type { SandboxTpp, SignRequestOptions } from '../sandbox/tpp.ts'

/** A transport certificate and its key (PEM). */
export type Transport = { certificatePem: string; privateKeyPem: string }

/** One piece of software of the tester's organisation: its id and the transport certificate that names it. */
export type Participant = { softwareId: string; transport: Transport }

export type ConformanceMaterial = {
  /** The profile of the server under test: decides which cases apply and how requests look. */
  profile: SandboxProfile
  /** Base URL of the server under test (its /register is called). */
  serverUrl: string
  /** The `aud` the server expects (its issuer). */
  audience: string
  /** PEM CA of the server's TLS certificate; undefined = the system trust store. */
  caPem: string | undefined
  /** The primary TPP transport certificate and key. */
  transport: Transport
  /** Media type of registration requests. */
  contentType: string
  /** Whether registration requests are JWTs signed by the TPP (UK, CDR) or plain JSON metadata (Brazil, RFC 7591). */
  signedRequests: boolean
  /** The SSA claims that carry redirect URIs, JWKS and the user-facing URIs in the profile's SSA shape. */
  ssaNames: SsaClaimNames
  /** The primary participant's software id. */
  softwareId: string
  /** The JWKS URL of the TPP signing key (the SSA's, and `jwks_uri` in JSON profiles). */
  jwksUrl: string
  /** Participants to register clients with: the primary first; `count` asks for at least that many when the material can make them. */
  participants(count: number): Promise<readonly Participant[]>
  /**
   * A piece of software of the organisation that no other case, and no earlier run, uses (a new software id
   * with its own transport certificate), for a client the case expects the server to make unmanageable for
   * good; undefined when the material cannot make one (only a sandbox can).
   */
  disposableParticipant(): Promise<Participant | undefined>
  /** A fresh SSA in the profile's shape for `softwareId` (default the primary's); `claims` override the directory's defaults. */
  issueSsa(claims?: Record<string, unknown>, softwareId?: string): Promise<string>
  /**
   * The SSA a default registration carries: a fresh one, except in plain RFC 7591 where a registration
   * needs none (RFC7591-14) and the default request sends metadata alone.
   */
  defaultSsa(softwareId?: string): Promise<string | undefined>
  /** The claims (or JSON metadata) of a valid registration request carrying `ssa`; `overrides` with undefined remove a claim. */
  registrationClaims(ssa: string | undefined, overrides?: Record<string, unknown>, softwareId?: string): Record<string, unknown>
  /** The body of a registration request with `claims`: signed with the TPP key, or JSON. */
  encode(claims: Record<string, unknown>, options?: SignRequestOptions): Promise<string>
  /** Signs claims with the TPP signing key (requests, client assertions). */
  sign(claims: Record<string, unknown>, options?: SignRequestOptions): Promise<string>
  /** The TPP signing key id (its JWK's own kid, or --kid), to forge signatures under it. */
  kid: string
}

export type MaterialParts = {
  profile: SandboxProfile
  serverUrl: string
  audience: string
  caPem: string | undefined
  tpp: SandboxTpp
  /** Header kid of requests (default the TPP key's own). */
  kid?: string | undefined
  /** Media type of registration requests (default the profile's). */
  contentType?: string | undefined
  /** A fresh SSA for a software id, in the profile's shape, `claims` last. */
  issueSsa(claims: Record<string, unknown>, softwareId: string): Promise<string>
  /** Issues the transport certificates of more participants; without it there is only the primary. */
  certificateAuthority?: () => Promise<CertificateAuthority>
}

/** Material for a profile from its parts (sandbox or files). */
export function conformanceMaterial(parts: MaterialParts): ConformanceMaterial {
  const { profile, tpp } = parts
  const kid = parts.kid ?? tpp.kid
  const sign = (claims: Record<string, unknown>, options: SignRequestOptions = {}): Promise<string> => tpp.signRequest(claims, { kid, ...options })
  const primary: Participant = { softwareId: tpp.softwareId, transport: tpp.transport }
  let participants: Promise<Participant[]> | undefined
  async function participantFor(ca: CertificateAuthority, softwareId: string): Promise<Participant> {
    const issued = await ca.issueClient({ subject: transportSubjectFor(profile, softwareId, tpp.orgId) })
    return { softwareId, transport: { certificatePem: issued.certificatePem, privateKeyPem: issued.privateKeyPem } }
  }
  async function makeParticipants(): Promise<Participant[]> {
    if (parts.certificateAuthority === undefined) return [primary]
    const ca = await parts.certificateAuthority()
    return [primary, ...(await Promise.all(participantSoftwareIds(tpp.softwareId).slice(1).map((softwareId) => participantFor(ca, softwareId))))]
  }
  // A random software id: the sandbox keeps its registrations across runs, so a fixed one would be taken by the last run's.
  const disposableParticipant = async (): Promise<Participant | undefined> => (parts.certificateAuthority === undefined ? undefined : participantFor(await parts.certificateAuthority(), randomUUID()))
  const issueSsa = (claims: Record<string, unknown> = {}, softwareId = tpp.softwareId): Promise<string> => parts.issueSsa(claims, softwareId)
  return {
    profile,
    serverUrl: parts.serverUrl,
    audience: parts.audience,
    caPem: parts.caPem,
    transport: primary.transport,
    contentType: parts.contentType ?? requestContentType(profile),
    signedRequests: signsRequests(profile),
    ssaNames: SSA_CLAIM_NAMES[ssaShapeOf(profile)],
    softwareId: tpp.softwareId,
    jwksUrl: tpp.jwksUrl,
    disposableParticipant,
    participants: (count) => (count <= 1 ? Promise.resolve([primary]) : (participants ??= makeParticipants())),
    issueSsa,
    defaultSsa: (softwareId) => (profile === 'rfc7591' ? Promise.resolve(undefined) : issueSsa({}, softwareId)),
    registrationClaims(ssa, overrides = {}, softwareId = tpp.softwareId) {
      // The request names the participant whose SSA it carries (UK-DCR-19 iss, RFC 7591 §2 software_id).
      const own = softwareId === tpp.softwareId ? {} : signsRequests(profile) ? { iss: softwareId } : profile === 'rfc7591' ? { software_id: softwareId } : {}
      return profileRegistrationClaims(profile, tpp, { ssa, aud: parts.audience, overrides: { ...own, ...(profile === 'obuk' ? { software_id: softwareId } : {}), ...overrides } })
    },
    encode: (claims, options) => (signsRequests(profile) ? sign(claims, options) : Promise.resolve(JSON.stringify(claims))),
    sign,
    kid,
  }
}

/** Material from a sandbox written by `open-dcr sandbox`, for a server of `profile` (default obuk). */
export function sandboxMaterial(sandbox: LoadedSandbox, server: { url: string; issuer: string; profile?: SandboxProfile; contentType?: string; kid?: string }): ConformanceMaterial {
  const profile = server.profile ?? 'obuk'
  return conformanceMaterial({
    profile,
    serverUrl: server.url,
    audience: server.issuer,
    caPem: sandbox.caCertificatePem,
    tpp: sandbox.tpp,
    kid: server.kid,
    contentType: server.contentType,
    issueSsa: (claims, softwareId) => issueProfileSsa(sandbox, profile, { software_id: softwareId, ...(profile === 'obuk' || profile === 'brazil' ? { software_client_id: softwareId } : {}), ...claims }),
    certificateAuthority: () => sandbox.certificateAuthority(),
  })
}
