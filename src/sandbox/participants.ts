/**
 * The sandbox organisation's pieces of software: the TPP's own and a few more under the same organisation
 * and keys, each with a software id of its own, so that a conformance run can hold several clients at once
 * where a profile allows one registration per software id (CDR-DCR-15, BR-DCR-25). The CDR sandbox's mock
 * Register lists each as ACTIVE (CDR-DCR-25).
 */

/** How many pieces of software the sandbox offers: the TPP's and three more. */
export const SANDBOX_PARTICIPANTS = 4

/** The software id of participant `index` for a sandbox whose TPP software id is `primary` (index 0: `primary` itself). */
export const participantSoftwareId = (primary: string, index: number): string => (index === 0 ? primary : `${primary.slice(0, -2)}${String(index).padStart(2, '0')}`)

/** Every participant's software id, the TPP's first. */
export const participantSoftwareIds = (primary: string): string[] => Array.from({ length: SANDBOX_PARTICIPANTS }, (_, index) => participantSoftwareId(primary, index))
