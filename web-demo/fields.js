// One renderer per fact type. A renderer draws one question from the ruleset's fact schema in
// the NHS.UK design system and reports what the person chose; it holds no state of its own and
// knows nothing of the rules. A new fact type is one more entry in RENDERERS.
//
// What the page knows about an answer (never pre-filled, "Not known" is an answer of its own):
//   { state: 'unanswered' } | { state: 'not_known' } | { state: 'value', value }
//   | { state: 'invalid', text, message }   (an entry the engine refused; the fact stays unknown)
//   | { state: 'invalid', parts, wrong, message, quiet }   (a date: the three boxes as typed, the
//     boxes that are wrong; `quiet` while the person is still inside the date: nothing marked yet)
//
// render(fact, ctx) → { node, first, sync(answer), target(answer) }  (target: the box an error
//   summary link focuses, the first wrong one)
//   ctx.ids     { group, input } id prefixes, so the same question can appear twice on a page
//   ctx.submit(candidate, complete)  candidate: { value } | { notKnown: true } | { unanswered: true }
//               | { text } (typed text the engine must judge) | { date: { day, month, year }, quiet }
//               (the three boxes of a date, judged by dates.js); complete: the answer needs no more
//               taps (a single choice), so a question-led view may move on
import { DATE_HINT, PARTS, isoParts, longDate, readDate } from './dates.js';
import { el } from './dom.js';

export const domId = (fact) => fact.replace(/\./g, '--');

/**
 * In the question-led card (`ctx.compact`), help longer than this many characters is cut to its
 * first two lines, with a button to show the rest, so the answers stay on the first screen of a
 * phone; the full form shows every help text whole. The cut text is only clipped, never removed:
 * it still describes the question, whole, to a screen reader.
 */
export const CARD_HELP_INLINE_MAX = 200;

function helpText(fact, ctx, id) {
  if (!fact.help) return [];
  const hint = el('div', { class: 'nhsuk-hint', id, text: fact.help });
  if (!ctx.compact || fact.help.length <= CARD_HELP_INLINE_MAX) return [hint];
  hint.classList.add('hw-hint--cut');
  const more = el('button', { type: 'button', class: 'hw-link-button hw-hint-more', 'aria-expanded': 'false', 'aria-controls': id, text: 'Show all the help' });
  more.addEventListener('click', () => {
    const open = more.getAttribute('aria-expanded') !== 'true';
    more.setAttribute('aria-expanded', String(open));
    more.textContent = open ? 'Show less help' : 'Show all the help';
    hint.classList.toggle('hw-hint--cut', !open);
  });
  return [hint, more];
}

function frame(fact, ctx, type, extra = {}) {
  const id = domId(fact.id);
  const ids = {
    group: `${ctx.ids.group}-${id}`,
    legend: `${ctx.ids.input}-legend-${id}`,
    hint: `${ctx.ids.input}-hint-${id}`,
    error: `${ctx.ids.input}-error-${id}`,
    input: (suffix) => `${ctx.ids.input}-${id}${suffix}`,
    name: `${ctx.ids.input}-${id}`,
  };
  const help = helpText(fact, ctx, ids.hint);
  const hint = help.length ? help[0] : null;
  const error = el('span', { class: 'nhsuk-error-message', id: ids.error, hidden: true });
  const legend = el('legend', { class: 'nhsuk-fieldset__legend nhsuk-fieldset__legend--s', id: ids.legend, text: fact.question });
  // Hints the question always has (a date's example), after its own help.
  const more = (extra.hints || []).map((h) => el('div', { class: 'nhsuk-hint', id: h.id, text: h.text }));
  const hints = [hint ? ids.hint : '', ...more.map((h) => h.id)].filter(Boolean);
  const fieldset = el('fieldset', { class: 'nhsuk-fieldset', role: extra.role || null, 'aria-describedby': hints.join(' ') || null }, legend, help, more, error);
  const group = el('div', { class: 'nhsuk-form-group hw-question', id: ids.group, 'data-fact': fact.id, 'data-type': type }, fieldset);
  const showError = (answer) => {
    const bad = answer.state === 'invalid' && !answer.quiet;
    group.classList.toggle('nhsuk-form-group--error', bad);
    error.hidden = !bad;
    error.replaceChildren(...(bad ? [el('span', { class: 'nhsuk-u-visually-hidden', text: 'Error: ' }), answer.message] : []));
    fieldset.setAttribute('aria-describedby', [...hints, bad ? ids.error : ''].filter(Boolean).join(' ') || ids.legend);
    return bad;
  };
  return { ids, group, fieldset, showError };
}

