/**
 * A verb of the registration endpoint as one declared, ordered list of named steps, the way
 * node-oidc-provider's lib/actions/registration.js reads. A step is a small function of what the earlier
 * steps established; what it returns is kept under its name, typed, for the steps after it — no step
 * hopes that another one set a field. The first step that throws ends the run: the verb's `failed` hook
 * sees the error, the state established so far and the step's name (to audit the refusal) and returns
 * the error the caller gets (the same one, or the profile's wording of it).
 */

type Run<S, O> = (state: S) => O | Promise<O>

/** What a failed run knows: the state before the failing step, which is a prefix of the full state. */
export type FailedRun<S> = { error: unknown; step: string; state: Partial<S> }

/** Steps over an initial state `I`; `S` is `I` with the outputs of the steps declared so far. */
export type StepList<I, S> = {
  /** The step names in order, for docs and tests. */
  readonly names: readonly string[]
  /** Appends a step whose output is kept as `state[name]`. */
  step<K extends string, O>(name: K, run: Run<S, O>): StepList<I, S & { readonly [P in K]: Awaited<O> }>
  /** Runs every step in order on `initial`; on a failure, throws what `failed` returns (else the error itself). */
  run(initial: I, failed?: (failure: FailedRun<S>) => Promise<unknown>): Promise<S>
}

type AnyStep = { name: string; run: Run<Record<string, unknown>, unknown> }

function stepList<I, S>(steps: readonly AnyStep[]): StepList<I, S> {
  return {
    names: steps.map((step) => step.name),
    step<K extends string, O>(name: K, run: Run<S, O>) {
      if (steps.some((step) => step.name === name)) throw new TypeError(`step "${name}" is declared twice`)
      return stepList<I, S & { readonly [P in K]: Awaited<O> }>([...steps, { name, run: run as AnyStep['run'] }])
    },
    async run(initial, failed) {
      let state: Record<string, unknown> = { ...(initial as Record<string, unknown>) }
      for (const step of steps) {
        try {
          state = { ...state, [step.name]: await step.run(state) }
        } catch (error) {
          throw failed === undefined ? error : await failed({ error, step: step.name, state: state as Partial<S> })
        }
      }
      return state as S
    },
  }
}

/** An empty list of steps over an initial state `I`. */
export const steps = <I extends Record<string, unknown>>(): StepList<I, I> => stepList<I, I>([])
