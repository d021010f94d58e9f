// Types for the Homeward WebAssembly package (homeward-wasm): one API for browsers, bundlers and
// Node. Every call returns a tagged result, { ok } or { error }; free() returns nothing. Nothing
// throws and nothing traps.

/**
 * The engine's codes (`homeward::Code` in the Rust crate, in declaration order). The package
 * build fails if this list and the crate's differ.
 */
export type EngineErrorCode =
  | 'JSON_SYNTAX' | 'WRONG_TYPE' | 'MISSING_FIELD' | 'UNKNOWN_FIELD' | 'INVALID_ID'
  | 'DUPLICATE_ID' | 'UNSUPPORTED_FORMAT' | 'INVALID_VALUE' | 'UNKNOWN_SECTION' | 'EMPTY_OPTIONS'
  | 'TOO_MANY_OPTIONS' | 'INVALID_RANGE' | 'BAD_CONDITION' | 'UNKNOWN_FACT' | 'UNKNOWN_CONDITION'
  | 'UNKNOWN_TABLE' | 'UNKNOWN_REQUIREMENT' | 'UNKNOWN_CHECKLIST' | 'TYPE_MISMATCH'
  | 'UNKNOWN_OPTION' | 'OPERAND_OUT_OF_RANGE' | 'UNKNOWN_OUTPUT' | 'AT_LEAST_RANGE' | 'CYCLE'
  | 'NESTING_TOO_DEEP' | 'EXTENDS_MISMATCH' | 'NOT_AN_OVERLAY' | 'UNKNOWN_BUNDLED' | 'TOO_LARGE'
  | 'OUT_OF_RANGE' | 'DUPLICATE_OPTION' | 'INVALID_DATE' | 'UNUSED_FACT' | 'UNUSED_CONDITION' | 'NEVER_APPLIES'
  | 'UNREACHABLE_ROW' | 'ASKED_WHEN_SELF' | 'NOT_IN_CHECKLIST'
  | 'DUPLICATE_KEY' | 'INVALID_RESOURCE' | 'UNDECLARED_SAFETY_CHANGE' | 'UNUSED_SAFETY_CHANGE'
  | 'ASKED_WHEN_CYCLE' | 'TOO_MANY_DIAGNOSTICS' | 'BAD_COMPILED';

export interface Diagnostic {
  severity: 'error' | 'warning';
  code: EngineErrorCode;
  path: string;
  document?: string;
  rule?: string;
  message: string;
  help: string;
}

/**
 * Codes from the JavaScript wrapper itself (the engine's are {@link EngineErrorCode}):
 * `WASM_LOAD` the .wasm could not be fetched, read or instantiated; `NOT_INITIALISED` a call
 * before `await initHomeward()` succeeded; `RULESET_UNAVAILABLE` `Engine.national()` could not
 * read a bundled ruleset; `INTERNAL` an exception escaped the module (a bug).
 */
export type WrapperErrorCode = 'WASM_LOAD' | 'NOT_INITIALISED' | 'RULESET_UNAVAILABLE' | 'INTERNAL';

/** Every code an error can carry. */
export type ErrorCode = EngineErrorCode | WrapperErrorCode;

export interface HomewardError {
  /** A stable SCREAMING_SNAKE code: the engine's (e.g. `UNKNOWN_FACT`, `WRONG_TYPE`) or a {@link WrapperErrorCode}. */
  code: ErrorCode;
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
  /** Frozen in reports built from codes (`Bulk.reportFacts`, `Session.set`): shared by every report of the checklist. */
  citation: Readonly<Citation>; decided_by: string[];
}

/** A change to safety an overlay declared with a reason (docs/ruleset-format.md, Safety changes). */
export interface SafetyChange {
  overlay: string;
  change: 'override_action' | 'override_owner' | 'override_referral' | 'rows_at_start'
    | 'checklist_without_hold' | 'checklist_without_primary';
  requirement?: string; table?: string; checklist?: string;
  reason: string;
}

/**
 * A report. Built from codes (`Bulk.reportFacts`, `Session.set`), its static parts (`ruleset`,
 * `safety_changes`, each item's `citation`) are frozen and shared by every report of the
 * checklist; everything that depends on the patient is fresh.
 */