function choice(kind, ids, suffix, label, onChange) {
  const input = el('input', { class: `nhsuk-${kind}__input`, id: ids.input(suffix), name: ids.name, type: kind === 'radios' ? 'radio' : 'checkbox', value: suffix });
  input.addEventListener('change', () => onChange(input));
  const item = el('div', { class: `nhsuk-${kind}__item` }, input,
    el('label', { class: `nhsuk-label nhsuk-${kind}__label`, for: ids.input(suffix), text: label }));
  return { input, item };
}

const divider = (kind) => el('div', { class: `nhsuk-${kind}__divider`, text: 'or' });

/** Yes / No / Not known, nothing chosen until the person chooses. */
function bool(fact, ctx) {
  const f = frame(fact, ctx, 'bool');
  const pick = (input) => {
    if (!input.checked) return;
    const v = input.value;
    ctx.submit(v === '--not-known' ? { notKnown: true } : { value: v === '-yes' }, true);
  };
  const items = [['-yes', 'Yes'], ['-no', 'No'], ['--not-known', 'Not known']].map(([s, label]) => choice('radios', f.ids, s, label, pick));
  f.fieldset.append(el('div', { class: 'nhsuk-radios nhsuk-radios--inline' }, items.map((i) => i.item)));
  return {
    node: f.group,
    first: items[0].input,
    sync(answer) {
      f.showError(answer);
      const want = answer.state === 'not_known' ? '--not-known' : answer.state === 'value' ? (answer.value ? '-yes' : '-no') : null;
      for (const i of items) i.input.checked = i.input.value === want;
    },
  };
}

/** One option of a list, or Not known. */
function enumeration(fact, ctx) {
  const f = frame(fact, ctx, 'enum');
  const pick = (input) => {
    if (!input.checked) return;
    ctx.submit(input.value === '--not-known' ? { notKnown: true } : { value: input.value.slice(1) }, true);
  };
  const items = fact.options.map((o) => choice('radios', f.ids, `-${o.id}`, o.label, pick));
  const notKnown = choice('radios', f.ids, '--not-known', 'Not known', pick);
  f.fieldset.append(el('div', { class: 'nhsuk-radios' }, items.map((i) => i.item), divider('radios'), notKnown.item));
  const all = [...items, notKnown];
  return {
    node: f.group,
    first: all[0].input,
    sync(answer) {
      f.showError(answer);
      const want = answer.state === 'not_known' ? '--not-known' : answer.state === 'value' ? `-${answer.value}` : null;
      for (const i of all) i.input.checked = i.input.value === want;
    },
  };
}

/**
 * Any of a list; "None of these" (known and empty) and "Not known" are each exclusive. With
 * `ctx.compact` (the question-led card) a long list first asks "One or more of these / None of
 * these / Not known" and reveals the options on "One or more", so the question fits one screen
 * and "none" stays one tap.
 */
