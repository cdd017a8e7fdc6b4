/**
 * The resource groups file, in the style of Trino's `resource-groups.json` (docs/security.md):
 * a tree of groups (`rootGroups`, each with `subGroups`) with running and queue limits, and
 * `selectors` that send a query to a leaf group by user, user group and application name.
 * The first selector whose patterns all match wins. Anything the parser does not understand is
 * an error (a typo such as "hardConcurencyLimit" would otherwise lift a limit silently).
 */
import { nodeMemoryPool } from '../execution/memory/memory-pool.js';
import { QUERY_TYPES, type QueryType } from './admission-control.js';

/** A resource groups file that cannot be used; the message names the place. */
export class ResourceGroupsError extends Error {}

export interface GroupSpec {
  /** One segment of the group's path; may contain `${USER}` (one group per user). */
  readonly name: string;
  /** Queries of this group and its sub-groups that may run at the same time. */
  readonly hardConcurrencyLimit: number;
  /** Queries of this group and its sub-groups that may wait; beyond it a query is refused at once. */
  readonly maxQueued: number;
  /** softMemoryLimit in bytes: new queries wait while the group's running queries hold this much or more; null when not set. */
  readonly memoryLimitBytes: number | null;
  readonly subGroups: readonly GroupSpec[];
}

export interface Selector {
  /** Absent: any user. Patterns match the whole name. */
  readonly user?: RegExp;
  /** Matches when any of the identity's groups matches; a selector with it never matches an identity without groups. */
  readonly userGroup?: RegExp;
  /** Matched against application_name. */
  readonly source?: RegExp;
  /** The statement's kind must be this one (QUERY_TYPES). */
  readonly queryType?: QueryType;
  /** The path of the leaf group, as template segments (`${USER}` not yet replaced). */
  readonly group: readonly string[];
}

export interface ResourceGroupsConfig {
  readonly rootGroups: readonly GroupSpec[];
  readonly selectors: readonly Selector[];
}

/** Who is asking to run a query: matched against the selectors. */
export interface QuerySubject {
  readonly user: string;
  readonly groups: readonly string[];
  /** application_name. */
  readonly source: string;
  readonly queryType: QueryType;
}

/** One level of a selected group: its concrete name (path so far) and its template path and limits. */
export interface SelectedLevel {
  readonly name: string;
  readonly template: readonly string[];
  readonly spec: GroupSpec;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const USER_TEMPLATE = '${USER}';
const GROUP_KEYS = new Set(['name', 'hardConcurrencyLimit', 'maxQueued', 'softMemoryLimit', 'subGroups']);
const SELECTOR_KEYS = new Set(['user', 'userGroup', 'source', 'queryType', 'group']);
const UNITS: Record<string, number> = { B: 1, kB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40, PB: 2 ** 50 };

/**
 * Parses and checks a resource groups file. `totalMemoryBytes` is what a percentage
 * softMemoryLimit is a share of (default: the gateway's memory pool, which queries reserve from).
 */
export function parseResourceGroups(text: string, totalMemoryBytes = nodeMemoryPool.capacity): ResourceGroupsConfig {
  let json: Json;
  try {
    json = JSON.parse(text) as Json;
  } catch (e) {
    throw new ResourceGroupsError(`not valid JSON: ${(e as Error).message}`);
  }
  const top = object(json, 'the file');
  unknownKeys(top, new Set(['rootGroups', 'selectors']), 'the file');
  const rootGroups = groups(top.rootGroups, 'rootGroups', totalMemoryBytes);
  if (rootGroups.length === 0) throw new ResourceGroupsError('"rootGroups" must list at least one group');
  const selectors = array(top.selectors, 'selectors').map((s, i) => selector(s, `selectors[${i}]`, rootGroups));
  if (selectors.length === 0) throw new ResourceGroupsError('"selectors" must list at least one selector');
  return { rootGroups, selectors };
}

/** The leaf group a query goes to (root first), or null when no selector matches. */
export function selectGroup(config: ResourceGroupsConfig, subject: QuerySubject): SelectedLevel[] | null {
  const selector = config.selectors.find(
    (s) =>
      (!s.user || s.user.test(subject.user)) &&
      (!s.userGroup || subject.groups.some((g) => s.userGroup!.test(g))) &&
      (!s.source || s.source.test(subject.source)) &&
      (!s.queryType || s.queryType === subject.queryType),
  );
  if (!selector) return null;
  const levels: SelectedLevel[] = [];
  let siblings = config.rootGroups;
  let name = '';
  for (let i = 0; i < selector.group.length; i++) {
    const spec = siblings.find((g) => g.name === selector.group[i])!;
    name += (i === 0 ? '' : '.') + spec.name.replaceAll(USER_TEMPLATE, subject.user);
    levels.push({ name, template: selector.group.slice(0, i + 1), spec });
    siblings = spec.subGroups;
  }
  return levels;
}

/** The group at a template path, or undefined when the file no longer has it. */
export function findGroup(rootGroups: readonly GroupSpec[], template: readonly string[]): GroupSpec | undefined {
  let siblings = rootGroups;
  let spec: GroupSpec | undefined;
  for (const segment of template) {
    spec = siblings.find((g) => g.name === segment);
    if (!spec) return undefined;
    siblings = spec.subGroups;
  }
  return spec;
}

function groups(value: Json | undefined, where: string, total: number): GroupSpec[] {
  const specs = array(value, where).map((g, i) => group(g, `${where}[${i}]`, total));
  const names = new Set<string>();
  for (const s of specs) {
    if (names.has(s.name)) throw new ResourceGroupsError(`${where}: two groups are named "${s.name}"`);
    names.add(s.name);
  }
  return specs;
}

function group(value: Json, where: string, total: number): GroupSpec {
  const o = object(value, where);
  unknownKeys(o, GROUP_KEYS, where);
  const name = o.name;
  if (typeof name !== 'string' || name === '' || name.includes('.')) throw new ResourceGroupsError(`${where}: "name" must be a non-empty string without "."`);
  const unknownTemplate = name.replaceAll(USER_TEMPLATE, '').match(/\$\{[^}]*\}/);
  if (unknownTemplate) throw new ResourceGroupsError(`${where}: unknown template ${unknownTemplate[0]} in "name" (only ${USER_TEMPLATE} is supported)`);
  const at = `${where} ("${name}")`;
  return {
    name,
    hardConcurrencyLimit: count(o.hardConcurrencyLimit, `${at}.hardConcurrencyLimit`),
    maxQueued: count(o.maxQueued, `${at}.maxQueued`),
    memoryLimitBytes: o.softMemoryLimit === undefined ? null : memory(o.softMemoryLimit, `${at}.softMemoryLimit`, total),
    subGroups: o.subGroups === undefined ? [] : groups(o.subGroups, `${at}.subGroups`, total),
  };
}

