// The patient label guard: a label on a shared tablet names a place (a bed, a bay, a call),
// never a person. It refuses what would identify someone if the tablet were lost or seen over a
// shoulder. Pure functions, no DOM, so the rules are tested in Node (tests/label-guard.mjs).
//
// What is refused, and why (docs/clinical-safety.md, hazard H11):
// - an NHS number in any spacing or separator, with or without an "NHS" prefix: any run of ten
//   or more digits once spaces, dots, dashes, slashes and underscores are ignored;
// - a hospital or record number: any run of seven or more digits (bed, bay and room numbers need
//   at most four; 7-8 digits is the usual length of a hospital number);
// - the word "NHS", "MRN", "CHI", "DOB" or "born" followed by anything;
// - a date: 12/03/1941, 12-3-41, 12.03.1941, 1941-03-12, "12 March 1941", "March 1941", and a
//   year from 1900 to 2099 written with a month or on its own beside a name-like word;
// - a name: a title (Mr, Mrs, Ms, Miss, Mx, Dr, Prof, Sir, Dame, Rev, Master, Lady, Lord) before
//   a word; two or more capitalised words in a row that are not place words ("Jane Smith",
//   "Bed 3 Jane Smith"); a label with no digit and no place word ("Smith"), since every bed, bay,
//   room or call label carries one or the other;
// - a home address (paramedics label by call, not by house): a UK postcode, or a house number
//   followed by a street word (12 Elm Road);
// - an e-mail address.
// A single capitalised word beside a place word ("Bed 3 Window") is allowed: it is the residual
// risk (a lone surname) that the hint text and staff training cover.

/** Words that name a place or an episode rather than a person. */
const PLACE_WORDS = new Set(`bed beds bay bays room rooms side cubicle cubicles chair chairs trolley trolleys
  resus majors minors ambulance call calls crew incident job visit ward wards unit icu hdu ccu amu sau mau
  ae aande ed utc cdu recliner lounge corridor escalation window door east west north south left right
  front back upper lower annexe annex discharge assessment area pod cube cot station hall`.split(/\s+/).filter(Boolean));

const TITLES = /\b(mr|mrs|ms|miss|mx|dr|prof|professor|sir|dame|rev|revd|master|lady|lord)\b\.?\s*[a-z]/i;
const MONTHS = '(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)';
const STREET = '(road|rd|street|st|lane|ln|avenue|ave|close|drive|dr|way|court|ct|place|pl|crescent|gardens|gdns|terrace|grove|square|sq|row|walk|mews|hill|park|green|view|rise|lodge|cottages?|house|flat|apartment)';

/** Why a label is refused, or null when it may be used. `existing` holds the other labels. */
export function labelProblem(raw, existing = []) {
  const label = String(raw ?? '').trim().replace(/\s+/g, ' ');
  if (!label) return 'Enter a bed number or local label, for example “Bed 12”';
  if (label.length > 40) return 'Label must be 40 characters or fewer';
  const identifying = identifies(label);
  if (identifying) return identifying;
  const key = labelKey(label);
  if (existing.some((other) => labelKey(other) === key)) return `There is already a patient called “${label}” on this device: use a different label`;
  return null;
}

/** Labels compare without case or repeated spaces, so "Bed 3" and "bed  3" are the same. */
export function labelKey(label) {
  return String(label ?? '').trim().replace(/\s+/g, ' ').toLowerCase();
}

function identifies(label) {
  const lower = label.toLowerCase();
  const digitRuns = (label.match(/\d[\d\s.\-/_]*\d|\d/g) || []).map((run) => run.replace(/\D/g, '').length);
  if (/@/.test(label) && /\w@\w/.test(label)) return 'Label must not contain an e-mail address';
  if (/\b(nhs|mrn|chi|dob|d\.o\.b|born)\b/i.test(lower) || /\bnhs\s*(no|number|#)?\s*\d/i.test(lower)) {
    return 'Label must not contain an NHS number, hospital number or date of birth: use a bed number or local label';
  }
  if (looksLikeDate(lower)) return 'Label must not contain a date of birth or any date: use a bed number or local label';
  if (digitRuns.some((n) => n >= 10)) return 'Label must not contain an NHS number: use a bed number or local label';
  if (digitRuns.some((n) => n >= 7)) return 'Label must not contain a hospital or record number: use a bed number or local label';
  if (/\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b/i.test(label)) return 'Label must not contain a postcode: use a call or bed number';
  if (new RegExp(`\\b\\d+[a-z]?\\s+([a-z]+\\s+)?${STREET}\\b`, 'i').test(label)) return 'Label must not contain an address: use a call or bed number';
  if (TITLES.test(label)) return 'Label must not contain a name: use a bed number or local label';
  if (looksLikeName(label)) return 'Label must not contain a name: use a bed number or local label, for example “Bed 12” or “Call 3”';
  return null;
}

function looksLikeDate(lower) {
  if (/\b\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}\b/.test(lower)) return true;
  if (/\b(19|20)\d{2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{1,2}\b/.test(lower)) return true;
  if (new RegExp(`\\b\\d{1,2}(st|nd|rd|th)?\\s*(of\\s+)?${MONTHS}\\b`).test(lower)) return true;
  if (new RegExp(`\\b${MONTHS}\\s*\\d{1,2}(st|nd|rd|th)?\\b`).test(lower)) return true;
  if (new RegExp(`\\b${MONTHS}\\s*(19|20)\\d{2}\\b`).test(lower)) return true;
  return false;
}

function looksLikeName(label) {
  const words = label.split(/[\s,;:()'’"-]+/).filter(Boolean);
  const isPlace = (w) => PLACE_WORDS.has(w.toLowerCase().replace(/[.&]/g, ''));
  const nameLike = (w) => /^[A-Z][a-z]+$/.test(w) && !isPlace(w);
  for (let i = 0; i + 1 < words.length; i++) {
    if (nameLike(words[i]) && nameLike(words[i + 1])) return true;
  }
  const hasDigit = /\d/.test(label);
  const hasPlace = words.some(isPlace);
  return !hasDigit && !hasPlace;
}
