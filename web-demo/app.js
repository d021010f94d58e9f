// The bedside app shell: several patients on one tablet (kept on the device only), the
// checklist mode and local rules, clearing data, and the offline service worker.
import './checklist.js';
import { addPatient, clearAll, clearPatient, listPatients, loadPatient, savePatient } from './storage.js';

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

function show(id) {
  const record = loadPatient(id);
  notice(record && record.recovered
    ? `The saved answers for ${record.label} could not be read (the record was damaged), so they were reset. Other patients are not affected.`
    : '');
  localStorage.setItem(CURRENT, id);
  mode.value = record && record.mode ? record.mode : 'ward_discharge';
  overlay.value = record && record.overlay ? record.overlay : 'national';
  checklist.setAttribute('mode', mode.value);
  checklist.setAttribute('overlay', overlay.value);
  checklist.setAttribute('patient', id);
}

function updateSetting(key, value) {
  const id = patientSelect.value;
  const record = loadPatient(id);
  if (record) savePatient(id, { ...record, [key]: value });
  checklist.setAttribute(key, value);
}

function start() {
  const current = refreshPatients(localStorage.getItem(CURRENT));
  show(current);
  patientSelect.addEventListener('change', () => show(patientSelect.value));
  mode.addEventListener('change', () => updateSetting('mode', mode.value));
  overlay.addEventListener('change', () => updateSetting('overlay', overlay.value));
  $('hw-add').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('hw-new-label');
    const label = input.value.trim();
    if (!label) {
      notice('Enter a bed number or local label for the new patient.');
      input.focus();
      return;
    }
    if (/\b\d{3}\s?\d{3}\s?\d{4}\b/.test(label)) {
      notice('That looks like an NHS number. Use a bed number or local label instead.');
      input.focus();
      return;
    }
    notice('');
    const id = addPatient(label);
    input.value = '';
    refreshPatients(id);
    show(id);
  });
  $('hw-clear-patient').addEventListener('click', () => {
    const label = patientSelect.selectedOptions[0] ? patientSelect.selectedOptions[0].textContent : 'this patient';
    if (!window.confirm(`Clear all answers for ${label} from this device?`)) return;
    clearPatient(patientSelect.value);
    show(refreshPatients());
    notice(`${label} was cleared from this device.`);
  });
  $('hw-clear-all').addEventListener('click', () => {
    if (!window.confirm('Clear every patient’s answers from this device? This cannot be undone.')) return;
    clearAll();
    show(refreshPatients());
    notice('All Homeward data was cleared from this device.');
  });
  $('hw-print').addEventListener('click', () => window.print());
  checklist.addEventListener('homeward-ready', () => { document.body.dataset.ready = '1'; });
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('./sw.js').catch(() => { /* offline support unavailable; the app still works online */ });
  }
}

start();
