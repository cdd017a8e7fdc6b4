/** Minimal command-line parsing shared by the conformance tools. */
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from <root>/.tmp/conformance-dist/runner/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface ParsedArgs {
  readonly flags: Map<string, string | true>;
  readonly positional: string[];
}

/** `--name value`, `--name=value` and boolean `--name` (when `booleans` lists it). */
export function parseArgs(argv: readonly string[], booleans: readonly string[]): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (eq >= 0) flags.set(name, a.slice(eq + 1));
    else if (booleans.includes(name)) flags.set(name, true);
    else {
      const value = argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      flags.set(name, value);
    }
  }
  return { flags, positional };
}

export function stringFlag(args: ParsedArgs, name: string, fallback: string): string;
export function stringFlag(args: ParsedArgs, name: string): string | undefined;
export function stringFlag(args: ParsedArgs, name: string, fallback?: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : fallback;
}

export function numberFlag(args: ParsedArgs, name: string, fallback: number): number {
  const v = stringFlag(args, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number`);
  return n;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
