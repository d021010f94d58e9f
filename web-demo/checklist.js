// <homeward-checklist mode="ward_discharge" overlay="national" patient="…" pkg="./pkg/">
//
// The bedside checklist as a custom element, so another system can embed it. The form is
// rendered from the ruleset's own fact schema and every rule is evaluated by the Homeward
// engine in WebAssembly: no rule is repeated here. Answers are kept on this device only.
import { initHomeward, Engine } from './pkg/homeward.js';
import { loadPatient, savePatient } from './storage.js';

const OWNERS = [
  ['nhs', 'NHS'],
  ['social_care', 'Social care'],
  ['housing', 'Housing'],
  ['joint', 'Health and social care (joint)'],
  ['patient_family', 'Patient and family'],
];
const OVERLAYS = { national: [], norfolk: ['norfolk'] };
const engines = new Map();

function engineFor(overlay) {
  const key = OVERLAYS[overlay] ? overlay : 'national';
  if (!engines.has(key)) {
    engines.set(key, initHomeward().then(() => Engine.national(OVERLAYS[key])));
  }
  return engines.get(key);
}

/** Element ids: fact ids contain dots, which CSS selectors would need escaped. */
const domId = (fact) => fact.replace(/\./g, '--');
const words = (s) => (s ? String(s).replace(/_/g, ' ') : '');

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c) e.append(c);
  return e;
}

export class HomewardChecklist extends HTMLElement {
  static get observedAttributes() {
    return ['mode', 'overlay', 'patient'];
  }

  constructor() {
    super();
    this.session = null;
    this.schema = null;
    this.report = null;
    this.generation = 0;
  }

  connectedCallback() {
    this.build();
  }

  disconnectedCallback() {
    if (this.session) this.session.free();
    this.session = null;
  }

  attributeChangedCallback(_name, oldValue, newValue) {
    if (this.isConnected && oldValue !== newValue) this.build();
  }

  get mode() {
    return this.getAttribute('mode') || 'ward_discharge';
  }

  get overlay() {
    return this.getAttribute('overlay') || 'national';
  }

  get patient() {
    return this.getAttribute('patient');
  }

  /** (Re)builds everything for the current mode, overlay and patient. */
  async build() {
    const generation = ++this.generation;
    this.dataset.state = 'loading';
    this.replaceChildren(el('p', { class: 'nhsuk-body hw-loading', text: 'Loading the checklist…' }));
    const loaded = await engineFor(this.overlay);
    if (generation !== this.generation) return;
    if (loaded.error) return this.showError('The rules could not be loaded', loaded.error);
    const schema = loaded.ok.schema();
    if (schema.error) return this.showError('The rules could not be read', schema.error);
    this.schema = schema.ok;
    this.checklist = this.schema.checklists.find((c) => c.id === this.mode) || this.schema.checklists[0];
    if (this.session) this.session.free();
    const opened = loaded.ok.session(this.checklist.id);
    this.session = opened.ok || null;
    if (opened.error) return this.showError('The checklist could not be opened', opened.error);
    this.notice = null;
    const stored = this.patient ? loadPatient(this.patient) : null;
    if (stored && stored.recovered) this.notice = 'This patient’s saved answers could not be read (the record was damaged), so they were reset. Other patients are not affected.';
    let result = this.session.report();
    if (stored && Object.keys(stored.answers).length) {
      result = this.session.import(stored.answers);
      if (result.error) result = this.importLeniently(stored.answers);
    }
    this.renderShell();
    this.apply(result);
    this.dataset.state = 'ready';
    this.dispatchEvent(new CustomEvent('homeward-ready', { bubbles: true }));
  }

  /** Imports answers one by one, keeping those this ruleset accepts (e.g. after switching overlay). */
  importLeniently(answers) {
    let last = this.session.report();
    let dropped = 0;
    for (const [fact, value] of Object.entries(answers)) {
      const r = this.session.set(fact, value);
      if (r.ok) last = r;
      else dropped++;
    }
    if (dropped) this.notice = `${dropped} saved answer(s) do not apply to these rules and were not used.`;
    return last;
  }

