// <homeward-checklist mode="ward_discharge" overlay="national" patient="…">
//
// The bedside checklist as a custom element, so another system can embed it. It is led by the
// engine's next question: the verdict in the mode's own words, then the one question that can
// change it, answerable in place; the whole form by section is one tap below. Every question is
// rendered from the ruleset's fact schema (fields.js), every rule is evaluated by the Homeward
// engine in WebAssembly (engine.js), and what the screen says comes from the report alone
// (summary.js). Answers are kept on this device only (storage.js). "Today" for date rules is
// the device's own date, given to the engine as the session's as-of date (the engine reads no
// clock) when a patient is opened and again whenever the date has moved on (dates.js).
import { dateName, localToday, readDate, PARTS } from './dates.js';
import { el } from './dom.js';
import { loadRules, OVERLAY_TITLES } from './engine.js';
import { answerWords, domId, renderFact } from './fields.js';
import {
  advice, assessedOn, banner, causeLine, decisiveQuestions, handover, modeWords, nextQuestion, notYetKnown, outstanding, words,
} from './summary.js';
import { loadPatient, savePatient } from './storage.js';

const FORM = { group: 'q', input: 'f' };
const upperFirst = (t) => t.charAt(0).toUpperCase() + t.slice(1);
const CARD = { group: 'nq', input: 'n' };

export class HomewardChecklist extends HTMLElement {
  static get observedAttributes() {
    return ['mode', 'overlay', 'patient'];
  }

  constructor() {
    super();
    this.session = null;
    this.generation = 0;
  }

  connectedCallback() {
    // A tablet left on past midnight: the next look at the page re-assesses on the new date.
    this.todayHook = () => { if (!document.hidden) this.refreshToday(); };
    document.addEventListener('visibilitychange', this.todayHook);
    window.addEventListener('focus', this.todayHook);
    window.addEventListener('pageshow', this.todayHook);
    this.todayTimer = setInterval(this.todayHook, 60 * 1000);
    this.build();
  }

