/** The error a promise rejects with; fails the test, naming `what`, when it resolves instead. */
export async function rejection(operation: Promise<unknown>, what = "the call"): Promise<Error & Record<string, unknown>> {
  try {
    await operation;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error(`expected ${what} to fail, and it succeeded`);
}
