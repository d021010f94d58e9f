// On-device storage for the checklist: one localStorage key per patient, so a corrupt or
// partly written record loses only that patient's answers, never the others'. Nothing here
// ever leaves the device.
const PREFIX = 'homeward.v1.';
const INDEX = `${PREFIX}patients`;
const PATIENT = `${PREFIX}patient.`;

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

/** Every stored patient id, from the index, rebuilt from the keys if the index is damaged. */
export function listPatients() {
  const fromKeys = [];
  for (let i = 0; i < localStorage.length; i++) {
    const k = localStorage.key(i);
    if (k && k.startsWith(PATIENT)) fromKeys.push(k.slice(PATIENT.length));
  }
  const index = safeParse(localStorage.getItem(INDEX) || '[]');
  const listed = Array.isArray(index.ok) ? index.ok.filter((p) => p && typeof p.id === 'string') : [];
  const known = new Set(listed.map((p) => p.id));
  for (const id of fromKeys) if (!known.has(id)) listed.push({ id, label: id });
  const present = listed.filter((p) => fromKeys.includes(p.id));
  if (!Array.isArray(index.ok) || present.length !== listed.length || present.length !== (index.ok || []).length) {
    localStorage.setItem(INDEX, JSON.stringify(present));
  }
  return present;
}

/** A new patient record with a local label (a bed number, never an NHS number). */
export function addPatient(label) {
  const id = `p${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const record = { label, mode: 'ward_discharge', overlay: 'national', answers: {}, updated: new Date().toISOString() };
  localStorage.setItem(patientKey(id), JSON.stringify(record));
  const list = listPatients();
  if (!list.some((p) => p.id === id)) list.push({ id, label });
  localStorage.setItem(INDEX, JSON.stringify(list.map((p) => (p.id === id ? { id, label } : p))));
  return id;
}

/**
 * A patient's record. A record that cannot be read (corrupt or partly written) is moved aside
 * and replaced by an empty one for the same label; `recovered` says so.
 */
export function loadPatient(id) {
  const raw = localStorage.getItem(patientKey(id));
  if (raw === null) return null;
  const parsed = safeParse(raw);
  const r = parsed.ok;
  if (r && typeof r === 'object' && r.answers && typeof r.answers === 'object' && !Array.isArray(r.answers)) {
    return { ...r, recovered: false };
  }
  const label = (listPatients().find((p) => p.id === id) || {}).label || id;
  localStorage.setItem(`${PREFIX}unreadable.${id}`, raw);
  const fresh = { label, mode: 'ward_discharge', overlay: 'national', answers: {}, updated: new Date().toISOString() };
  localStorage.setItem(patientKey(id), JSON.stringify(fresh));
  return { ...fresh, recovered: true };
}

/** Saves a patient's answers and settings. */
export function savePatient(id, record) {
  const { recovered, ...rest } = record;
  localStorage.setItem(patientKey(id), JSON.stringify({ ...rest, updated: new Date().toISOString() }));
}

/** Removes one patient. */
export function clearPatient(id) {
  localStorage.removeItem(patientKey(id));
  localStorage.removeItem(`${PREFIX}unreadable.${id}`);
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
