// Browser end-to-end tests of the bedside checklist: real clicks in headless Chromium (Debian's
// chromium, driven by playwright-core), axe-core accessibility checks, offline reloads through
// the service worker, storage faults, keyboard-only use and screenshots of every mode.
// HOMEWARD_SITE is the assembled site (cargo xtask e2e builds it). Ends with "N passed, N failed".
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile, mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, join, normalize, resolve } from 'node:path';

const site = resolve(process.env.HOMEWARD_SITE || '../target/web-demo');
const shots = resolve(process.env.HOMEWARD_SHOTS || join(site, '..', 'e2e'));
await mkdir(shots, { recursive: true });
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.json': 'application/json', '.webmanifest': 'application/manifest+json', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon' };

const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  let file = normalize(join(site, path));
  if (!file.startsWith(site)) { res.writeHead(403).end(); return; }
  try {
    if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
    const body = await readFile(file);
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-cache' }).end(body);
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});

let passed = 0;
let failed = 0;
let axeChecks = 0;
const foreign = [];
const metrics = {};

async function newPage(viewport = { width: 768, height: 1024 }) {
  const context = await browser.newContext({ viewport, serviceWorkers: 'allow' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('dialog', (d) => d.accept());
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.url()}`); });
  context.on('request', (r) => {
    const u = new URL(r.url());
    if (!['data:', 'blob:'].includes(u.protocol) && u.hostname !== '127.0.0.1') foreign.push(r.url());
  });
  return { context, page, errors };
}

async function ready(page) {
  await page.waitForSelector('homeward-checklist[data-state="ready"]', { timeout: 20000 });
}

const banner = (page) => page.locator('#hw-banner .hw-banner__verdict').innerText();
const verdict = (page) => page.locator('homeward-checklist').getAttribute('data-verdict');

async function choose(page, fact, value) {
  const id = `f-${fact.replace(/\./g, '--')}-${value}`;
  await page.locator(`[id="${id}"]`).check();
}

async function axe(page, label) {
  // Injected through the DevTools protocol: the page's strict CSP forbids inline scripts.
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(axeSource);
  const result = await page.evaluate(async () => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  }));
  axeChecks++;
  if (result.violations.length) {
    throw new Error(`axe (${label}): ${result.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`).join('; ')}`);
  }
}

