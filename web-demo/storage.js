// On-device storage for the checklist: one localStorage key per patient, so a corrupt or
// partly written record loses only that patient's answers, never the others'. Nothing here
// ever leaves the device.
//
// A record is { label, mode, overlay, answers, not_known, updated, expired_at? }: `answers` is
// exactly what the engine holds (the session's export), `not_known` the facts answered "Not
// known" (the engine treats those as unknown, like an unanswered fact; the page keeps the
// difference). Answers expire ANSWER_LIFETIME_HOURS after the patient's last change.
import { labelKey, labelProblem } from './label-guard.js';

const PREFIX = 'homeward.v1.';
const INDEX = `${PREFIX}patients`;
const PATIENT = `${PREFIX}patient.`;

/**
 * Answers are deleted this long after the last change to that patient. The checklist supports
 * a same-day decision (criteria to reside are reviewed on every ward round; a paramedic visit or
 * an A&E attendance lasts hours), so yesterday's answers must be asked again, and special-category
 * answers (safeguarding, domestic abuse, capacity) should not sit on a shared tablet any longer
 * than that decision needs. The bed label stays, so the bed is not lost from the list.
 */
export const ANSWER_LIFETIME_HOURS = 24;
const LIFETIME_MS = ANSWER_LIFETIME_HOURS * 3600 * 1000;

function safeParse(text) {
  try {
    return { ok: JSON.parse(text) };
  } catch (e) {
    return { error: String(e) };
  }
}

function patientKey(id) {
  return PATIENT + id;
}

function emptyRecord(label, now = Date.now()) {
  return { label, mode: 'ward_discharge', overlay: 'national', answers: {}, not_known: [], updated: new Date(now).toISOString() };
}

/** Every stored patient { id, label }, from the index, rebuilt from the keys if the index is damaged. */
export function listPatients() {
  const fromKeys = [];
  for (let i = 0; i < localStorage.length; i++) {
    const k = localStorage.key(i);
    if (k && k.startsWith(PATIENT)) fromKeys.push(k.slice(PATIENT.length));
  }
  const index = safeParse(localStorage.getItem(INDEX) || '[]');
  const listed = Array.isArray(index.ok) ? index.ok.filter((p) => p && typeof p.id === 'string' && typeof p.label === 'string') : [];
  const known = new Set(listed.map((p) => p.id));
  for (const id of fromKeys) if (!known.has(id)) listed.push({ id, label: id });
  const present = listed.filter((p) => fromKeys.includes(p.id));
  if (!Array.isArray(index.ok) || present.length !== (index.ok || []).length) {
    localStorage.setItem(INDEX, JSON.stringify(present));
  }
  return present;
}

/**
 * A new patient with a local label (a bed number, never an NHS number, a date or a name; no two
 * patients with the same label). Returns { ok: id } or { error: message }.
 */
export function addPatient(label, now = Date.now()) {
  const clean = String(label ?? '').trim().replace(/\s+/g, ' ');
  const problem = labelProblem(clean, listPatients().map((p) => p.label));
  if (problem) return { error: problem };
  const id = `p${now.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  localStorage.setItem(patientKey(id), JSON.stringify(emptyRecord(clean, now)));
  const list = listPatients().filter((p) => p.id !== id);
  list.push({ id, label: clean });
  localStorage.setItem(INDEX, JSON.stringify(list));
  return { ok: id };
}

/** The patient with this label, if any (labels compare without case or repeated spaces). */
export function findByLabel(label) {
  return listPatients().find((p) => labelKey(p.label) === labelKey(label)) || null;
}

function validRecord(r) {
  return r && typeof r === 'object' && r.answers && typeof r.answers === 'object' && !Array.isArray(r.answers);
}

/**
 * A patient's record. A record that cannot be read (corrupt or partly written) is replaced by
 * an empty one for the same label and `recovered` says so; the unreadable text is not kept (it
 * may hold special-category answers nobody can use). Answers past their lifetime are deleted
 * and `expired_at` says when.
 */
export function loadPatient(id, now = Date.now()) {
  const raw = localStorage.getItem(patientKey(id));
  if (raw === null) return null;
  const r = safeParse(raw).ok;
  if (!validRecord(r)) {
    const label = (listPatients().find((p) => p.id === id) || {}).label || id;
    const fresh = emptyRecord(label, now);
    localStorage.setItem(patientKey(id), JSON.stringify(fresh));
    return { ...fresh, recovered: true };
  }
  const record = { ...r, not_known: Array.isArray(r.not_known) ? r.not_known.filter((f) => typeof f === 'string') : [] };
  if (hasAnswers(record) && expired(record, now)) {
    const cleared = { ...record, answers: {}, not_known: [], expired_at: new Date(now).toISOString(), expired_updated: record.updated };
    localStorage.setItem(patientKey(id), JSON.stringify(cleared));
    return { ...cleared, recovered: false };
  }
  return { ...record, recovered: false };
}

function hasAnswers(record) {
  return Object.keys(record.answers).length > 0 || record.not_known.length > 0;
}

function expired(record, now) {
  const t = Date.parse(record.updated);
  return !Number.isFinite(t) || now - t > LIFETIME_MS || t - now > LIFETIME_MS;
}

/** Deletes every patient's answers that are past their lifetime; returns the labels affected. */
export function expireAll(now = Date.now()) {
  const labels = [];
  for (const p of listPatients()) {
    const before = safeParse(localStorage.getItem(patientKey(p.id)) || 'null').ok;
    const after = loadPatient(p.id, now);
    if (validRecord(before) && after && after.expired_at && !before.expired_at) labels.push(p.label);
  }
  return labels;
}

/** Saves a patient's answers and settings (a new answer ends any expiry notice). */
export function savePatient(id, record, now = Date.now()) {
  const { recovered, expired_at: _e, expired_updated: _u, ...rest } = record;
  localStorage.setItem(patientKey(id), JSON.stringify({ ...rest, updated: new Date(now).toISOString() }));
}

/** Saves the mode or local rules without counting as an answer (the expiry clock is kept). */
export function saveSetting(id, key, value) {
  const raw = safeParse(localStorage.getItem(patientKey(id)) || 'null').ok;
  if (!validRecord(raw)) return;
  localStorage.setItem(patientKey(id), JSON.stringify({ ...raw, [key]: value }));
}

/** Deletes every answer of one patient; the patient and its label stay. */
export function clearAnswers(id, now = Date.now()) {
  const record = loadPatient(id, now);
  if (!record) return;
  savePatient(id, { ...record, answers: {}, not_known: [] }, now);
}

/** Deletes one patient: its label and every answer. */
export function removePatient(id) {
  localStorage.removeItem(patientKey(id));
  localStorage.setItem(INDEX, JSON.stringify(listPatients().filter((p) => p.id !== id)));
}

/** Removes every Homeward record from this device. */
export function clearAll() {
  const keys = [];
  for (let i = 0; i < localStorage.length; i++) {
    const k = localStorage.key(i);
    if (k && k.startsWith(PREFIX)) keys.push(k);
  }
  keys.forEach((k) => localStorage.removeItem(k));
}

/** Deletes copies of unreadable records kept by earlier versions (they held answers nobody could use). */
export function purgeLegacyCopies() {
  const keys = [];
  for (let i = 0; i < localStorage.length; i++) {
    const k = localStorage.key(i);
    if (k && k.startsWith(`${PREFIX}unreadable.`)) keys.push(k);
  }
  keys.forEach((k) => localStorage.removeItem(k));
}
