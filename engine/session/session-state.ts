/** The mutable state of one session: settings and transaction status. */
import type { TransactionStatus } from '../api.js';
import { SqlError, SqlState } from '../errors/index.js';
import { isCustomSettingName, settingDef, unrecognized } from './settings.js';

export class SessionState {
  private values = new Map<string, string>();
  /** Settings as they were when the transaction began (SET is transactional). */
  private atBegin: Map<string, string> | null = null;
  /** SET LOCAL values: in force until the transaction ends. */
  private local = new Map<string, string>();
  status: TransactionStatus = 'I';
  /** When the open transaction block began (µs since 1970), for now() / CURRENT_TIMESTAMP. */
  transactionStart: bigint | null = null;
  /** Called with every normalised value before it is set, whatever the path (SET, set_config, startup); may throw. */
  checkValue: (name: string, value: string) => void = () => undefined;
  /** Called when a transaction block ends (commit false: rolled back), after the settings revert. */
  onTransactionEnd: (commit: boolean) => void = () => undefined;

  constructor(
    readonly user: string,
    readonly database: string,
    private readonly onReported: (name: string, value: string) => void,
  ) {}

  get(name: string): string | undefined {
    const key = name.toLowerCase();
    const local = this.local.get(key);
    if (local !== undefined) return local;
    const v = this.values.get(key);
    if (v !== undefined) return v;
    const def = settingDef(key);
    if (!def) return undefined;
    if (def.name === 'session_authorization') return this.user;
    return def.defaultValue;
  }

  /** The name as SHOW and ParameterStatus spell it. */
  canonicalName(name: string): string {
    return settingDef(name)?.name ?? name.toLowerCase();
  }

  set(name: string, value: string, isLocal = false): string {
    const key = name.toLowerCase();
    const def = settingDef(key);
    if (!def && !isCustomSettingName(name)) throw unrecognized(name);
    if (def?.readOnly) throw new SqlError(SqlState.CANT_CHANGE_RUNTIME_PARAM, `parameter "${def.name}" cannot be changed`);
    const normalized = def?.normalize ? def.normalize(value) : value;
    this.checkValue(key, normalized);
    const before = this.get(key);
    if (isLocal) {
      if (this.status !== 'I') this.local.set(key, normalized);
    } else {
      this.values.set(key, normalized);
    }
    if (def?.reported && before !== normalized) this.onReported(def.name, normalized);
    return normalized;
  }

  reset(name: string): void {
    const key = name.toLowerCase();
    const def = settingDef(key);
    if (!def && !isCustomSettingName(name)) throw unrecognized(name);
    if (def?.readOnly) throw new SqlError(SqlState.CANT_CHANGE_RUNTIME_PARAM, `parameter "${def.name}" cannot be changed`);
    const before = this.get(key);
    this.values.delete(key);
    this.local.delete(key);
    this.reportIfChanged(key, before);
  }

  resetAll(): void {
    const before = new Map([...this.values.keys()].map((k) => [k, this.get(k)]));
    this.values.clear();
    this.local.clear();
    for (const [k, v] of before) this.reportIfChanged(k, v);
  }

  begin(): void {
    this.status = 'T';
    this.transactionStart = BigInt(Date.now()) * 1000n;
    this.atBegin = new Map(this.values);
  }

  /** Ends the transaction block; on rollback (or commit of a failed one) settings revert. */
  end(commit: boolean): void {
    const keys = new Set([...this.values.keys(), ...this.local.keys()]);
    const before = new Map([...keys].map((k) => [k, this.get(k)]));
    if (!commit && this.atBegin) this.values = this.atBegin;
    this.local.clear();
    this.atBegin = null;
    this.status = 'I';
    this.transactionStart = null;
    for (const [k, v] of before) this.reportIfChanged(k, v);
    this.onTransactionEnd(commit);
  }

  private reportIfChanged(key: string, before: string | undefined): void {
    const def = settingDef(key);
    const now = this.get(key);
    if (def?.reported && now !== undefined && now !== before) this.onReported(def.name, now);
  }
}