export interface Report {
  format: 1;
  ruleset: Readonly<{ id: string; version: string; hash: string }>;
  /** Present (non-empty) only when the ruleset's overlays declared safety changes. */
  safety_changes?: readonly Readonly<SafetyChange>[];
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

/** `WebAssembly.Module` where the environment's types declare it (DOM lib), else `never`. */
export type WebAssemblyModule = typeof globalThis extends { WebAssembly: { Module: { prototype: infer M } } } ? M : never;

/** The fetch `Response` where the environment's types declare it (DOM lib or @types/node), else `never`. */
export type FetchResponse = typeof globalThis extends { Response: { prototype: infer R } } ? R : never;

/**
 * Where the WebAssembly module comes from: a URL (or, in Node, a file path), the bytes
 * (`ArrayBuffer` or a typed array: any `BufferSource`), a compiled `WebAssembly.Module`, a fetch
 * `Response`, or a promise of one of these. Written without DOM-only names, so a Node project
 * without the DOM lib type-checks too.
 */
export type WasmSource =
  | string
  | URL
  | ArrayBuffer
  | ArrayBufferView
  | WebAssemblyModule
  | FetchResponse
  | Promise<ArrayBuffer | ArrayBufferView | WebAssemblyModule | FetchResponse>;

/**
 * Loads the WebAssembly module once (later calls return the same result; a failed load may be
 * retried). Without `source`: in browsers the `.wasm` beside the package's module is fetched; in
 * Node it is read from the package's files.
 */
export function initHomeward(source?: WasmSource): Promise<Result<true>>;

/** The result of loading an engine. */
export type Loaded =
  | {
      ok: Engine;
      /** @deprecated The same engine as `ok`; kept for 0.1 callers and removed in 0.2. */
      engine: Engine;
      error?: undefined;
    }
  | { error: HomewardError; ok?: undefined; engine?: undefined };

export class Session {
  /** Sets one answer and returns the new report (named in JS from the engine's codes: no JSON in between). */
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

/**
 * One patient's assessment from {@link Bulk.assessFacts}: the same content as the report's
 * verdict, requirement statuses and decisions, without the report's text.
 */
export interface Assessed {
  verdict: Verdict;
  /**
   * Requirements not met (blockers, holds and advisories), in checklist order. Frozen: results
   * with the same set share one array (from one `Bulk`).
   */
  not_met: readonly string[];
  /** Requirements still unknown, in checklist order. Frozen and shared as `not_met`. */
  unknown: readonly string[];
  /** Each table of the checklist: its decided output, or null while undetermined. */
  decisions: Record<string, OutputValue | null>;
}

/**
 * Bulk assessment: patients as JS objects (`assessFacts`, `assessManyFacts`: what services and
 * pages hold) or as typed arrays (`assess`, `assessMany`; see homeward-core.js for the codes).
 */
export class Bulk {
  readonly layout: Layout;
  readonly inputLength: number;
  readonly outputLength: number;
  /** One patient's answers (the object `Engine.evaluate` takes): the result, or the engine's located error. */
  assessFacts(facts: Facts): Result<Assessed>;
  /**
   * One patient's full report as a JS object: the object `Engine.evaluate` returns, key for
   * key, built from the engine's codes and the checklist's text without JSON in between.
   */
  reportFacts(facts: Facts): Result<Report>;
  /**
   * Many patients, 64 per pass inside the engine: one result per patient, or the first bad
   * patient's error located under `$[patient]`, with the results of the `done` before it.
   */
  assessManyFacts(patients: Facts[]):
    { ok: Assessed[]; error?: undefined } | { error: HomewardError; done: number; results: Assessed[]; ok?: undefined };
  assess(values: Int32Array | number[]): Result<Uint32Array>;
  assessMany(values: Int32Array | number[]):
    { ok: Uint32Array; error?: undefined } | { error: HomewardError; done: number; codes: Uint32Array; ok?: undefined };
  /** Sets the as-of date for the patients assessed next (null to forget it). */
  setAsOf(asOf: IsoDate | null): Result<IsoDate | null>;
  free(): void;
}

export class Engine {
  /** A ruleset and overlays given as JSON text or objects. */
  static load(ruleset: string | object, overlays?: (string | object)[]): Loaded;
  /**
   * The bundled national ruleset with bundled overlays by id (e.g. `['norfolk']`), read from the
   * package's `rulesets/` folder, or from `base` (a URL; in Node also a directory path).
   */
  static national(overlays?: string[], base?: string | URL): Promise<Loaded>;
  /** Id, version, content hash, checklists and load warnings. */
  status(): Result<EngineStatus>;
  schema(): Result<Schema>;
  evaluate(facts: Facts | string, checklist?: string, asOf?: IsoDate): Result<Report>;
  layout(checklist?: string): Result<Layout>;
  bulk(checklist?: string): Result<Bulk>;
  /** A session for one patient's answers on a checklist (an error for an unknown checklist). */
  session(checklist?: string): Result<Session>;
  free(): void;
}