async function test(name, fn) {
  const started = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.stack || e}`);
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

// Answers that make a ward patient ready (national rules), clicked one by one.
const READY = [
  ['clinical.criteria_to_reside', 'none'], ['pathway.returning_to_existing_care_home', 'no'], ['pathway.new_support_at_home', 'no'],
  ['pathway.needs_bedded_rehab', 'no'], ['pathway.needs_long_term_24h_care', 'no'], ['home.clutter_blocks_equipment', 'no'],
  ['home.needs_deep_clean', 'no'], ['home.heating_working', 'yes'], ['home.bed_and_toilet_reachable', 'yes'], ['home.carers_need_access', 'no'],
  ['home.minor_adaptations_needed', 'no'], ['home.equipment_needed', 'no'], ['housing.status', 'settled'], ['care.has_unpaid_carer', 'no'],
  ['care.choice_agreed', 'yes'], ['safeguarding.concern_open', 'no'], ['safeguarding.domestic_abuse', 'no'], ['capacity.doubt', 'no'],
  ['logistics.tto_ready', 'yes'], ['logistics.transport_arranged', 'yes'], ['logistics.discharge_summary_sent', 'yes'],
  ['logistics.follow_up_booked', 'yes'], ['logistics.patient_informed', 'yes'],
];

await test('first load: the checklist renders from the schema and the verdict is not yet known', async () => {
  const { context, page, errors } = await newPage();
  const t0 = Date.now();
  await page.goto(base);
  await ready(page);
  metrics.firstVerdictMs = Date.now() - t0;
  assert((await verdict(page)) === 'undetermined', `verdict ${await verdict(page)}`);
  assert((await banner(page)).startsWith('NOT YET KNOWN'), await banner(page));
  assert(await page.locator('.hw-question').count() > 30, 'questions rendered from the schema');
  assert(await page.locator('#hw-banner a.hw-question-link').count() > 0, 'open questions are links');
  await page.screenshot({ path: join(shots, 'ward-undetermined-tablet.png'), fullPage: false });
  await axe(page, 'ward undetermined');
  assert(errors.length === 0, errors.join('\n'));
  await context.close();
});

await test('answering by clicking: not yet known → not ready → ready, with the banner updating on every tap', async () => {
  const { context, page, errors } = await newPage();
  await page.goto(base);
  await ready(page);
  await page.locator('[id="f-clinical--criteria_to_reside-oxygen_or_niv"]').check();
  assert((await verdict(page)) === 'not_ready', 'oxygen makes the patient not ready');
  assert((await banner(page)).startsWith('NOT READY'), await banner(page));
  await page.screenshot({ path: join(shots, 'ward-not-ready-tablet.png') });
  await axe(page, 'ward not ready');
  const times = [];
  for (const [fact, value] of READY) {
    await choose(page, fact, value);
    times.push(Number(await page.locator('homeward-checklist').getAttribute('data-update-ms')));
  }
  assert((await verdict(page)) === 'ready', `verdict after all answers: ${await verdict(page)}; banner ${await banner(page)}`);
  assert((await banner(page)).startsWith('READY'), await banner(page));
  times.sort((a, b) => a - b);
  metrics.updateMsMedian = times[Math.floor(times.length / 2)];
  metrics.updateMsMax = times[times.length - 1];
  await page.screenshot({ path: join(shots, 'ward-ready-tablet.png') });
  await axe(page, 'ward ready');
  // One more tap: carers need access, and the key safe question appears.
  assert(await page.locator('#q-home--key_safe_or_key_arranged').isHidden(), 'key safe question hidden until asked');
  await choose(page, 'home.carers_need_access', 'yes');
  assert(await page.locator('#q-home--key_safe_or_key_arranged').isVisible(), 'key safe question shown');
  assert((await verdict(page)) === 'undetermined', 'key safe not yet answered');
  await choose(page, 'home.key_safe_or_key_arranged', 'no');
  assert((await verdict(page)) === 'not_ready', 'no key safe');
  const housing = page.locator('.hw-owner[data-owner="housing"]');
  assert(await housing.count() === 1, 'grouped under housing');
  const summary = await page.locator('#hw-handover').inputValue();
  assert(summary.includes('NOT READY') && summary.includes('Key safe'), summary);
  assert(errors.length === 0, errors.join('\n'));
  await context.close();
});

await test('answers survive a reload', async () => {
  const { context, page } = await newPage();
  await page.goto(base);
  await ready(page);
  await choose(page, 'home.heating_working', 'no');
  await choose(page, 'clinical.criteria_to_reside', 'none');
  await page.reload();
  await ready(page);
  assert(await page.locator('[id="f-home--heating_working-no"]').isChecked(), 'heating answer kept');
  assert(await page.locator('[id="f-clinical--criteria_to_reside-none"]').isChecked(), 'criteria answer kept');
  assert((await verdict(page)) === 'not_ready', 'verdict recomputed after reload');
  await context.close();
});

await test('works offline after the first load (service worker)', async () => {
  const { context, page, errors } = await newPage();
  await page.goto(base);
  await ready(page);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await page.reload();
  await ready(page);
  await context.setOffline(true);
  await page.reload();
  await ready(page);
  await choose(page, 'home.needs_deep_clean', 'yes');
  assert((await verdict(page)) === 'not_ready', 'still evaluates offline');
  await context.setOffline(false);
  assert(errors.filter((e) => !e.includes('ERR_INTERNET_DISCONNECTED')).length === 0, errors.join('\n'));
  await context.close();
});

await test('several patients on one tablet; a corrupt record loses only that patient', async () => {
  const { context, page } = await newPage();
  await page.goto(base);
  await ready(page);
  await choose(page, 'home.heating_working', 'no');
  await page.fill('#hw-new-label', 'Bed 7');
  await page.click('#hw-add-button');
  await ready(page);
  assert(!(await page.locator('[id="f-home--heating_working-no"]').isChecked()), 'new patient starts empty');
  await choose(page, 'home.needs_deep_clean', 'yes');
  const ids = await page.evaluate(() => JSON.parse(localStorage.getItem('homeward.v1.patients')).map((p) => p.id));
  assert(ids.length === 2, `two patients stored: ${ids}`);
  // Damage the second patient's record as a crash mid-write would.
  await page.evaluate((id) => localStorage.setItem(`homeward.v1.patient.${id}`, '{"label":"Bed 7","answers":{"home.needs_deep'), ids[1]);
  await page.reload();
  await ready(page);
  const notice = `${await page.locator('#hw-app-notice').innerText()} ${await page.locator('.hw-notice').innerText()}`;
  assert(/could not be read/.test(notice), `recovery notice: ${notice}`);
  await page.selectOption('#hw-patient', ids[0]);
  await ready(page);
  assert(await page.locator('[id="f-home--heating_working-no"]').isChecked(), 'the other patient kept their answers');
  await page.click('#hw-clear-patient');
  await ready(page);
  let left = await page.evaluate(() => JSON.parse(localStorage.getItem('homeward.v1.patients')).length);
  assert(left === 1, `one patient left: ${left}`);
  await page.click('#hw-clear-all');
  await ready(page);
  left = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('homeward.v1.patient.')).length);
  assert(left === 1, `only the fresh default patient remains: ${left}`);
  await context.close();
});

for (const [mode, label] of [['home_circumstances', 'paramedic'], ['front_door', 'a-and-e']]) {
  for (const [vw, vh, device] of [[768, 1024, 'tablet'], [390, 844, 'phone']]) {
    await test(`${mode} mode at ${vw}×${vh}: renders, evaluates and passes axe`, async () => {
      const { context, page, errors } = await newPage({ width: vw, height: vh });
      await page.goto(base);
      await ready(page);
      await page.selectOption('#hw-mode', mode);
      await page.waitForSelector(`homeward-checklist[mode="${mode}"][data-state="ready"]`);
      await choose(page, 'clinical.red_flags', 'none');
      await choose(page, 'front_door.reason', 'social');
      assert((await verdict(page)) === 'undetermined', 'still questions to ask');
      await page.locator('[id="f-clinical--red_flags-head_injury_anticoagulant"]').check();
      assert((await verdict(page)) === 'not_ready', 'red flag wins');
      await page.screenshot({ path: join(shots, `${label}-${device}.png`) });
      await axe(page, `${mode} ${device}`);
      const small = await page.evaluate(() => [...document.querySelectorAll('homeward-checklist button, homeward-checklist .nhsuk-radios__label, homeward-checklist .nhsuk-checkboxes__label, .hw-controls select, .hw-controls button')]
        .filter((e) => e.offsetParent !== null).map((e) => e.getBoundingClientRect()).filter((r) => r.height < 44 || r.width < 44).length);
      assert(small === 0, `${small} touch targets smaller than 44 px`);
      assert(errors.length === 0, errors.join('\n'));
      await context.close();
    });
  }
}

await test('Norfolk overlay: District Direct routes the housing barrier', async () => {
  const { context, page } = await newPage();
  await page.goto(base);
  await ready(page);
  await page.selectOption('#hw-overlay', 'norfolk');
  await page.waitForSelector('homeward-checklist[overlay="norfolk"][data-state="ready"]');
  await choose(page, 'home.clutter_blocks_equipment', 'yes');
  const text = await page.locator('.hw-outstanding').innerText();
  assert(/District Direct/.test(text), 'District Direct action shown');
  await page.screenshot({ path: join(shots, 'ward-norfolk-tablet.png') });
  await axe(page, 'norfolk');
  await context.close();
});

await test('keyboard only: reach a question, answer it with the keyboard, see the banner change', async () => {
  const { context, page } = await newPage();
  await page.goto(base);
  await ready(page);
  const link = page.locator('#hw-banner a.hw-question-link').first();
  await link.focus();
  await page.keyboard.press('Enter');
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  assert(focused && focused.startsWith('f-'), `focus moved to the question input: ${focused}`);
  // Criteria to reside is a checkbox set: Space toggles the focused option.
  await page.keyboard.press('Space');
  assert((await verdict(page)) === 'not_ready', `keyboard answer applied: ${await verdict(page)}`);
  let tabs = 0;
  while (tabs < 400) {
    await page.keyboard.press('Tab');
    tabs++;
    if (await page.evaluate(() => document.activeElement && document.activeElement.id === 'hw-clear-all')) break;
  }
  assert(tabs < 400, 'every control is reachable with Tab');
  await context.close();
});

await test('embedding: <homeward-checklist> in another page reports to its host', async () => {
  const { context, page, errors } = await newPage();
  await page.goto(`${base}embed.html`);
  await page.waitForSelector('body[data-ready="1"]');
  await choose(page, 'clinical.red_flags', 'chest_pain');
  const status = await page.locator('#host-status').innerText();
  assert(/not ready/.test(status), status);
  await page.screenshot({ path: join(shots, 'embed-phone.png') });
  await axe(page, 'embed');
  assert(errors.length === 0, errors.join('\n'));
  await context.close();
});

await test('print stylesheet hides the form and keeps the verdict and outstanding items', async () => {
  const { context, page } = await newPage();
  await page.goto(base);
  await ready(page);
  await page.emulateMedia({ media: 'print' });
  assert(await page.locator('.hw-questions').isHidden(), 'questions hidden in print');
  assert(await page.locator('#hw-banner').isVisible(), 'banner printed');
  await context.close();
});

await test('no request ever leaves 127.0.0.1', async () => {
  assert(foreign.length === 0, `requests to other hosts: ${foreign.join(', ')}`);
});

await browser.close();
server.close();
console.log(`metrics: ${JSON.stringify(metrics)} axe checks: ${axeChecks}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
