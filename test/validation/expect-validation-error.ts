/**
 * Assertions for validator tests: a check passes, or fails with exactly this RFC 7591 code, validator id and
 * claim, with a description that names the claim (common test rules).
 */
import assert from 'node:assert/strict'
import type { ValidationContext, Validator } from '../../src/validation/context.ts'
import { ValidationError } from '../../src/validation/errors.ts'

export type ExpectedFailure = {
  error: ValidationError['error']
  claim: string
  /** Text the description must contain besides the claim, e.g. the offending value. */
  mentions?: readonly string[]
}

/** Runs the check, which must pass; returns the context as the pipeline hands it on, with what the check established. */
export async function expectPass(validator: Validator, ctx: ValidationContext): Promise<ValidationContext> {
  const established = await validator.check(ctx)
  return established === undefined ? ctx : { ...ctx, ...established }
}

/** Runs the check, asserts it fails as expected and returns the error for further asserts. */
export async function expectFailure(validator: Validator, ctx: ValidationContext, expected: ExpectedFailure): Promise<ValidationError> {
  let caught: unknown
  try {
    await validator.check(ctx)
  } catch (error) {
    caught = error
  }
  assert.ok(caught instanceof ValidationError, `expected a ValidationError, got ${String(caught)}`)
  assert.equal(caught.error, expected.error, caught.message)
  assert.equal(caught.validator, validator.id)
  assert.equal(caught.claim, expected.claim, caught.message)
  assert.ok(caught.message.includes(expected.claim), `description "${caught.message}" does not name ${expected.claim}`)
  for (const text of expected.mentions ?? []) assert.ok(caught.message.includes(text), `description "${caught.message}" does not mention ${text}`)
  return caught
}
