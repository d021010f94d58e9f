// The host page's own script: it only listens to the element's events.
import './checklist.js';

// The element keeps answers under its `patient` id; the host registers that id once.
const KEY = 'homeward.v1.patient.embed-demo';
if (!localStorage.getItem(KEY)) {
  localStorage.setItem(KEY, JSON.stringify({
    label: 'Flow board example', mode: 'home_circumstances', overlay: 'norfolk', answers: {}, not_known: [], updated: new Date().toISOString(),
  }));
}
const status = document.getElementById('host-status');
document.addEventListener('homeward-report', (e) => {
  const r = e.detail;
  status.textContent = `Flow board: ${r.verdict.replace('_', ' ')}, ${r.summary.outstanding} outstanding, ${r.summary.unknown} not yet known.`;
});
document.addEventListener('homeward-ready', () => { document.body.dataset.ready = '1'; });