function set(fact, ctx) {
  if (ctx.compact && fact.options.length > 3) return gatedSet(fact, ctx);
  const f = frame(fact, ctx, 'set');
  const options = fact.options.map((o) => choice('checkboxes', f.ids, `-${o.id}`, o.label, (i) => changed(i)));
  const none = choice('checkboxes', f.ids, '--none', 'None of these', (i) => changed(i));
  const notKnown = choice('checkboxes', f.ids, '--not-known', 'Not known', (i) => changed(i));
  const picked = () => options.filter((o) => o.input.checked).map((o) => o.input.value.slice(1));
  function changed(input) {
    if (input === none.input && input.checked) {
      options.forEach((o) => { o.input.checked = false; });
      notKnown.input.checked = false;
      return ctx.submit({ value: [] }, true);
    }
    if (input === notKnown.input && input.checked) {
      options.forEach((o) => { o.input.checked = false; });
      none.input.checked = false;
      return ctx.submit({ notKnown: true }, true);
    }
    none.input.checked = false;
    notKnown.input.checked = false;
    const chosen = picked();
    return ctx.submit(chosen.length ? { value: chosen } : { unanswered: true }, false);
  }
  f.fieldset.append(el('div', { class: 'nhsuk-checkboxes' }, options.map((o) => o.item), divider('checkboxes'), none.item, notKnown.item));
  return {
    node: f.group,
    first: options.length ? options[0].input : none.input,
    sync(answer) {
      f.showError(answer);
      const v = answer.state === 'value' && Array.isArray(answer.value) ? answer.value : null;
      for (const o of options) o.input.checked = Boolean(v && v.includes(o.input.value.slice(1)));
      none.input.checked = Boolean(v && v.length === 0);
      notKnown.input.checked = answer.state === 'not_known';
    },
  };
}

function gatedSet(fact, ctx) {
  const f = frame(fact, ctx, 'set');
  const revealId = f.ids.input('--options');
  let revealed = false;
  const boxes = fact.options.map((o) => choice('checkboxes', f.ids, `-${o.id}`, o.label, () => {
    const chosen = boxes.filter((b) => b.input.checked).map((b) => b.input.value.slice(1));
    ctx.submit(chosen.length ? { value: chosen } : { unanswered: true }, false);
  }));
  const reveal = el('div', { class: 'nhsuk-radios__conditional', id: revealId },
    el('div', { class: 'nhsuk-checkboxes' }, boxes.map((b) => b.item)));
  const pick = (input) => {
    if (!input.checked) return;
    if (input.value === '--some') {
      revealed = true;
      show();
      return;
    }
    revealed = false;
    ctx.submit(input.value === '--none' ? { value: [] } : { notKnown: true }, true);
  };
  const some = choice('radios', f.ids, '--some', 'One or more of these', pick);
  some.input.setAttribute('aria-controls', revealId);
  const none = choice('radios', f.ids, '--none', 'None of these', pick);
  const notKnown = choice('radios', f.ids, '--not-known', 'Not known', pick);
  function show() {
    reveal.classList.toggle('nhsuk-radios__conditional--hidden', !revealed);
    reveal.hidden = !revealed;
  }
  f.fieldset.append(el('div', { class: 'nhsuk-radios nhsuk-radios--conditional' }, some.item, reveal, none.item, divider('radios'), notKnown.item));
  show();
  return {
    node: f.group,
    first: some.input,
    sync(answer) {
      f.showError(answer);
      const v = answer.state === 'value' && Array.isArray(answer.value) ? answer.value : null;
      if (v && v.length) revealed = true;
      else if (answer.state !== 'unanswered') revealed = false;
      some.input.checked = revealed;
      none.input.checked = Boolean(v && v.length === 0);
      notKnown.input.checked = answer.state === 'not_known';
      for (const b of boxes) b.input.checked = Boolean(v && v.includes(b.input.value.slice(1)));
      show();
    },
  };
}