  disconnectedCallback() {
    document.removeEventListener('visibilitychange', this.todayHook);
    window.removeEventListener('focus', this.todayHook);
    window.removeEventListener('pageshow', this.todayHook);
    clearInterval(this.todayTimer);
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

  /** What the engine holds and what the page marked "Not known" (for tests and host pages). */
  answers() {
    return { answers: { ...this.held }, notKnown: [...this.notKnown], invalid: [...this.invalid.keys()], asOf: this.report ? this.report.as_of : null };
  }

  /**
   * Gives the engine today's date again if the device's date has moved on since the patient was
   * opened (past midnight), and shows the new assessment. Returns whether it changed.
   */
  refreshToday() {
    if (!this.session || this.dataset.state !== 'ready') return false;
    const today = localToday();
    if (today === this.asOf) return false;
    const result = this.session.setAsOf(today);
    if (result.error) return false;
    this.asOf = today;
    this.apply(result);
    return true;
  }

  /** (Re)builds everything for the current mode, overlay and patient. */
  async build() {
    const generation = ++this.generation;
    this.dataset.state = 'loading';
    this.replaceChildren(el('p', { class: 'nhsuk-body hw-loading', text: 'Loading the checklist…' }));
    const rules = await loadRules(this.overlay);
    if (generation !== this.generation) return;
    if (rules.error) return this.showError('The rules could not be loaded', rules.error);
    this.schema = rules.ok.schema;
    this.checklist = this.schema.checklists.find((c) => c.id === this.mode) || this.schema.checklists[0];
    this.factById = new Map(this.schema.facts.map((f) => [f.id, f]));
    if (this.session) this.session.free();
    const made = rules.ok.session(this.checklist.id);
    if (made.error) return this.showError('The checklist could not be started', made.error);
    this.session = made.ok;
    this.asOf = localToday();
    const dated = this.session.setAsOf(this.asOf);
    if (dated.error) return this.showError('The checklist could not be dated', dated.error);
    this.notice = null;
    this.invalid = new Map();
    this.pinned = null;
    this.lastAnswered = null;
    const stored = this.patient ? loadPatient(this.patient) : null;
    this.label = stored ? stored.label : '';
    if (stored && stored.recovered) this.notice = 'This patient’s saved answers could not be read (the record was damaged), so they were deleted. Other patients are not affected.';
    const result = this.restore(stored);
    this.notKnown = new Set((stored ? stored.not_known : []).filter((f) => this.factById.has(f) && !(f in this.held)));
    this.renderShell();
    this.apply(result);
    this.dataset.state = 'ready';
    this.dataset.readyMs = performance.now().toFixed(0);
    const w = modeWords(this.checklist);
    this.dispatchEvent(new CustomEvent('homeward-ready', {
      bubbles: true,
      detail: { question: w.question, checklist: this.checklist.id, checklists: this.schema.checklists.map((c) => ({ id: c.id, title: c.title })) },
    }));
  }

  /** Loads stored answers; one the rules refuse (e.g. after switching overlay) is dropped, and said so. */
  restore(stored) {
    const answers = stored ? stored.answers : {};
    let result = this.session.report();
    if (Object.keys(answers).length) {
      result = this.session.load(answers);
      if (result.error) {
        let dropped = 0;
        for (const [fact, value] of Object.entries(answers)) {
          const refused = this.session.set(fact, value).error;
          if (refused && !this.storedDateError(fact, value, refused)) dropped++;
        }
        result = this.session.report();
        if (dropped) this.notice = `${dropped} saved ${dropped === 1 ? 'answer does' : 'answers do'} not apply to these rules and ${dropped === 1 ? 'was' : 'were'} not used.`;
      }
    }
    this.held = this.session.answers().ok || {};
    return result;
  }

  /**
   * A stored date the engine refuses (a damaged record, `2026-02-31`) is shown in its boxes with
   * the NHS error pattern, as if just typed, rather than dropped unseen; the fact stays unknown.
   */
  storedDateError(fact, value, error) {
    const f = this.factById.get(fact);
    const m = /^(\d{1,4})-(\d{1,2})-(\d{1,2})$/.exec(typeof value === 'string' ? value.trim() : '');
    if (!f || f.type !== 'date' || !m) return false;
    const parts = { day: String(Number(m[3])), month: String(Number(m[2])), year: m[1] };
    this.invalid.set(fact, this.dateProblem(f, parts, error, false));
    return true;
  }

  /** The invalid entry for a date: the boxes as typed, which are wrong, and the NHS message. */
  dateProblem(f, parts, engineError, quiet) {
    const name = dateName(f);
    const read = readDate(parts, name);
    const text = `${parts.day}/${parts.month}/${parts.year}`;
    if (read.error) return { parts, text, wrong: read.error.parts, message: read.error.message, quiet };
    // The page found nothing wrong but the engine did (its range or calendar differs): the
    // engine's word stands, in the design system's words, with every box marked.
    const message = engineError && engineError.code === 'OUT_OF_RANGE'
      ? `${name} must be between 1 January 1900 and 31 December 2199`
      : `${name} must be a real date`;
    return { parts, text, wrong: PARTS, message, quiet };
  }

  showError(title, error) {
    this.dataset.state = 'error';
    this.replaceChildren(
      el('div', { class: 'nhsuk-error-summary', role: 'alert', tabindex: '-1', 'aria-labelledby': 'hw-load-error' },
        el('h2', { class: 'nhsuk-error-summary__title', id: 'hw-load-error', text: title }),
        el('div', { class: 'nhsuk-error-summary__body' },
          el('p', { text: `${error.message} (${error.code} at ${error.path})` }))),
    );
  }

  // ---- the page's parts ----------------------------------------------------------------

  renderShell() {
    const title = this.checklist.title;
    this.verdictLine = el('p', { class: 'hw-banner__verdict', id: 'hw-verdict', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
    this.bannerToggle = el('button', { type: 'button', class: 'hw-banner__toggle', 'aria-expanded': 'false', 'aria-controls': 'hw-causes', hidden: true });
    this.bannerToggle.addEventListener('click', () => this.toggleCauses());
    this.bannerLead = el('p', { class: 'hw-banner__lead', id: 'hw-banner-lead' });
    this.bannerCauses = el('ol', { class: 'hw-banner__causes', id: 'hw-causes', hidden: true, 'aria-label': 'Everything outstanding' });
    this.asOfLine = el('p', { class: 'hw-banner__asof', id: 'hw-asof' });
    this.banner = el('div', { class: 'hw-banner', id: 'hw-banner' },
      el('div', { class: 'hw-banner__top' }, this.verdictLine, this.asOfLine),
      el('div', { class: 'hw-banner__row' }, this.bannerLead, this.bannerToggle), this.bannerCauses);
    this.errorSummary = el('div', { class: 'nhsuk-error-summary hw-error-summary', role: 'alert', tabindex: '-1', 'aria-labelledby': 'hw-error-title', hidden: true });
    this.noticeBox = el('div', { class: 'nhsuk-inset-text hw-notice', hidden: true });
    this.card = el('section', { class: 'hw-next', id: 'hw-next', tabindex: '-1', 'aria-labelledby': 'hw-next-title' });
    this.cardFact = undefined;
    this.wireCard();
    this.sections = el('div', { class: 'hw-sections' });
    this.renderForm();
    this.results = el('div', { class: 'hw-results' });
    this.handoverBox = el('textarea', { class: 'nhsuk-textarea hw-handover', id: 'hw-handover', rows: '10', readonly: true });
    this.printText = el('pre', { class: 'hw-print__text' });
    this.replaceChildren(
      this.banner,
      this.errorSummary,
      this.noticeBox,
      el('div', { class: 'hw-layout' },
        el('div', { class: 'hw-ask' },
          this.card,
          el('section', { class: 'hw-all', 'aria-labelledby': 'hw-all-title' },
            el('h2', { class: 'nhsuk-heading-s', id: 'hw-all-title', text: 'All questions, by section' }),
            this.sections)),
        this.results),
      el('section', { class: 'hw-print', 'aria-label': 'Printed handover' }, this.printText),
    );
    if (!this.printHook) {
      this.printHook = () => this.refreshHandover();
      window.addEventListener('beforeprint', this.printHook);
      // Turning a phone changes whether the banner's lead is cut short (and so its toggle).
      window.addEventListener('resize', () => { if (this.report && this.dataset.state === 'ready') this.renderBanner(); });
    }
    if (window.ResizeObserver) {
      const ro = new ResizeObserver(() => document.documentElement.style.setProperty('--hw-banner-h', `${Math.ceil(this.banner.getBoundingClientRect().height)}px`));
      ro.observe(this.banner);
    }
  }

  /** Every question of the checklist, by section, each section one tap to open. */
  renderForm() {
    const wanted = new Set(this.checklist.facts);
    this.fields = new Map();
    this.sectionBoxes = new Map();
    for (const section of this.schema.sections) {
      const facts = this.schema.facts.filter((f) => f.section === section.id && wanted.has(f.id));
      if (!facts.length) continue;
      const status = el('span', { class: 'hw-section__status' });
      const body = el('div', { class: 'nhsuk-details__text' },
        section.description ? el('p', { class: 'nhsuk-body-s hw-section-help', text: section.description }) : null);
      for (const f of facts) {
        const field = renderFact(f, { ids: FORM, submit: (c, complete) => this.submit(f.id, c, complete, 'form') });
        this.fields.set(f.id, field);
        body.append(field.node);
      }
      const box = el('details', { class: 'nhsuk-details hw-section', 'data-section': section.id },
        el('summary', { class: 'nhsuk-details__summary' },
          el('span', { class: 'nhsuk-details__summary-text', text: section.title }), ' ', status),
        body);
      this.sectionBoxes.set(section.id, { box, status, facts });
      this.sections.append(box);
    }
  }

  // ---- answering ---------------------------------------------------------------------------

  answerOf(fact) {
    if (this.invalid.has(fact)) return { state: 'invalid', ...this.invalid.get(fact) };
    if (fact in this.held) return { state: 'value', value: this.held[fact] };
    if (this.notKnown.has(fact)) return { state: 'not_known' };
    return { state: 'unanswered' };
  }

  /**
   * One answer: send only the changed fact. An entry the engine refuses clears that fact in the
   * engine (it is unknown until corrected) and shows the NHS error pattern; "Not known" clears it
   * too but is remembered as an answer.
   */
  submit(fact, candidate, complete, from) {
    const started = performance.now();
    this.refreshToday();
    const shown = this.invalid.get(fact);
    this.invalid.delete(fact);
    this.notKnown.delete(fact);
    let result;
    if ('date' in candidate) {
      // An error already shown stays shown (updated) until the date is put right.
      result = this.submitDate(fact, candidate.date, Boolean(candidate.quiet && !(shown && !shown.quiet)));
    } else if (candidate.notKnown) {
      this.notKnown.add(fact);
      result = this.session.clear(fact);
    } else if (candidate.unanswered) {
      result = this.session.clear(fact);
    } else {
      const value = 'text' in candidate ? this.parseTyped(fact, candidate.text) : { value: candidate.value };
      result = value.error ? { error: value.error } : this.session.set(fact, value.value);
      if (result.error) {
        this.invalid.set(fact, { text: 'text' in candidate ? candidate.text : String(candidate.value), message: this.errorMessage(fact, result.error) });
        result = this.session.clear(fact);
      }
    }
    this.held = this.session.answers().ok || {};
    if (from === 'card') this.afterCardAnswer(fact, complete);
    else if (this.pinned === fact && !this.cardFocused()) this.pinned = null;
    this.lastAnswered = fact;
    this.apply(result);
    this.dataset.updateMs = (performance.now() - started).toFixed(3);
    this.persist();
  }

  /** The three boxes of a date: a real day is set; partial, impossible or empty leaves it unknown. */
  submitDate(fact, parts, quiet) {
    const f = this.factById.get(fact);
    const read = readDate(parts, dateName(f));
    if (read.empty) return this.session.clear(fact);
    if (read.ok) {
      const result = this.session.set(fact, read.ok);
      if (!result.error) return result;
      this.invalid.set(fact, this.dateProblem(f, parts, result.error, quiet));
      return this.session.clear(fact);
    }
    this.invalid.set(fact, this.dateProblem(f, parts, null, quiet));
    return this.session.clear(fact);
  }

  /** Typed text to a whole number; anything else is refused here, a number by the engine. */
  parseTyped(fact, text) {
    if (!/^[+-]?\d+$/.test(text)) return { error: { code: 'NOT_A_WHOLE_NUMBER', path: `$["${fact}"]`, message: `\`${text}\` is not a whole number` } };
    return { value: Number(text) };
  }

  errorMessage(fact, error) {
    const f = this.factById.get(fact);
    if (f && f.type === 'date') return this.dateProblem(f, { day: '', month: '', year: '' }, error, false).message;
    if (f && f.type === 'int' && Number.isInteger(f.min) && Number.isInteger(f.max)) {
      return `Enter a whole number from ${f.min} to ${f.max}${f.unit ? ` ${f.unit}` : ''}`;
    }
    return `This answer was not accepted: ${error.message}`;
  }

  persist() {
    if (!this.patient) return;
    const stored = loadPatient(this.patient) || { label: this.patient };
    savePatient(this.patient, { ...stored, mode: this.mode, overlay: this.overlay, answers: this.held, not_known: [...this.notKnown] });
  }

  // ---- the question card -----------------------------------------------------------------

  wireCard() {
    this.cardPointer = false;
    this.card.addEventListener('pointerdown', () => { this.cardPointer = true; });
    this.card.addEventListener('keydown', (e) => {
      this.cardPointer = false;
      // Enter leaves an answered question for the next one (typed text is judged first).
      if (e.key === 'Enter' && e.target.matches('input')) {
        e.preventDefault();
        if (!this.invalid.has(this.cardFact)) this.advance(true);
      }
    });
    this.card.addEventListener('focusout', (e) => {
      if (e.relatedTarget && this.card.contains(e.relatedTarget)) return;
      // Keyboard answers stay in place until focus leaves the question (arrow keys choose).
      // Checked a moment later: redrawing the card also moves focus, but keeps it inside.
      queueMicrotask(() => {
        if (!this.pinned || this.card.contains(document.activeElement)) return;
        this.pinned = null;
        this.renderCard(false);
      });
    });
  }

  cardFocused() {
    return this.card.contains(document.activeElement);
  }

  afterCardAnswer(fact, complete) {
    if (complete && this.cardPointer) {
      this.pinned = null;
      this.moveFocus = true;
    } else {
      this.pinned = fact;
    }
  }

  /** Leaves the current question for the next one (Enter, or the "Next question" button). */
  advance(keyboard) {
    this.pinned = null;
    this.renderCard(true, keyboard);
  }

  /** The fact the card shows: the pinned one, else the engine's next question. */
  cardChoice() {
    const hidden = new Set(this.report.hidden_facts);
    if (this.pinned && (!this.factById.has(this.pinned) || hidden.has(this.pinned))) this.pinned = null;
    if (this.pinned) return { fact: this.pinned, asked: false };
    const next = nextQuestion(this.schema, this.checklist, this.report, this.notKnown);
    if (next) return { fact: next.fact, asked: false };
    const left = decisiveQuestions(this.schema, this.checklist, this.report);
    return left.length ? { fact: left[0].fact, asked: true, left: left.length } : { fact: null };
  }

  renderCard(focus, keyboard = false) {
    const choice = this.cardChoice();
    const verdict = this.report.verdict;
    if (choice.fact && choice.fact === this.cardFact && this.cardField) {
      this.cardField.sync(this.answerOf(choice.fact));
      this.syncCardExtras(choice);
      return;
    }
    this.cardFact = choice.fact;
    this.dataset.next = choice.fact || '';
    const heading = el('h2', { class: 'nhsuk-heading-s hw-next__title', id: 'hw-next-title', text: choice.fact ? 'Next question' : 'Nothing else to ask' });
    const parts = [heading];
    if (!choice.fact) {
      this.cardField = null;
      parts.push(el('p', { class: 'nhsuk-body hw-next__note', text: verdict === 'ready'
        ? 'No answer can change this verdict. Questions left in the sections below only inform eligibility decisions.'
        : 'Every item is decided. The sections below hold every answer, to check or change.' }));
      this.card.replaceChildren(...parts);
      return;
    }
    const fact = this.factById.get(choice.fact);
    const section = this.schema.sections.find((s) => s.id === fact.section);
    if (section) heading.append(el('span', { class: 'hw-next__section', text: ` · ${section.title}` }));
    this.cardNote = el('p', { class: 'nhsuk-body-s hw-next__note' });
    this.cardField = renderFact(fact, { ids: CARD, compact: true, submit: (c, complete) => this.submit(fact.id, c, complete, 'card') });
    this.cardNext = el('button', { type: 'button', class: 'nhsuk-button nhsuk-button--secondary hw-next__go', text: 'Next question', hidden: true });
    this.cardNext.addEventListener('click', () => this.advance(false));
    this.cardLast = el('p', { class: 'nhsuk-body-s hw-next__last' });
    parts.push(this.cardNote, this.cardField.node, this.cardNext, this.cardLast);
    this.card.replaceChildren(...parts);
    this.cardField.sync(this.answerOf(fact.id));
    this.syncCardExtras(choice);
    if (focus) {
      const target = keyboard && this.cardField.first ? this.cardField.first : this.card;
      target.focus({ preventScroll: true });
      this.card.scrollIntoView({ block: 'nearest' });
    }
  }

  syncCardExtras(choice) {
    const verdict = this.report.verdict;
    const note = choice.asked
      ? `Answered “Not known” so far (${choice.left} ${choice.left === 1 ? 'question' : 'questions'} like this). Change it when you find out.`
      : verdict === 'not_ready' ? 'This cannot change the verdict; it can add to what is outstanding.' : '';
    this.cardNote.textContent = note;
    this.cardNote.hidden = !note;
    const answered = this.answerOf(this.cardFact).state;
    const multi = ['set', 'int', 'date'].includes(this.factById.get(this.cardFact).type);
    this.cardNext.hidden = !(multi && answered !== 'unanswered' && answered !== 'invalid');
    this.cardLast.replaceChildren();
    const last = this.lastAnswered;
    if (last && last !== this.cardFact && this.factById.has(last)) {
      const f = this.factById.get(last);
      const said = answerWords(f, this.answerOf(last));
      if (said) {
        const change = el('button', { type: 'button', class: 'hw-link-button', text: 'Change' });
        change.setAttribute('aria-label', `Change the answer to: ${f.question}`);
        change.addEventListener('click', () => {
          this.pinned = last;
          this.renderCard(true, true);
        });
        this.cardLast.append(`Last answer: ${f.question} `, el('strong', { text: said }), ' ', change);
      }
    }
  }

  // ---- after every answer ----------------------------------------------------------------

  apply(result) {
    if (result.error) {
      this.notice = `That answer was not accepted: ${result.error.message}`;
      result = this.session.report();
      if (result.error) return;
    }
    this.report = result.ok;
    this.noticeBox.hidden = !this.notice;
    this.noticeBox.textContent = this.notice || '';
    this.anyAnswer = Object.keys(this.held).length > 0 || this.notKnown.size > 0 || this.invalid.size > 0;
    this.syncForm();
    this.renderBanner();
    const focus = Boolean(this.moveFocus);
    this.moveFocus = false;
    this.renderCard(focus);
    this.renderErrors();
    this.renderResults();
    this.refreshHandover();
    this.dataset.verdict = this.report.verdict;
    this.dataset.answered = this.anyAnswer ? '1' : '0';
    this.dispatchEvent(new CustomEvent('homeward-report', { bubbles: true, detail: this.report }));
  }

  /** Puts what the engine holds into every question and hides those not relevant now. */
  syncForm() {
    const hidden = new Set(this.report.hidden_facts);
    const decisive = decisiveQuestions(this.schema, this.checklist, this.report);
    for (const [fact, field] of this.fields) {
      field.node.hidden = hidden.has(fact);
      field.sync(this.answerOf(fact));
    }
    for (const { status, facts } of this.sectionBoxes.values()) {
      const ids = new Set(facts.map((f) => f.id));
      const needed = decisive.filter((q) => ids.has(q.fact) && !this.notKnown.has(q.fact)).length;
      const errors = facts.filter((f) => this.invalid.has(f.id) && !this.invalid.get(f.id).quiet).length;
      const answered = facts.filter((f) => f.id in this.held || this.notKnown.has(f.id)).length;
      const parts = [errors ? `${errors} to correct` : '', answered ? `${answered} answered` : '', needed ? `${needed} needed now` : ''].filter(Boolean);
      status.textContent = parts.length ? parts.join(' · ') : 'nothing needed now';
      status.className = `hw-section__status${errors ? ' hw-section__status--error' : ''}`;
    }
  }

  renderBanner() {
    const b = banner(this.schema, this.checklist, this.report, this.held, { notKnown: this.notKnown, anyAnswer: this.anyAnswer });
    this.banner.className = `hw-banner hw-banner--${b.verdict}`;
    this.asOfLine.textContent = assessedOn(this.report);
    // The live region holds the verdict line only, and changes only when the verdict line does.
    if (this.verdictLine.textContent !== `${b.line}${b.count}`) {
      this.verdictLine.replaceChildren(b.line, b.count ? el('span', { class: 'nhsuk-u-visually-hidden', text: b.count }) : '');
    }
    const [first, ...others] = b.causes;
    if (first) {
      this.bannerLead.replaceChildren(el('strong', { text: first.lead }), ` — ${first.about}`, first.kind === 'blocker' ? '' : ` (${first.owner})`);
    } else {
      this.bannerLead.textContent = b.lead;
    }
    this.bannerCauses.replaceChildren(...b.causes.map((c) => el('li', { class: `hw-cause hw-cause--${c.kind}`, 'data-requirement': c.id },
      el('strong', { text: c.lead }), ` — ${c.about}`, c.kind === 'blocker' ? '' : ` (${c.owner})`)));
    // The toggle shows every cause; with one cause, it is there only when a narrow screen cuts
    // the lead short (measured with the toggle out of the way), so the whole of it is one tap away.
    this.bannerToggle.hidden = true;
    this.bannerToggle.hidden = others.length === 0 && !(first && this.bannerLead.scrollHeight > this.bannerLead.clientHeight + 1);
    const expanded = this.bannerToggle.getAttribute('aria-expanded') === 'true' && !this.bannerToggle.hidden;
    this.bannerCauses.hidden = !expanded;
    const n = b.causes.length;
    this.bannerToggle.textContent = expanded ? 'Show less' : n === 1 ? 'More' : `All ${n}`;
    this.bannerToggle.setAttribute('aria-label', expanded ? 'Show less' : n === 1 ? 'More: show the whole outstanding item' : `Show all ${n} outstanding`);
    this.bannerLead.dataset.requirement = first ? first.id : '';
  }

  toggleCauses() {
    const open = this.bannerToggle.getAttribute('aria-expanded') !== 'true';
    this.bannerToggle.setAttribute('aria-expanded', String(open));
    this.renderBanner();
  }

  /** The NHS error pattern: a summary at the top linking to each field, a message by the field. */
  renderErrors() {
    const list = [...this.invalid.entries()].filter(([, e]) => !e.quiet);
    this.errorSummary.hidden = list.length === 0;
    if (!list.length) {
      this.errorSummary.replaceChildren();
      return;
    }
    this.errorSummary.replaceChildren(
      el('h2', { class: 'nhsuk-error-summary__title', id: 'hw-error-title', text: 'There is a problem' }),
      el('div', { class: 'nhsuk-error-summary__body' },
        el('ul', { class: 'nhsuk-list nhsuk-error-summary__list' }, list.map(([fact, e]) => {
          const f = this.factById.get(fact);
          // The link goes where focusField goes: the question card when it asks this, else the form.
          const field = this.cardFact === fact && this.cardField ? this.cardField : this.fields.get(fact);
          const target = field && field.target(this.answerOf(fact));
          const link = el('a', { href: `#${target ? target.id : `f-${domId(fact)}`}`, text: this.errorLinkText(f, e.message) });
          link.addEventListener('click', (ev) => {
            ev.preventDefault();
            this.focusField(fact);
          });
          return el('li', {}, link);
        }))),
    );
  }

  /** The summary's words for an error: the message by the field, led by the question unless it names its date. */
  errorLinkText(f, message) {
    const name = f.type === 'date' ? dateName(f) : '';
    return name && name !== 'The date' && message.startsWith(name) ? message : `${f.question} ${message}`;
  }

  /** Focuses a question: in the card when it is there, else in its section (opened). */
  focusField(fact) {
    const answer = this.answerOf(fact);
    if (this.cardFact === fact && this.cardField && this.cardField.target(answer)) {
      this.cardField.target(answer).focus();
      return;
    }
    const field = this.fields.get(fact);
    if (!field) return;
    const box = field.node.closest('details');
    if (box) box.open = true;
    if (field.target(answer)) field.target(answer).focus();
    field.node.scrollIntoView({ block: 'center' });
  }

  item(b, tag) {
    const c = causeLine(b, this.schema, this.held);
    return el('li', { class: `hw-item hw-item--${b.kind} hw-item--${b.status}${b.primary ? ' hw-item--primary' : ''}`, 'data-requirement': b.id },
      el('p', { class: 'hw-item__title' },
        el('strong', { class: 'nhsuk-tag hw-tag', text: tag || (c.kind === 'primary' ? 'Clinical' : c.kind === 'hold' ? 'Safeguarding hold' : c.owner) }), ' ',
        el('span', { class: 'hw-item__name', text: b.status === 'not_met' && c.kind === 'primary' ? upperFirst(c.about) : b.title })),
      el('p', { class: 'hw-item__action', text: b.action }),
      el('p', { class: 'hw-item__meta', text: `Owner: ${c.owner}` }),
      b.referral ? el('p', { class: 'hw-item__meta', text: `Refer to: ${b.referral}` }) : null,
      b.delay_category ? el('p', { class: 'hw-item__meta', text: `Delay category: ${words(b.delay_category)}` }) : null);
  }

  /** What is outstanding, what is not yet known, advice and decisions: only once something is answered. */
  renderResults() {
    const r = this.report;
    if (!this.anyAnswer) {
      this.results.hidden = true;
      this.results.replaceChildren();
      return;
    }
    this.results.hidden = false;
    const out = outstanding(r);
    const unknown = notYetKnown(r);
    const adv = advice(r);
    const parts = [
      el('section', { class: 'hw-outstanding', 'aria-labelledby': 'hw-out-title' },
        el('h2', { class: 'nhsuk-heading-m', id: 'hw-out-title', text: `What is outstanding (${out.length})` }),
        out.length ? el('ul', { class: 'hw-items' }, out.map((b) => this.item(b))) : el('p', { class: 'nhsuk-body', text: 'Nothing is outstanding.' })),
    ];
    if (unknown.length) {
      parts.push(el('details', { class: 'nhsuk-details hw-unknown' },
        el('summary', { class: 'nhsuk-details__summary' }, el('span', { class: 'nhsuk-details__summary-text', text: `Not yet known (${unknown.length})` })),
        el('div', { class: 'nhsuk-details__text' }, el('ul', { class: 'hw-items' }, unknown.map((b) => this.item(b, 'Not yet known'))))));
    }
    if (adv.length) {
      parts.push(el('section', { class: 'hw-advice', 'aria-labelledby': 'hw-advice-title' },
        el('h2', { class: 'nhsuk-heading-s', id: 'hw-advice-title', text: `Advice (${adv.length})` }),
        el('ul', { class: 'hw-items' }, adv.map((a) => this.item(a, 'Advice')))));
    }
    if (r.decisions.length) {
      parts.push(el('section', { class: 'hw-decisions', 'aria-labelledby': 'hw-decisions-title' },
        el('h2', { class: 'nhsuk-heading-s', id: 'hw-decisions-title', text: 'Decisions' }),
        el('dl', { class: 'nhsuk-summary-list' }, r.decisions.map((d) => el('div', { class: 'nhsuk-summary-list__row' },
          el('dt', { class: 'nhsuk-summary-list__key', text: d.title }),
          el('dd', { class: 'nhsuk-summary-list__value', text: d.status === 'decided' ? d.label : 'Not yet known' }))))));
    }
    const copy = el('button', { type: 'button', class: 'nhsuk-button nhsuk-button--secondary hw-copy', text: 'Copy handover' });
    const print = el('button', { type: 'button', class: 'nhsuk-button nhsuk-button--secondary hw-print-button', text: 'Print' });
    const copyStatus = el('span', { class: 'hw-copy-status', role: 'status' });
    copy.addEventListener('click', () => this.copyHandover(copyStatus));
    print.addEventListener('click', () => window.print());
    parts.push(el('section', { class: 'hw-summary', 'aria-labelledby': 'hw-summary-title' },
      el('h2', { class: 'nhsuk-heading-s', id: 'hw-summary-title', text: 'Handover' }),
      el('label', { class: 'nhsuk-label', for: 'hw-handover', text: 'Plain text for the notes' }),
      this.handoverBox,
      el('div', { class: 'hw-copy-row' }, copy, print, copyStatus)));
    this.results.replaceChildren(...parts);
  }

  refreshHandover() {
    if (!this.report) return;
    const text = handover({
      schema: this.schema, checklist: this.checklist, report: this.report, answers: this.held, notKnown: this.notKnown,
      label: this.label, overlayTitle: OVERLAY_TITLES[this.overlay] || this.overlay, now: new Date(),
    });
    this.handoverBox.value = text;
    this.printText.textContent = text;
  }

  async copyHandover(status) {
    this.refreshHandover();
    try {
      await navigator.clipboard.writeText(this.handoverBox.value);
      status.textContent = 'Copied';
    } catch (_) {
      this.handoverBox.select();
      status.textContent = 'Select and copy the text above';
    }
  }
}

if (!customElements.get('homeward-checklist')) customElements.define('homeward-checklist', HomewardChecklist);
