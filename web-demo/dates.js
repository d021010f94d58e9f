// Dates on the bedside page, the NHS.UK way: reading a date typed as day, month and year (the
// date input component), the error message for a partial or impossible one in the design
// system's words, "today" from the device's own calendar, and dates in words ("2 December
// 2026"). Pure functions, no DOM, tested in Node (tests/bedside-units.mjs). The engine reads no
// clock: the page reads it here and gives the engine the day as `as_of`.

/** The dates the engine accepts (docs/ruleset-format.md): 1900-01-01 to 2199-12-31. */
export const FIRST_YEAR = 1900;
export const LAST_YEAR = 2199;

export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** The example under every date question (the NHS.UK date input's hint). */
export const DATE_HINT = 'For example, 27 3 2026';

export const PARTS = ['day', 'month', 'year'];

export const isLeapYear = (y) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Days in a month of a year (month 1–12). */
export function daysInMonth(year, month) {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const pad = (n, width = 2) => String(n).padStart(width, '0');

/** A day as the engine writes it, `YYYY-MM-DD`. */
export const iso = (year, month, day) => `${pad(year, 4)}-${pad(month)}-${pad(day)}`;

/** Today on this device's own calendar (local time, not UTC), as `YYYY-MM-DD`. */
export const localToday = (now = new Date()) => iso(now.getFullYear(), now.getMonth() + 1, now.getDate());

/** `YYYY-MM-DD` split into what the three boxes show ({ day: '2', month: '12', year: '2026' }), or null. */
export function isoParts(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text ?? ''));
  if (!m) return null;
  return { day: String(Number(m[3])), month: String(Number(m[2])), year: m[1] };
}

/** `2026-12-02` → "2 December 2026" (the NHS.UK style for dates); anything else as it is. */
export function longDate(text) {
  const p = isoParts(text);
  const month = p && MONTHS[Number(p.month) - 1];
  return month ? `${Number(p.day)} ${month} ${p.year}` : String(text ?? '');
}

/**
 * The noun a date question's error messages use ("Admission date must include a month"): from
 * the fact id's last part when it names a date (`clinical.admission_date` → "Admission date"),
 * else "The date" (the message sits under the question, which says which date).
 */
export function dateName(fact) {
  const last = String(fact.id || '').split('.').pop().replace(/_+/g, ' ').trim();
  if (!/\bdate$/.test(last) || last === 'date') return 'The date';
  return last.charAt(0).toUpperCase() + last.slice(1);
}

/** A month typed as a number, or as a name or its first three letters ("Dec", "december"). */
function monthNumber(text) {
  if (/^\d+$/.test(text)) return Number(text);
  const lower = text.toLowerCase().replace(/\.$/, '');
  const i = MONTHS.findIndex((m) => m.toLowerCase() === lower || (lower.length === 3 && m.toLowerCase().startsWith(lower)) || (lower === 'sept' && m === 'September'));
  return i < 0 ? NaN : i + 1;
}

const list = (parts) => (parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`);

/**
 * What the three boxes say, judged as the NHS.UK date input asks:
 *   { empty: true }                      nothing typed (the question is unanswered)
 *   { ok: 'YYYY-MM-DD' }                 a real day the engine accepts
 *   { error: { code, parts, message } }  what is wrong, the boxes to mark (`aria-invalid` on
 *                                        those only) and the message, in the design system's words
 * `name` is the noun of the messages (dateName).
 */
export function readDate(input, name = 'The date') {
  const text = Object.fromEntries(PARTS.map((p) => [p, String((input && input[p]) ?? '').trim()]));
  const missing = PARTS.filter((p) => text[p] === '');
  if (missing.length === 3) return { empty: true };
  const fail = (code, parts, message) => ({ error: { code, parts, message } });
  if (missing.length) return fail('DATE_INCOMPLETE', missing, `${name} must include a ${list(missing)}`);
  const day = /^\d+$/.test(text.day) ? Number(text.day) : NaN;
  const month = monthNumber(text.month);
  const year = /^\d+$/.test(text.year) ? Number(text.year) : NaN;
  const notNumbers = [Number.isNaN(day) ? 'day' : null, Number.isNaN(month) ? 'month' : null, Number.isNaN(year) ? 'year' : null].filter(Boolean);
  if (notNumbers.length) return fail('DATE_NOT_REAL', notNumbers, `${name} must be a real date`);
  if (text.year.length !== 4) return fail('DATE_YEAR_DIGITS', ['year'], 'Year must include 4 numbers');
  const wrong = [];
  if (month < 1 || month > 12) wrong.push('month');
  if (day < 1 || day > (month >= 1 && month <= 12 ? daysInMonth(year, month) : 31)) wrong.push('day');
  if (wrong.length) return fail('DATE_NOT_REAL', PARTS.filter((p) => wrong.includes(p)), `${name} must be a real date`);
  if (year < FIRST_YEAR || year > LAST_YEAR) {
    return fail('DATE_OUT_OF_RANGE', ['year'], `${name} must be between 1 January ${FIRST_YEAR} and 31 December ${LAST_YEAR}`);
  }
  return { ok: iso(year, month, day) };
}
