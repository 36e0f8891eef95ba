/**
 * Everything a validator sees: the decoded request and SSA, the presented certificate, the configuration
 * and read access to trust and replay state. Validators never see HTTP objects (DESIGN.md).
 */
import type { JWSHeaderParameters } from 'jose'
import type { Config, ValidatorId } from '../config/schema.ts'
import type { ClientRecord } from '../store/store.ts'
import type { RegisterStatusReader } from '../trust/register-status.ts'
import type { ClientCertificate, Directories, RemoteKeySets, TrustedDirectory } from '../trust/types.ts'
import type { RegistrationErrorCode } from './errors.ts'
import type { Claims } from '../lib/claims.ts'

export type Operation = 'create' | 'update'

export type SignedPart = {
  /** The compact JWS as received; undefined when the part was sent unsigned (plain JSON request) or not at all. */
  readonly compact: string | undefined
  /** The protected header, decoded (not trusted before `verified`). */
  readonly header: JWSHeaderParameters | undefined
  /** The payload claims: decoded, then the verified payload once a signature check established it. */
  readonly claims: Claims
  /** True once a signature validator verified this part. */
  readonly verified: boolean
}

export type ValidationContext = {
  readonly operation: Operation
  readonly config: Config
  /** Current time, epoch seconds (frozen per request; tests set it). */
  readonly now: number
  /** The registration request: the signed request JWT, or a plain JSON metadata object. */
  readonly request: SignedPart
  /** The software statement; undefined when the request carries none. */
  readonly ssa: SignedPart | undefined
  /** The directory of the SSA: established by ssa-issuer from the configured ones, or by ssa-signature from the key that verified it. */
  readonly directory: TrustedDirectory | undefined
  readonly certificate: ClientCertificate | undefined
  readonly directories: Directories
  readonly remoteKeySets: RemoteKeySets
  readonly isJtiUsed: (issuer: string, jti: string) => Promise<boolean>
  /** The client being updated (operation `update`). */
  readonly client: ClientRecord | undefined
  /** Participant statuses of the CDR Register, for software-status; absent where no Register is configured. */
  readonly registerStatus?: RegisterStatusReader | undefined
  /** Metadata an HTTP extension service asked to register (custom/http-extension.ts); the metadata policy filters and applies it. */
  readonly extensionMetadata?: Readonly<Record<string, unknown>> | undefined
}

/**
 * What a check may establish for the checks after it, as its typed output (never by writing into the
 * context): the SSA's directory, the verified SSA, the verified request, metadata from an extension service.
 * The pipeline (pipeline.ts) gives the next check a new context with these facts in place.
 */
export type Established = {
  readonly directory?: TrustedDirectory
  readonly ssa?: SignedPart & { readonly verified: true }
  readonly request?: SignedPart & { readonly verified: true }
  readonly extensionMetadata?: Readonly<Record<string, unknown>>
}

export type EstablishedFact = keyof Established

/** A check of the pipeline (DESIGN.md): stable id, the operations it applies to, and a check that throws a ValidationError. */
export type Validator = {
  readonly id: string
  readonly operations: readonly Operation[]
  /** Spec requirement ids this check implements, for docs/validation.md. */
  readonly requirements: readonly string[]
  /** One line for docs/validation.md: what is checked. */
  readonly summary: string
  /** The RFC 7591 error codes this check can answer with, for docs/validation.md. */
  readonly errors: readonly RegistrationErrorCode[]
  /** The facts this check may establish; the pipeline refuses any other (a check establishes only what it declares). */
  readonly establishes?: readonly EstablishedFact[]
  check(ctx: ValidationContext): void | Established | Promise<void | Established>
}

/** A built-in check: its id is a key of the configuration's `validators`, so it can always be switched off (an id missing from the schema fails the type check). */
export type BuiltInValidator = Validator & { readonly id: ValidatorId }
