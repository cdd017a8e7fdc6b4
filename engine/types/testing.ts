/** Helpers shared by the engine/types tests. */
import { SqlError } from '../errors/index.js';

/** The SqlError that `f` throws; any other error is rethrown, and no error fails the test. */
export const err = (f: () => unknown): SqlError => {
  try {
    f();
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error('expected an error');
};
