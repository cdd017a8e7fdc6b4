/**
 * Accumulators for a plan's aggregate calls: plain, with ORDER BY inside the call, or
 * ordered-set (WITHIN GROUP). Every variant takes the call's `args` vectors in order.
 */
import { internalError } from '../../errors/index.js';
import { withInputOrder } from '../../functions/aggregate/ordered.js';
import { aggregateById, type Accumulator } from '../../functions/registry.js';
import type { AggregateCall } from '../../plan/plan.js';

export function createAccumulator(call: AggregateCall): Accumulator {
  const fn = aggregateById(call.fn);
  if (!fn) throw internalError(`unknown aggregate ${call.fn}`);
  const argTypes = call.args.map((a) => a.type);
  const sort = call.orderBy?.map((k) => ({ type: k.expr.type, descending: k.descending, nullsFirst: k.nullsFirst }));
  if (call.orderedSet) return fn.create(argTypes, sort);
  if (!sort || sort.length === 0) return fn.create(argTypes);
  const plainTypes = argTypes.slice(0, argTypes.length - sort.length);
  return withInputOrder(() => fn.create(plainTypes), plainTypes, sort);
}
