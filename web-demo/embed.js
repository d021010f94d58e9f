// The host page's own script: it only listens to the element's events.
import './checklist.js';
import { addPatient, listPatients } from './storage.js';

if (!listPatients().some((p) => p.id === 'embed-demo')) {
  // The element stores answers under its `patient` id; the host registers that id once.
  const id = addPatient('Flow board example');
  localStorage.setItem('homeward.v1.patient.embed-demo', localStorage.getItem(`homeward.v1.patient.${id}`));
  localStorage.removeItem(`homeward.v1.patient.${id}`);
}
const status = document.getElementById('host-status');
document.addEventListener('homeward-report', (e) => {
  const r = e.detail;
  status.textContent = `Flow board: ${r.verdict.replace('_', ' ')}, ${r.summary.outstanding} outstanding, ${r.open_questions.length} questions left.`;
});
document.addEventListener('homeward-ready', () => { document.body.dataset.ready = '1'; });
