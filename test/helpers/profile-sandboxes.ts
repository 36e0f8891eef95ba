/**
 * Sandboxes shaped for the brazil and cdr presets, and the configuration values that make a test server
 * trust them: the Brazilian directory (BR-DCR-7, ICP-Brasil-shaped transport subject, BR-DCR-11/12), and the
 * CDR Register with its mock status endpoints (CDR-DCR-8, CDR-DCR-25) and an ACTIVE recipient and product.
 */
import { startMockRegister, type MockRegister } from '../../src/sandbox/mock-register.ts'
import { createSandbox, type Sandbox } from '../../src/sandbox/sandbox.ts'
import { BRAZIL_SANDBOX_ORGANISATION, BRAZIL_SANDBOX_SSA_ISSUER, brazilTransportSubject, CDR_REGISTER_ISSUER, CDR_SANDBOX_RECIPIENT, cdrTransportSubject } from '../../src/sandbox/ssa-shapes.ts'

export function createBrazilSandbox(): Promise<Sandbox> {
  const { softwareId, orgId } = BRAZIL_SANDBOX_ORGANISATION
  return createSandbox({ directoryIssuer: BRAZIL_SANDBOX_SSA_ISSUER, softwareId, orgId, tppTransportSubject: brazilTransportSubject({ softwareId, orgId }) })
}

/** The brazil profile, trusting the sandbox's directory. */
export const brazilServerValues = (sandbox: Sandbox): Record<string, unknown> => ({
  profile: 'brazil',
  directories: [{ issuer: BRAZIL_SANDBOX_SSA_ISSUER, jwksUrl: sandbox.directory.jwksUrl, algorithms: ['PS256'], transportCaFiles: [sandbox.files.caFile] }],
})

export type CdrSandbox = { sandbox: Sandbox; register: MockRegister; close(): Promise<void> }

/** A CDR sandbox and mock Register, the sandbox recipient and its software product ACTIVE. */
export async function createCdrSandbox(): Promise<CdrSandbox> {
  const { softwareId, orgId, legalEntityId } = CDR_SANDBOX_RECIPIENT
  const sandbox = await createSandbox({ softwareId, orgId, tppTransportSubject: cdrTransportSubject(softwareId, orgId) })
  const register = await startMockRegister({ ca: sandbox.ca })
  register.setDataRecipientStatus(legalEntityId, 'ACTIVE')
  register.setSoftwareProductStatus(softwareId, 'ACTIVE')
  return {
    sandbox,
    register,
    async close() {
      await register.close()
      await sandbox.close()
    },
  }
}

/** The cdr profile, trusting the mock Register for SSAs and statuses. */
export const cdrServerValues = ({ sandbox, register }: CdrSandbox): Record<string, unknown> => ({
  profile: 'cdr',
  directories: [{ issuer: CDR_REGISTER_ISSUER, jwksUrl: register.jwksUrl, algorithms: ['PS256'], transportCaFiles: [sandbox.files.caFile] }],
  validators: { 'software-status': { registerBaseUrl: register.url } },
})
