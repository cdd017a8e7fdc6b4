/** Short forms for registering functions whose bodies work one row at a time. */
import type { PgType } from '../types/pg-type.js';
import { registerScalar, type EvalContext, type Volatility } from './registry.js';

export interface DefineOptions {
  readonly volatility?: Volatility;
  /** Default true: NULL in, NULL out without calling the body. */
  readonly strict?: boolean;
  readonly variadic?: PgType;
}

/** Registers a row-at-a-time scalar function (immutable and strict unless told otherwise). */
export function defineScalar(
  name: string,
  args: readonly PgType[],
  returns: PgType,
  body: (args: never, ctx: EvalContext) => unknown,
  description: string,
  options: DefineOptions = {},
): void {
  registerScalar({
    name,
    args,
    returns,
    volatility: options.volatility ?? 'immutable',
    strict: options.strict ?? true,
    ...(options.variadic ? { variadic: options.variadic } : {}),
    scalar: body as (args: unknown[], ctx: EvalContext) => unknown,
    description,
  });
}
