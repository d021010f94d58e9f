// Types for the Homeward WebAssembly package (homeward.js). Every call returns a tagged result.

export interface Diagnostic {
  severity: 'error' | 'warning';
  code: string;
  path: string;
  document?: string;
  rule?: string;
  message: string;
  help: string;
}

export interface HomewardError {
  code: string;
  path: string;
  message: string;
  help: string;
  diagnostics: Diagnostic[];
}

export type Result<T> = { ok: T; error?: undefined } | { error: HomewardError; ok?: undefined };

export type Tri = 'true' | 'false' | 'unknown';
export type FactValue = boolean | number | string | string[] | null;
export type Facts = Record<string, FactValue>;
export type Verdict = 'ready' | 'not_ready' | 'undetermined';
export type Status = 'met' | 'not_met' | 'unknown' | 'not_applicable';
export type Kind = 'blocker' | 'advisory' | 'safeguarding_hold';
export type Owner = 'nhs' | 'social_care' | 'joint' | 'housing' | 'patient_family';
export type Attribution = 'nhs' | 'social_care' | 'joint';
export type OutputValue = number | string | boolean;
/** A calendar date, `YYYY-MM-DD` (1900-01-01 to 2199-12-31). */
export type IsoDate = string;
export type FactType = 'bool' | 'enum' | 'int' | 'set' | 'date';

export interface Citation { source: string; note?: string }

export interface ReportItem {
  id: string; title: string; kind: Kind; status: Status; owner: Owner; attribution: Attribution;
  delay_category: string | null; primary: boolean; action: string; referral: string | null;
  citation: Citation; decided_by: string[];
}

export interface Report {
  format: 1;
  ruleset: { id: string; version: string; hash: string };
  checklist: string;
  /** The date the answers were assessed on; null when none was given. */
  as_of: IsoDate | null;
  verdict: Verdict;
  summary: { outstanding: number; unknown: number; open_questions: number };
  causes: string[];
  blockers: ReportItem[];
  advisories: ReportItem[];
  requirements: { id: string; kind: Kind; status: Status; decided_by: string[] }[];
  decisions: {
    id: string; title: string; status: 'decided' | 'undetermined'; output: OutputValue | null;
    label: string | null; row: number | null; decided_by: string[]; open_questions: string[];
  }[];
  attribution: { by_owner: Partial<Record<Owner, number>>; by_attribution: Partial<Record<Attribution, number>> };
  open_questions: { fact: string; question: string; section: string; affects: string[] }[];
  hidden_facts: string[];
}

export interface SchemaFact {
  id: string; type: FactType; question: string; help: string | null; section: string;
  options: { id: string; label: string; help?: string }[] | null; min: number | null; max: number | null;
  unit: string | null; asked_when: unknown | null;
}

export interface Schema {
  id: string; version: string; title: string; hash: string;
  sections: { id: string; title: string; description: string | null }[];
  facts: SchemaFact[];
  checklists: {
    id: string; title: string; description: string | null;
    /** The question this checklist answers for its user. */
    question: string | null;
    /** The three verdicts in the user's words. */
    verdicts: { ready: string; not_ready: string; undetermined: string } | null;
    requirements: string[]; tables: string[]; facts: string[];
  }[];
  requirements: { id: string; title: string; kind: Kind; owner: Owner }[];
  tables: { id: string; title: string; outputs: { value: OutputValue; label: string }[] }[];
}

export interface EngineStatus {
  id: string; version: string; title: string; hash: string; checklists: string[]; warnings: Diagnostic[];
}

export function initHomeward(moduleUrl?: string | URL): Promise<{ ok: true } | { error: HomewardError }>;

export class Session {
  set(fact: string, value: FactValue): Result<Report>;
  /** As set, without building the report: what a form needs after each answer. */
  update(fact: string, value: FactValue): Result<Update>;
  clear(fact: string): Result<Report>;
  report(): Result<Report>;
  export(): Result<Facts>;
  import(facts: Facts | string): Result<Report>;
  setChecklist(checklist: string): Result<Report>;
  /** Sets the as-of date ("today"; null to forget it) and returns the new report. */
  setAsOf(asOf: IsoDate | null): Result<Report>;
  free(): void;
}

/** The compact result of one answer. */
export interface Update {
  verdict: Verdict;
  outstanding: number;
  unknown: number;
  statuses: Record<string, Status>;
  open_questions: string[];
  hidden_facts: string[];
}

/** What each compact input and output position means for one checklist. */
export interface Layout {
  checklist: string;
  facts: { id: string; type: FactType; options?: string[] }[];
  tables: { id: string; outputs: (string | number | boolean)[] }[];
  requirements: string[];
}

/** The compact input code for an unknown fact. */
export const UNKNOWN: -2147483648;

/** Bulk assessment over typed arrays; see homeward.js for the codes. */
export class Bulk {
  readonly layout: Layout;
  readonly inputLength: number;
  readonly outputLength: number;
  assess(values: Int32Array | number[]): Result<Uint32Array>;
  assessMany(values: Int32Array | number[]):
    { ok: Uint32Array; error?: undefined } | { error: HomewardError; done: number; codes: Uint32Array; ok?: undefined };
  /** Sets the as-of date for the patients assessed next (null to forget it). */
  setAsOf(asOf: IsoDate | null): Result<IsoDate | null>;
  free(): void;
}

export class Engine {
  static load(ruleset: string | object, overlays?: (string | object)[]):
    { ok: EngineStatus; engine: Engine; error?: undefined } | { error: HomewardError; engine: null; ok?: undefined };
  static national(overlays?: string[], base?: string | URL):
    Promise<{ ok: EngineStatus; engine: Engine; error?: undefined } | { error: HomewardError; engine: null; ok?: undefined }>;
  status(): Result<EngineStatus>;
  schema(): Result<Schema>;
  evaluate(facts: Facts | string, checklist?: string, asOf?: IsoDate): Result<Report>;
  layout(checklist?: string): Result<Layout>;
  bulk(checklist?: string): Result<Bulk>;
  session(checklist?: string): Session | null;
  free(): void;
}
