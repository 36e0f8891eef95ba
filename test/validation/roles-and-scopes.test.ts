import { describe, it } from 'node:test'
import { rolesAndScopes } from '../../src/validation/validators/roles-and-scopes.ts'
import { makeContext, testConfig } from '../helpers/context.ts'
import { expectFailure, expectPass } from './expect-validation-error.ts'

const ssaWithRoles = (roles: unknown) => ({ software_id: '7Hq2LmN9pXvR4tYb8Kc1Zs', software_roles: roles })
const asking = (scope: unknown, roles: unknown = ['AISP', 'PISP']) => makeContext({ request: { scope }, ssa: ssaWithRoles(roles) })

describe('roles-and-scopes', () => {
  it('passes the UK sample (openid accounts payments with roles AISP, PISP)', async () => {
    await expectPass(rolesAndScopes, asking('openid accounts payments'))
  })

  it('passes a subset of the granted scopes, extra spaces ignored', async () => {
    await expectPass(rolesAndScopes, asking('accounts'))
    await expectPass(rolesAndScopes, asking('  openid   accounts '))
  })

  it('passes a request without scope: the policy assigns the defaults', async () => {
    await expectPass(rolesAndScopes, makeContext({ request: {}, ssa: ssaWithRoles(['AISP']) }))
  })

  it('passes only always-allowed scopes without needing the roles', async () => {
    await expectPass(rolesAndScopes, makeContext({ request: { scope: 'openid' } }))
  })

  it('rejects fundsconfirmations for an AISP-only SSA (UK negative fixture)', async () => {
    await expectFailure(rolesAndScopes, asking('openid fundsconfirmations', ['AISP']), {
      error: 'invalid_client_metadata',
      claim: 'scope',
      mentions: ['fundsconfirmations', 'software_roles', 'AISP', 'openid accounts'],
    })
  })

  it('lists every scope that is not allowed', async () => {
    await expectFailure(rolesAndScopes, asking('openid payments fundsconfirmations accounts', ['AISP']), { error: 'invalid_client_metadata', claim: 'scope', mentions: ['payments fundsconfirmations'] })
  })

  it('gives no scopes to an unknown role', async () => {
    await expectFailure(rolesAndScopes, asking('accounts', ['ASPSP']), { error: 'invalid_client_metadata', claim: 'scope', mentions: ['ASPSP'] })
    await expectFailure(rolesAndScopes, asking('accounts', ['constructor', '__proto__']), { error: 'invalid_client_metadata', claim: 'scope' })
  })

  it('compares roles and scopes case-sensitively', async () => {
    await expectFailure(rolesAndScopes, asking('accounts', ['aisp']), { error: 'invalid_client_metadata', claim: 'scope' })
    await expectFailure(rolesAndScopes, asking('Accounts', ['AISP']), { error: 'invalid_client_metadata', claim: 'scope' })
  })

  it('reads a space-separated roles string (CDR)', async () => {
    const config = testConfig({ validators: { 'roles-and-scopes': { roleScopes: { 'data-recipient-software-product': ['bank:accounts.basic:read', 'cdr:registration'] }, alwaysAllowed: ['openid', 'profile'] } } })
    const cdr = (scope: string) => makeContext({ config, request: { scope }, ssa: { software_roles: 'data-recipient-software-product' } })
    await expectPass(rolesAndScopes, cdr('openid profile bank:accounts.basic:read cdr:registration'))
    await expectFailure(rolesAndScopes, cdr('openid bank:payees:read'), { error: 'invalid_client_metadata', claim: 'scope', mentions: ['bank:payees:read', 'data-recipient-software-product'] })
  })

  it('uses the profile\'s roles claim', async () => {
    const config = testConfig({ ssa: { rolesClaim: 'roles' } })
    await expectPass(rolesAndScopes, makeContext({ config, request: { scope: 'payments' }, ssa: { roles: ['PISP'] } }))
  })

  it('rejects scopes beyond the defaults when the request carries no software statement', async () => {
    await expectFailure(rolesAndScopes, makeContext({ request: { scope: 'openid accounts' } }), { error: 'invalid_client_metadata', claim: 'software_statement', mentions: ['accounts'] })
  })

  it('rejects scopes beyond the defaults when the SSA has no roles claim', async () => {
    await expectFailure(rolesAndScopes, makeContext({ request: { scope: 'accounts' }, ssa: { software_id: 'x' } }), { error: 'invalid_software_statement', claim: 'software_roles' })
  })

  it('rejects an SSA roles claim of the wrong type', async () => {
    await expectFailure(rolesAndScopes, asking('accounts', [1, 2]), { error: 'invalid_software_statement', claim: 'software_roles' })
    await expectFailure(rolesAndScopes, asking('accounts', { AISP: true }), { error: 'invalid_software_statement', claim: 'software_roles' })
  })

  it('rejects a scope that is not a string', async () => {
    await expectFailure(rolesAndScopes, asking(['openid', 'accounts']), { error: 'invalid_client_metadata', claim: 'scope' })
  })
})