  showError(title, error) {
    this.dataset.state = 'error';
    this.replaceChildren(
      el('div', { class: 'nhsuk-error-summary', role: 'alert', tabindex: '-1' },
        el('h2', { class: 'nhsuk-error-summary__title', text: title }),
        el('div', { class: 'nhsuk-error-summary__body' },
          el('p', { text: `${error.message} (${error.code} at ${error.path})` }))),
    );
  }

  renderShell() {
    const title = this.checklist.title;
    this.banner = el('div', { class: 'hw-banner', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true', id: 'hw-banner' });
    this.noticeBox = el('div', { class: 'nhsuk-inset-text hw-notice', hidden: true });
    this.outstanding = el('section', { class: 'hw-outstanding', 'aria-labelledby': 'hw-outstanding-title' });
    this.decisionsBox = el('section', { class: 'hw-decisions', 'aria-labelledby': 'hw-decisions-title' });
    this.form = el('form', { class: 'hw-form', novalidate: true, 'aria-label': `${title} questions` });
    this.form.addEventListener('submit', (e) => e.preventDefault());
    this.handover = el('textarea', { class: 'nhsuk-textarea hw-handover', id: 'hw-handover', rows: '8', readonly: true });
    const copy = el('button', { type: 'button', class: 'nhsuk-button nhsuk-button--secondary hw-copy', text: 'Copy handover summary' });
    this.copyStatus = el('span', { class: 'hw-copy-status', role: 'status', 'aria-live': 'polite' });
    copy.addEventListener('click', () => this.copyHandover());
    this.renderForm();
    this.replaceChildren(
      this.banner,
      this.noticeBox,
      el('div', { class: 'hw-layout' },
        el('div', { class: 'hw-results' },
          this.outstanding,
          this.decisionsBox,
          el('section', { class: 'hw-summary', 'aria-labelledby': 'hw-summary-title' },
            el('h2', { class: 'nhsuk-heading-s', id: 'hw-summary-title', text: 'Handover summary' }),
            el('label', { class: 'nhsuk-label', for: 'hw-handover', text: 'Plain text for the patient’s notes' }),
            this.handover,
            el('div', { class: 'hw-copy-row' }, copy, this.copyStatus))),
        el('div', { class: 'hw-questions' },
          el('h2', { class: 'nhsuk-heading-m', text: `${title}: questions` }),
          this.checklist.description ? el('p', { class: 'nhsuk-body-s', text: this.checklist.description }) : null,
          this.form)),
    );
  }

  renderForm() {
    const wanted = new Set(this.checklist.facts);
    for (const section of this.schema.sections) {
      const facts = this.schema.facts.filter((f) => f.section === section.id && wanted.has(f.id));
      if (!facts.length) continue;
      const box = el('fieldset', { class: 'nhsuk-fieldset hw-section', 'data-section': section.id },
        el('legend', { class: 'nhsuk-fieldset__legend nhsuk-fieldset__legend--m' },
          el('h2', { class: 'nhsuk-fieldset__heading', text: section.title })),
        section.description ? el('p', { class: 'nhsuk-body-s hw-section-help', text: section.description }) : null,
        facts.map((f) => this.renderFact(f)));
      this.form.append(box);
    }
  }

  renderFact(f) {
    const id = domId(f.id);
    const hint = f.help ? el('div', { class: 'nhsuk-hint', id: `hint-${id}`, text: f.help }) : null;
    const group = el('div', { class: 'nhsuk-form-group hw-question', id: `q-${id}`, 'data-fact': f.id });
    const legend = el('legend', { class: 'nhsuk-fieldset__legend nhsuk-fieldset__legend--s', text: f.question });
    const fieldset = el('fieldset', { class: 'nhsuk-fieldset', 'aria-describedby': hint ? `hint-${id}` : null }, legend, hint);
    const radio = (value, label, json) => {
      const input = el('input', { class: 'nhsuk-radios__input', id: `f-${id}-${value}`, name: `f-${id}`, type: 'radio', value });
      input.addEventListener('change', () => this.answer(f.id, json));
      return el('div', { class: 'nhsuk-radios__item' }, input, el('label', { class: 'nhsuk-label nhsuk-radios__label', for: `f-${id}-${value}`, text: label }));
    };
    if (f.type === 'bool') {
      fieldset.append(el('div', { class: 'nhsuk-radios nhsuk-radios--inline' },
        radio('yes', 'Yes', true), radio('no', 'No', false), radio('unknown', 'Not known', null)));
    } else if (f.type === 'enum') {
      fieldset.append(el('div', { class: 'nhsuk-radios' },
        f.options.map((o) => radio(o.id, o.label, o.id)),
        el('div', { class: 'nhsuk-radios__divider', text: 'or' }),
        radio('unknown', 'Not known', null)));
    } else if (f.type === 'int') {
      const input = el('input', {
        class: 'nhsuk-input nhsuk-input--width-4', id: `f-${id}`, name: `f-${id}`, type: 'number', inputmode: 'numeric',
        min: String(f.min), max: String(f.max), step: '1', 'aria-describedby': hint ? `hint-${id}` : null,
      });
      const error = el('span', { class: 'nhsuk-error-message', id: `err-${id}`, hidden: true });
      input.addEventListener('change', () => {
        if (input.value.trim() === '') return this.answer(f.id, null);
        const n = Number(input.value);
        if (!Number.isInteger(n) || n < f.min || n > f.max) {
          error.textContent = `Error: enter a whole number from ${f.min} to ${f.max}`;
          error.hidden = false;
          group.classList.add('nhsuk-form-group--error');
          return;
        }
        error.hidden = true;
        group.classList.remove('nhsuk-form-group--error');
        this.answer(f.id, n);
      });
      const clear = el('button', { type: 'button', class: 'nhsuk-button nhsuk-button--secondary nhsuk-button--small hw-not-known', id: `f-${id}-unknown`, text: 'Not known' });
      clear.addEventListener('click', () => {
        input.value = '';
        this.answer(f.id, null);
      });
      const label = el('label', { class: 'nhsuk-label', for: `f-${id}`, text: f.question });
      group.append(label, hint || '', error,
        el('div', { class: 'nhsuk-input-wrapper hw-int' }, input, f.unit ? el('div', { class: 'nhsuk-input__suffix', 'aria-hidden': 'true', text: f.unit }) : null),
        clear);
      return group;
    } else if (f.type === 'set') {
      const boxes = f.options.map((o) => {
        const input = el('input', { class: 'nhsuk-checkboxes__input', id: `f-${id}-${o.id}`, name: `f-${id}`, type: 'checkbox', value: o.id });
        return el('div', { class: 'nhsuk-checkboxes__item' }, input, el('label', { class: 'nhsuk-label nhsuk-checkboxes__label', for: `f-${id}-${o.id}`, text: o.label }));
      });
      const none = el('input', { class: 'nhsuk-checkboxes__input', id: `f-${id}-none`, name: `f-${id}`, type: 'checkbox', value: 'none' });
      const noneItem = el('div', { class: 'nhsuk-checkboxes__item' }, none, el('label', { class: 'nhsuk-label nhsuk-checkboxes__label', for: `f-${id}-none`, text: 'None of these' }));
      const current = () => {
        const picked = [...fieldset.querySelectorAll('input[type=checkbox]')].filter((i) => i.checked && i.value !== 'none').map((i) => i.value);
        if (picked.length) return picked;
        return none.checked ? [] : null;
      };
      fieldset.addEventListener('change', (e) => {
        if (e.target === none && none.checked) fieldset.querySelectorAll('input[type=checkbox]').forEach((i) => { if (i !== none) i.checked = false; });
        else if (e.target !== none && e.target.checked) none.checked = false;
        this.answer(f.id, current());
      });
      const clear = el('button', { type: 'button', class: 'nhsuk-button nhsuk-button--secondary nhsuk-button--small hw-not-known', id: `f-${id}-unknown`, text: 'Not known' });
      clear.addEventListener('click', () => {
        fieldset.querySelectorAll('input[type=checkbox]').forEach((i) => { i.checked = false; });
        this.answer(f.id, null);
      });
      fieldset.append(el('div', { class: 'nhsuk-checkboxes' }, boxes, el('div', { class: 'nhsuk-checkboxes__divider', text: 'or' }), noneItem), clear);
    }
    group.append(fieldset);
    return group;
  }

  /** One tap: send only the changed fact, get the new report back. */
  answer(fact, value) {
    const started = performance.now();
    const result = value === null ? this.session.clear(fact) : this.session.set(fact, value);
    this.apply(result);
    this.lastUpdateMs = performance.now() - started;
    this.dataset.updateMs = this.lastUpdateMs.toFixed(3);
    this.persist();
  }

  persist() {
    if (!this.patient) return;
    const exported = this.session.export();
    if (exported.error) return;
    const stored = loadPatient(this.patient) || { label: this.patient };
    savePatient(this.patient, { ...stored, mode: this.mode, overlay: this.overlay, answers: exported.ok });
  }

  apply(result) {
    if (result.error) {
      this.noticeBox.hidden = false;
      this.noticeBox.textContent = `That answer was not accepted: ${result.error.message}`;
      return;
    }
    this.report = result.ok;
    if (this.notice) {
      this.noticeBox.hidden = false;
      this.noticeBox.textContent = this.notice;
    } else {
      this.noticeBox.hidden = true;
    }
    this.syncInputs();
    this.renderBanner();
    this.renderOutstanding();
    this.renderDecisions();
    this.handover.value = this.handoverText();
    this.dataset.verdict = this.report.verdict;
    this.dispatchEvent(new CustomEvent('homeward-report', { bubbles: true, detail: this.report }));
  }

  /** Puts the session's answers into the inputs and hides questions not relevant now. */
  syncInputs() {
    const answers = this.session.export().ok || {};
    const hidden = new Set(this.report.hidden_facts);
    for (const group of this.form.querySelectorAll('.hw-question')) {
      const fact = group.dataset.fact;
      group.hidden = hidden.has(fact);
      const f = this.schema.facts.find((x) => x.id === fact);
      const id = domId(fact);
      const v = fact in answers ? answers[fact] : null;
      if (f.type === 'bool' || f.type === 'enum') {
        const value = v === null ? 'unknown' : f.type === 'bool' ? (v ? 'yes' : 'no') : v;
        const input = group.querySelector(`#f-${CSS.escape(id)}-${CSS.escape(value)}`);
        if (input) input.checked = true;
      } else if (f.type === 'int') {
        const input = group.querySelector(`#f-${CSS.escape(id)}`);
        if (input && document.activeElement !== input) input.value = v === null ? '' : String(v);
      } else if (f.type === 'set') {
        group.querySelectorAll('input[type=checkbox]').forEach((i) => {
          i.checked = i.value === 'none' ? Array.isArray(v) && v.length === 0 : Array.isArray(v) && v.includes(i.value);
        });
      }
    }
  }

  renderBanner() {
    const r = this.report;
    const b = this.banner;
    b.className = `hw-banner hw-banner--${r.verdict}`;
    const n = r.summary.outstanding;
    const q = r.open_questions.length;
    const heading = {
      ready: 'READY — nothing outstanding',
      not_ready: `NOT READY — ${n} ${n === 1 ? 'thing' : 'things'} outstanding`,
      undetermined: `NOT YET KNOWN — ${q} ${q === 1 ? 'question' : 'questions'} left`,
    }[r.verdict];
    const parts = [el('p', { class: 'hw-banner__verdict', text: heading })];
    if (r.verdict === 'not_ready' && q) parts.push(el('p', { class: 'hw-banner__sub', text: `${q} ${q === 1 ? 'question' : 'questions'} still to ask` }));
    if (q) {
      parts.push(el('ul', { class: 'hw-banner__questions', 'aria-label': 'Questions still to ask' },
        r.open_questions.map((oq) => el('li', {}, this.questionLink(oq)))));
    }
    b.replaceChildren(...parts);
  }

  questionLink(oq) {
    const a = el('a', { href: `#q-${domId(oq.fact)}`, class: 'hw-question-link', text: oq.question });
    a.addEventListener('click', (e) => {
      e.preventDefault();
      const group = this.querySelector(`#q-${CSS.escape(domId(oq.fact))}`);
      if (!group) return;
      group.scrollIntoView({ block: 'center' });
      const input = group.querySelector('input');
      if (input) input.focus();
    });
    return a;
  }

  item(b) {
    const status = b.status === 'unknown' ? 'Not yet known' : 'Outstanding';
    return el('li', { class: `hw-item hw-item--${b.kind} hw-item--${b.status}`, 'data-requirement': b.id },
      el('p', { class: 'hw-item__title' }, el('strong', { text: b.title }), el('span', { class: 'hw-tag', text: ` ${status}` })),
      el('p', { class: 'hw-item__action', text: b.action }),
      b.referral ? el('p', { class: 'hw-item__meta', text: `Refer to: ${b.referral}` }) : null,
      b.delay_category ? el('p', { class: 'hw-item__meta', text: `Delay category: ${words(b.delay_category)}` }) : null);
  }

  renderOutstanding() {
    const r = this.report;
    const parts = [el('h2', { class: 'nhsuk-heading-m', id: 'hw-outstanding-title', text: 'What is outstanding' })];
    const holds = r.blockers.filter((b) => b.kind === 'safeguarding_hold');
    const others = r.blockers.filter((b) => b.kind !== 'safeguarding_hold');
    if (!r.blockers.length) parts.push(el('p', { class: 'nhsuk-body', text: 'Nothing is outstanding.' }));
    if (holds.length) {
      parts.push(el('div', { class: 'hw-holds', role: 'region', 'aria-label': 'Safeguarding holds' },
        el('h3', { class: 'hw-holds__title', text: 'Safeguarding holds' }),
        el('ul', { class: 'hw-items' }, holds.map((b) => this.item(b)))));
    }
    for (const [owner, label] of OWNERS) {
      const items = others.filter((b) => b.owner === owner);
      if (!items.length) continue;
      parts.push(el('h3', { class: 'nhsuk-heading-s hw-owner', 'data-owner': owner, text: `${label} (${items.length})` }),
        el('ul', { class: 'hw-items' }, items.map((b) => this.item(b))));
    }
    const advice = r.advisories.filter((a) => a.status === 'not_met');
    if (advice.length) {
      parts.push(el('h3', { class: 'nhsuk-heading-s', text: 'Advice' }),
        el('ul', { class: 'hw-items hw-advice' }, advice.map((a) => this.item(a))));
    }
    this.outstanding.replaceChildren(...parts);
  }

  renderDecisions() {
    const r = this.report;
    if (!r.decisions.length) {
      this.decisionsBox.replaceChildren();
      return;
    }
    this.decisionsBox.replaceChildren(
      el('h2', { class: 'nhsuk-heading-s', id: 'hw-decisions-title', text: 'Decisions' }),
      el('dl', { class: 'nhsuk-summary-list' }, r.decisions.map((d) => el('div', { class: 'nhsuk-summary-list__row' },
        el('dt', { class: 'nhsuk-summary-list__key', text: d.title }),
        el('dd', { class: 'nhsuk-summary-list__value', text: d.status === 'decided' ? d.label : 'Not yet known' })))));
  }

  handoverText() {
    const r = this.report;
    const lines = [];
    const verdict = { ready: 'READY for discharge', not_ready: 'NOT READY for discharge', undetermined: 'NOT YET KNOWN' }[r.verdict];
    lines.push(`Homeward: ${verdict} (${this.checklist.title})`);
    lines.push(`Rules: ${r.ruleset.id} ${r.ruleset.version}`);
    for (const b of r.blockers.filter((x) => x.status === 'not_met')) {
      const owner = (OWNERS.find(([o]) => o === b.owner) || [b.owner, b.owner])[1];
      lines.push(`- ${b.kind === 'safeguarding_hold' ? 'SAFEGUARDING HOLD: ' : ''}${b.title} [${owner}]: ${b.action}${b.referral ? ` Refer to: ${b.referral}.` : ''}`);
    }
    if (r.open_questions.length) {
      lines.push(`Still to ask (${r.open_questions.length}):`);
      for (const q of r.open_questions) lines.push(`- ${q.question}`);
    }
    for (const d of r.decisions.filter((x) => x.status === 'decided')) lines.push(`${d.title}: ${d.label}`);
    return lines.join('\n');
  }

  async copyHandover() {
    try {
      await navigator.clipboard.writeText(this.handover.value);
      this.copyStatus.textContent = 'Copied';
    } catch (_) {
      this.handover.select();
      this.copyStatus.textContent = 'Select and copy the text above';
    }
  }
}

if (!customElements.get('homeward-checklist')) customElements.define('homeward-checklist', HomewardChecklist);
