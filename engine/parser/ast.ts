/**
 * Helpers over libpg-query's JSON AST: every node is `{ NodeType: { …fields } }`, and fields
 * equal to their protobuf default (0, false, "") are omitted.
 */
export type AstNode = Record<string, unknown>;

/** The single key and body of a wrapped node, e.g. ["SelectStmt", {...}]. */
export function unwrap(node: AstNode): [string, AstNode] {
  const keys = Object.keys(node);
  if (keys.length !== 1) throw new Error(`not a wrapped AST node: ${keys.join(',')}`);
  return [keys[0]!, node[keys[0]!] as AstNode];
}

/** The integer value of an A_Const / Integer node (omitted ival means 0). */
export function intConst(node: AstNode): number {
  const [kind, body] = unwrap(node);
  if (kind === 'A_Const') return ((body.ival as AstNode | undefined)?.ival as number | undefined) ?? 0;
  if (kind === 'Integer') return (body.ival as number | undefined) ?? 0;
  throw new Error(`not an integer constant: ${kind}`);
}

export const stringValue = (node: AstNode): string => (node.String as AstNode).sval as string;

/** 1-based position for error reports, from a node body's `location` (-1 → unknown). */
export const positionOf = (body: AstNode): number | undefined =>
  typeof body.location === 'number' && body.location >= 0 ? (body.location as number) + 1 : undefined;