/** A whole number typed as text (the engine judges it), or Not known. */
function int(fact, ctx) {
  const f = frame(fact, ctx, 'int');
  const input = el('input', {
    class: 'nhsuk-input nhsuk-input--width-4', id: f.ids.input(''), name: f.ids.name, type: 'text', inputmode: 'numeric',
    autocomplete: 'off', spellcheck: 'false', 'aria-labelledby': f.ids.legend,
  });
  const notKnown = choice('checkboxes', f.ids, '--not-known', 'Not known', () => {
    if (notKnown.input.checked) {
      input.value = '';
      ctx.submit({ notKnown: true }, true);
    } else {
      ctx.submit({ unanswered: true }, false);
    }
  });
  const typed = (complete) => {
    const text = input.value.trim();
    if (text) notKnown.input.checked = false;
    ctx.submit(text ? { text } : { unanswered: true }, complete);
  };
  input.addEventListener('change', () => typed(false));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      typed(true);
    }
  });
  const unit = fact.unit ? el('div', { class: 'nhsuk-input__suffix', 'aria-hidden': 'true', text: fact.unit }) : null;
  f.fieldset.append(el('div', { class: 'nhsuk-input-wrapper hw-int' }, input, unit),
    el('div', { class: 'nhsuk-checkboxes hw-int-not-known' }, divider('checkboxes'), notKnown.item));
  return {
    node: f.group,
    first: input,
    sync(answer) {
      const bad = f.showError(answer);
      input.classList.toggle('nhsuk-input--error', bad);
      if (bad) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
      input.setAttribute('aria-describedby', [fact.help ? f.ids.hint : '', bad ? f.ids.error : ''].filter(Boolean).join(' ') || f.ids.legend);
      const shown = answer.state === 'value' ? String(answer.value) : answer.state === 'invalid' ? answer.text : '';
      if (document.activeElement !== input || answer.state !== 'unanswered') input.value = shown;
      notKnown.input.checked = answer.state === 'not_known';
    },
  };
}

const LABELS = { day: 'Day', month: 'Month', year: 'Year' };

/**
 * A date: the NHS.UK date input (a fieldset with the question as its legend, the hint "For
 * example, 27 3 2026", then Day, Month and Year boxes for numbers), or Not known. What the boxes
 * say is judged by dates.js: a real day reaches the engine as `YYYY-MM-DD`; a partial or
 * impossible one leaves the fact unknown. The error shows once the person leaves the date (or
 * presses Enter), never while they are still typing it; then only the wrong boxes are marked.
 */
