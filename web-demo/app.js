// The bedside app shell: several patients on one tablet (kept on the device only, labelled by
// bed and never by anything that identifies the person), the checklist mode and local rules,
// clearing a patient's answers or removing the patient, expiry of old answers, and the offline
// service worker.
import './checklist.js';
import { OVERLAY_TITLES } from './engine.js';
import {
  ANSWER_LIFETIME_HOURS, addPatient, clearAll, clearAnswers, expireAll, listPatients, loadPatient, purgeLegacyCopies,
  removePatient, saveSetting,
} from './storage.js';

const $ = (id) => document.getElementById(id);
const checklist = $('hw-checklist');
const patientSelect = $('hw-patient');
const mode = $('hw-mode');
const overlay = $('hw-overlay');
const CURRENT = 'homeward.v1.current';

function notice(text) {
  const box = $('hw-app-notice');
  box.hidden = !text;
  box.textContent = text || '';
}

const when = (iso) => {
  const d = new Date(iso);
  return Number.isFinite(d.getTime()) ? d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : 'an unknown time';
};

function refreshPatients(selected) {
  let patients = listPatients();
  if (!patients.length) {
    addPatient('Bed 1');
    patients = listPatients();
  }
  const current = selected && patients.some((p) => p.id === selected) ? selected : patients[0].id;
  patientSelect.replaceChildren(...patients.map((p) => {
    const o = document.createElement('option');
    o.value = p.id;
    o.textContent = p.label;
    o.selected = p.id === current;
    return o;
  }));
  return current;
}

function currentLabel() {
  const o = patientSelect.selectedOptions[0];
  return o ? o.textContent : 'this patient';
}

function describe() {
  const label = currentLabel();
  const modeName = mode.selectedOptions[0] ? mode.selectedOptions[0].textContent : mode.value;
  $('hw-context').textContent = `${label} · ${modeName} · ${OVERLAY_TITLES[overlay.value] || overlay.value}`;
  $('hw-clear-answers').textContent = `Clear answers for ${label}`;
  $('hw-remove-patient').textContent = `Remove ${label}`;
}

function show(id, message = '') {
  const record = loadPatient(id);
  let text = message;
  if (record && record.recovered) text = `The saved answers for ${record.label} could not be read (the record was damaged), so they were deleted. Other patients are not affected.`;
  else if (record && record.expired_at && !text) {
    text = `The answers for ${record.label} were deleted from this device because they were more than ${ANSWER_LIFETIME_HOURS} hours old (last changed ${when(record.expired_updated)}). Ask the questions again.`;
  }
  notice(text);
  localStorage.setItem(CURRENT, id);
  mode.value = record && record.mode ? record.mode : 'ward_discharge';
  overlay.value = record && record.overlay ? record.overlay : 'national';
  describe();
  checklist.setAttribute('mode', mode.value);
  checklist.setAttribute('overlay', overlay.value);
  checklist.setAttribute('patient', id);
}

function updateSetting(key, value) {
  saveSetting(patientSelect.value, key, value);
  describe();
  checklist.setAttribute(key, value);
}

/** The NHS error pattern on the new-label field: summary at the top, message by the field. */
function labelError(message) {
  const input = $('hw-new-label');
  const group = $('hw-add');
  const summary = $('hw-add-errors');
  const error = $('hw-new-error');
  group.classList.toggle('nhsuk-form-group--error', Boolean(message));
  input.classList.toggle('nhsuk-input--error', Boolean(message));
  summary.hidden = !message;
  error.hidden = !message;
  if (message) {
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', 'hw-new-hint hw-new-error');
    error.replaceChildren(Object.assign(document.createElement('span'), { className: 'nhsuk-u-visually-hidden', textContent: 'Error: ' }), message);
    $('hw-add-errors-link').textContent = message;
    summary.focus();
  } else {
    input.removeAttribute('aria-invalid');
    input.setAttribute('aria-describedby', 'hw-new-hint');
  }
}

function togglePanel(open) {
  const button = $('hw-change');
  const want = open === undefined ? button.getAttribute('aria-expanded') !== 'true' : open;
  button.setAttribute('aria-expanded', String(want));
  $('hw-patients').hidden = !want;
}

/** Answers past their lifetime are deleted even while the page stays open (a tablet left on). */
function expireNow() {
  const labels = expireAll();
  if (!labels.length) return;
  const current = patientSelect.value;
  if (labels.includes(currentLabel())) {
    show(current);
    checklist.build();
  } else notice(`Answers more than ${ANSWER_LIFETIME_HOURS} hours old were deleted from this device for: ${labels.join(', ')}.`);
}

function start() {
  purgeLegacyCopies();
  $('hw-data-policy').textContent = `Answers are kept only on this device and are never sent anywhere. They are deleted ${ANSWER_LIFETIME_HOURS} hours after the last change to that patient. The checklist works without a connection once it has loaded.`;
  const current = refreshPatients(localStorage.getItem(CURRENT));
  show(current);
  $('hw-change').addEventListener('click', () => togglePanel());
  patientSelect.addEventListener('change', () => show(patientSelect.value));
  mode.addEventListener('change', () => updateSetting('mode', mode.value));
  overlay.addEventListener('change', () => updateSetting('overlay', overlay.value));
  $('hw-add-errors-link').addEventListener('click', (e) => {
    e.preventDefault();
    $('hw-new-label').focus();
  });
  $('hw-add').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('hw-new-label');
    const added = addPatient(input.value);
    if (added.error) {
      labelError(added.error);
      return;
    }
    labelError('');
    input.value = '';
    show(refreshPatients(added.ok));
    togglePanel(false);
    $('hw-title').focus();
  });
  $('hw-clear-answers').addEventListener('click', () => {
    const label = currentLabel();
    if (!window.confirm(`Clear the answers for ${label}?\n\nEvery answer for ${label} is deleted from this device. ${label} stays in the list of patients, with no answers.`)) return;
    clearAnswers(patientSelect.value);
    show(patientSelect.value, `The answers for ${label} were deleted from this device. ${label} is still in the list.`);
    checklist.build();
  });
  $('hw-remove-patient').addEventListener('click', () => {
    const label = currentLabel();
    if (!window.confirm(`Remove ${label}?\n\n${label} and all of its answers are deleted from this device.`)) return;
    removePatient(patientSelect.value);
    show(refreshPatients(), `${label} and its answers were removed from this device.`);
  });
  $('hw-clear-all').addEventListener('click', () => {
    if (!window.confirm('Delete every patient and every answer from this device? This cannot be undone.')) return;
    clearAll();
    show(refreshPatients(), 'Every patient and answer was deleted from this device.');
  });
  $('hw-skip').addEventListener('click', (e) => {
    const card = document.getElementById('hw-next');
    if (!card) return;
    e.preventDefault();
    const first = card.querySelector('input, button');
    (first || card).focus();
  });
  checklist.addEventListener('homeward-ready', (e) => {
    const { question, checklists } = e.detail;
    $('hw-title').textContent = question;
    document.title = `Homeward – ${question}`;
    if (checklists && checklists.length) {
      const selected = mode.value;
      mode.replaceChildren(...checklists.map((c) => Object.assign(document.createElement('option'), { value: c.id, textContent: c.title, selected: c.id === selected })));
      describe();
    }
    document.body.dataset.ready = '1';
  });
  document.addEventListener('visibilitychange', () => { if (!document.hidden) expireNow(); });
  setInterval(expireNow, 60 * 1000);
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('./sw.js').catch(() => { /* offline support unavailable; the app still works online */ });
  }
}

start();
