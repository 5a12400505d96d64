// Runs a check written as a generator that yields each value it waits for: synchronously while every yielded value
// is already there, asynchronously from the first promise on. The common guardrail check (inline regex scans of a
// request whose JSON is parsed) then costs no promise and no microtask turn; webhooks, pool scans and token counts
// still wait as before. A rejected promise is thrown into the generator, so its try/catch blocks work as with await.
export type Steps<T> = Generator<unknown, T, unknown>;

export function runSteps<T>(steps: Steps<T>): T | Promise<T> {
  let step = steps.next();
  while (!step.done) {
    if (step.value instanceof Promise) return continueAsync(steps, step.value);
    step = steps.next(step.value);
  }
  return step.value;
}

async function continueAsync<T>(steps: Steps<T>, first: Promise<unknown>): Promise<T> {
  let value: unknown = first;
  for (;;) {
    let step: IteratorResult<unknown, T>;
    if (value instanceof Promise) {
      let settled: unknown;
      let failed = false;
      try {
        settled = await value;
      } catch (err) {
        failed = true;
        settled = err;
      }
      step = failed ? steps.throw(settled) : steps.next(settled);
    } else step = steps.next(value);
    if (step.done) return step.value;
    value = step.value;
  }
}