function selector(value: Json, where: string, rootGroups: readonly GroupSpec[]): Selector {
  const o = object(value, where);
  unknownKeys(o, SELECTOR_KEYS, where);
  if (typeof o.group !== 'string') throw new ResourceGroupsError(`${where}: "group" must name a group, e.g. "global.adhoc"`);
  const path = o.group.split('.');
  const spec = findGroup(rootGroups, path);
  if (!spec) throw new ResourceGroupsError(`${where}: no group "${o.group}"`);
  if (spec.subGroups.length > 0) throw new ResourceGroupsError(`${where}: group "${o.group}" has sub-groups; queries go to leaf groups only`);
  const s: { -readonly [K in keyof Selector]: Selector[K] } = { group: path };
  for (const key of ['user', 'userGroup', 'source'] as const) if (o[key] !== undefined) s[key] = pattern(o[key], `${where}.${key}`);
  if (o.queryType !== undefined) {
    if (!QUERY_TYPES.includes(o.queryType as QueryType)) throw new ResourceGroupsError(`${where}.queryType must be one of ${QUERY_TYPES.join(', ')}`);
    s.queryType = o.queryType as QueryType;
  }
  return s;
}

function pattern(value: Json, where: string): RegExp {
  if (typeof value !== 'string') throw new ResourceGroupsError(`${where} must be a regular expression (string)`);
  try {
    return new RegExp(`^(?:${value})$`, 'u');
  } catch (e) {
    throw new ResourceGroupsError(`${where}: invalid regular expression: ${(e as Error).message}`);
  }
}

function count(value: Json | undefined, where: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new ResourceGroupsError(`${where} must be a non-negative integer`);
  return value;
}

/** Bytes (a number), a size such as "512MB" / "1GB", or a share of the memory pool such as "10%". */
function memory(value: Json, where: string, total: number): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value === 'string') {
    const percent = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
    if (percent && Number(percent[1]) > 0 && Number(percent[1]) <= 100) return Math.floor((total * Number(percent[1])) / 100);
    const size = /^\s*(\d+(?:\.\d+)?)\s*(B|kB|MB|GB|TB|PB)\s*$/.exec(value);
    if (size && Number(size[1]) > 0) return Math.floor(Number(size[1]) * UNITS[size[2]!]!);
  }
  throw new ResourceGroupsError(`${where} must be bytes, a size such as "1GB", or a share such as "10%"`);
}

function object(value: Json | undefined, where: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ResourceGroupsError(`${where} must be a JSON object`);
  return value;
}

function array(value: Json | undefined, where: string): Json[] {
  if (!Array.isArray(value)) throw new ResourceGroupsError(`"${where}" must be an array`);
  return value;
}

function unknownKeys(o: JsonObject, known: ReadonlySet<string>, where: string): void {
  for (const key of Object.keys(o)) {
    if (!known.has(key)) throw new ResourceGroupsError(`${where}: unknown key "${key}" (supported: ${[...known].join(', ')})`);
  }
}
