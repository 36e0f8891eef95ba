/**
 * The whole conformance catalogue in running order — registration, what is registered, management, who may
 * manage, the token endpoint — and the cases that apply to a server of one profile.
 */
import { accessCases } from './access-cases.ts'
import { managementCases, registrationCases, type ConformanceCase } from './cases.ts'
import { metadataCases } from './metadata-cases.ts'
import { tokenCases } from './token-cases.ts'
import type { SandboxProfile } from '../sandbox/profile-sandbox.ts'

export const catalogue: readonly ConformanceCase[] = [...registrationCases, ...metadataCases, ...managementCases, ...accessCases, ...tokenCases]

/** The cases of `profile`, in catalogue order. */
export const casesFor = (profile: SandboxProfile): readonly ConformanceCase[] => catalogue.filter((c) => c.profiles.includes(profile))