function date(fact, ctx) {
  const exampleId = `${ctx.ids.input}-example-${domId(fact.id)}`;
  const f = frame(fact, ctx, 'date', { role: 'group', hints: [{ id: exampleId, text: DATE_HINT }] });
  const boxes = Object.fromEntries(PARTS.map((part) => [part, el('input', {
    class: `nhsuk-input nhsuk-date-input__input nhsuk-input--width-${part === 'year' ? 4 : 2}`,
    id: f.ids.input(`-${part}`), name: `${f.ids.name}[${part}]`, type: 'text', inputmode: 'numeric',
    autocomplete: 'off', spellcheck: 'false',
  })]));
  const wrapper = el('div', { class: 'nhsuk-date-input hw-date', id: f.ids.input('') }, PARTS.map((part) => el('div', { class: 'nhsuk-date-input__item' },
    el('div', { class: 'nhsuk-form-group' },
      el('label', { class: 'nhsuk-label nhsuk-date-input__label', for: boxes[part].id, text: LABELS[part] }), boxes[part]))));
  const typed = () => Object.fromEntries(PARTS.map((p) => [p, boxes[p].value]));
  const inside = (node) => Boolean(node && wrapper.contains(node));
  let current = { state: 'unanswered' }; // the answer as last shown
  const held = () => (current.state === 'value' ? current.value : null);
  const notKnown = choice('checkboxes', f.ids, '--not-known', 'Not known', () => {
    if (notKnown.input.checked) {
      PARTS.forEach((p) => { boxes[p].value = ''; });
      ctx.submit({ notKnown: true }, true);
    } else {
      ctx.submit({ unanswered: true }, false);
    }
  });
  /** Whether the boxes say something the page has not yet judged (aloud, unless `quiet`). */
  const news = (quiet) => {
    const parts = typed();
    const read = readDate(parts);
    if (read.ok) return read.ok !== held();
    if (read.empty) return current.state === 'value' || current.state === 'invalid';
    if (current.state !== 'invalid') return true;
    return PARTS.some((p) => String(current.parts[p] ?? '') !== parts[p]) || (!quiet && current.quiet);
  };
  const judge = (quiet, complete) => ctx.submit({ date: typed(), quiet }, complete);
  // While typing, the engine hears only when what the boxes mean changes (a real day appears,
  // changes or stops being one), so it always holds what the form shows.
  wrapper.addEventListener('input', () => {
    if (PARTS.some((p) => boxes[p].value.trim())) notKnown.input.checked = false;
    if ((readDate(typed()).ok || null) !== held()) judge(true, false);
  });
  // Leaving one box for another: judged quietly (the fact is unknown until the date is whole).
  wrapper.addEventListener('change', () => { if (news(true)) judge(true, false); });
  // Leaving the date: judged aloud, with the NHS error pattern if it is partial or impossible.
  wrapper.addEventListener('focusout', (e) => {
    if (!wrapper.isConnected || inside(e.relatedTarget)) return;
    if (news(false)) judge(false, false);
  });
  wrapper.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && e.target.matches('input')) {
      e.preventDefault();
      judge(false, true);
    }
  });
  f.fieldset.append(wrapper, el('div', { class: 'nhsuk-checkboxes hw-date-not-known' }, divider('checkboxes'), notKnown.item));
  let wrong = [];
  return {
    node: f.group,
    first: boxes.day,
    target: () => boxes[wrong[0] || 'day'],
    sync(answer) {
      const bad = f.showError(answer);
      wrong = answer.state === 'invalid' ? answer.wrong || PARTS : [];
      for (const p of PARTS) {
        const mark = bad && wrong.includes(p);
        boxes[p].classList.toggle('nhsuk-input--error', mark);
        if (mark) boxes[p].setAttribute('aria-invalid', 'true');
        else boxes[p].removeAttribute('aria-invalid');
      }
      current = answer;
      notKnown.input.checked = answer.state === 'not_known';
      // The boxes keep what was typed while it means the same ("03", "Dec"); a draft not yet
      // judged (nothing reached the engine) stays while the person is in it.
      if (answer.state === 'value' && readDate(typed()).ok === answer.value) return;
      if (answer.state === 'unanswered' && inside(document.activeElement)) return;
      const shown = answer.state === 'value' ? isoParts(answer.value) : answer.state === 'invalid' ? answer.parts : null;
      for (const p of PARTS) {
        const v = shown ? String(shown[p] ?? '') : '';
        if (boxes[p].value !== v) boxes[p].value = v;
      }
    },
  };
}

/** The renderer for each fact type of the ruleset format. */
export const RENDERERS = { bool, enum: enumeration, set, int, date };

/** Draws one question, or a plain note for a fact type this page does not know yet. */
export function renderFact(fact, ctx) {
  const render = RENDERERS[fact.type];
  if (render) {
    const field = render(fact, ctx);
    return field.target ? field : { ...field, target: () => field.first };
  }
  const node = el('div', { class: 'nhsuk-form-group hw-question', id: `${ctx.ids.group}-${domId(fact.id)}`, 'data-fact': fact.id },
    el('p', { class: 'nhsuk-body', text: `${fact.question} (answers of type “${fact.type}” cannot be given on this page yet)` }));
  return { node, first: null, sync() {}, target: () => null };
}

/** The answer in words, for the handover and the "last answer" line. */
export function answerWords(fact, answer) {
  if (answer.state === 'not_known') return 'Not known';
  if (answer.state !== 'value') return '';
  const v = answer.value;
  const label = (id) => ((fact.options || []).find((o) => o.id === id) || { label: id }).label;
  if (fact.type === 'bool') return v ? 'Yes' : 'No';
  if (fact.type === 'enum') return label(v);
  if (fact.type === 'set') return v.length ? v.map(label).join('; ') : 'None of these';
  if (fact.type === 'int') return `${v}${fact.unit ? ` ${fact.unit}` : ''}`;
  if (fact.type === 'date') return longDate(v);
  return String(v);
}
