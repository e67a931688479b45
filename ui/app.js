// The main window: photo in, form, local checks, region, two-factor check; the 历史 (history)
// and 批量 (batch) views for reviewers (历史 of this desk or of the team); settings (团队 too).
// All work happens in Rust behind `invoke`; this module only renders and forwards input.

import { t, pick, applyStatic, STRINGS } from './i18n.js';
import { initCopy } from './copy.js';

const tauri = window.__TAURI__;
const invoke = tauri.core.invoke;
const listen = tauri.event.listen;

const $ = (sel) => document.querySelector(sel);
const FIELDS = ['name', 'number', 'sex', 'ethnicity', 'birth', 'address', 'issued_by', 'valid_from', 'valid_until'];

const state = {
  lang: 'zh',
  demo: false,
  settings: null,
  photo: null, // { preview, width, height, warnings: [{ kind, message }] }
  crops: null, // the cards found in the photo, straightened: [{ side, image, portrait }]; null until known
  showOriginal: false, // the clerk asked to see the photo as taken instead of the crops
  read: null, // the last read of the photo (OcrView), with every card in `cards`
  cards: null, // the people's cards of a photo holding several: the chooser's [{ fields, doubtful }]
  chosen: null, // which of `cards` fills the form
  photoError: null, // Msg
  photoNote: null, // Msg
  ocr: null, // { provider, provider_name, fields, doubtful: [field names], demo }
  local: null,
  region: null,
  verdict: null,
  verifyError: null,
  revealed: false,
  consentFor: null, // { name, number }: the holder the consent tick was given for
  consentSync: Promise.resolve(), // the last set_consent on its way (verify waits for it)
  typed: new Set(), // fields the clerk typed for the current holder: a read never overwrites them
  holder: 0, // bumped for every new holder: answers for an earlier one are dropped
  busyOcr: false,
  busyVerify: false,
  view: 'main', // main | history | batch | settings
  lastView: 'main',
  history: null, // { entries, total, providers }
  historyError: null,
  historyScope: 'local', // local | team: this desk's trail or the team's
  historyLoading: false, // a team search on its way
  teamHistory: null, // { entries, more }
  team: null, // where this desk stands with its team (Settings → 团队); never a password or code
  teamError: null,
  teamBusy: false,
  teamUrlDirty: false, // the clerk is editing the URL: a status refresh leaves it alone
  teamMsg: null, // what the last team action said: { said: [[key, vars]], good } or { error }
  batch: null, // the loaded plan: { total, to_send, invalid, previous, rows, ... }
  batchRows: [], // masked result lines, by index
  batchBusy: false, // loading or running
  batchRunning: false,
  batchReading: null, // { done, total }
  batchProgress: null, // { done, total, rate, eta_secs, cancelling }
  batchResult: null, // { summary, cancelled }
  batchError: null,
};

// ---------- helpers ----------

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
}

function show(node, on) { node.hidden = !on; }

/** Renders an error from Rust ({message:{zh,en}, vendor_code, request_id}) as one line. */
function errorText(err) {
  if (!err) return '';
  if (typeof err === 'string') return err;
  let s = pick(state.lang, err.message);
  const extra = [];
  if (err.vendor_code) extra.push(t(state.lang, 'err.code', { code: err.vendor_code }));
  if (err.request_id) extra.push(`${t(state.lang, 'meta.request_id')} ${err.request_id}`);
  if (extra.length) s += state.lang === 'en' ? ` (${extra.join(', ')})` : `（${extra.join('，')}）`;
  return s;
}

function asError(e) {
  if (e && typeof e === 'object' && e.message) return e;
  return { message: { zh: String(e), en: String(e) } };
}

function fields() {
  const out = {};
  for (const f of FIELDS) out[f] = $(`#f-${f}`).value.trim();
  return out;
}

function debounce(fn, ms) {
  let h = null;
  return (...a) => { clearTimeout(h); h = setTimeout(() => fn(...a), ms); };
}

// ---------- language ----------

function applyLang() {
  applyStatic(state.lang);
  $('#lang-toggle').textContent = t(state.lang, 'lang.other');
  $('#lang-toggle').lang = state.lang === 'en' ? 'zh-CN' : 'en';
  renderAll();
}

async function toggleLang() {
  state.lang = state.lang === 'en' ? 'zh' : 'en';
  applyLang();
  try {
    state.settings = await invoke('set_lang', { lang: state.lang });
  } catch (e) {
    $('#settings-msg').textContent = errorText(asError(e));
  }
}

// ---------- photo ----------

async function loadBytes(bytes, note) {
  state.photoError = null;
  state.photoNote = note || null;
  renderPhoto();
  let photo;
  try {
    photo = await invoke('load_photo', bytes);
  } catch (e) {
    // Not a usable photo: no new holder, so the form (what the clerk has for the current
    // holder) stays; the previous photo is gone on the Rust side.
    forgetPhoto();
    state.photoError = asError(e);
    renderPhoto();
    return;
  }
  newPhoto(photo);
  renderPhoto();
  loadCrops();
  await readCard();
}

async function onPhotoLoaded(payload) {
  // A photo dropped on another view is for the single check.
  if (state.view === 'history' || state.view === 'batch') showView('main');
  if (payload.photo) newPhoto(payload.photo);
  else forgetPhoto();
  state.photoError = payload.error || null;
  state.photoNote = payload.note || null;
  renderPhoto();
  if (state.photo) {
    loadCrops();
    await readCard();
  }
}

/** A new photo is in: a new holder's, with its own crops and read to come. */
function newPhoto(photo) {
  newHolder();
  forgetPhoto();
  state.photo = photo;
}

/** The photo is gone (replaced, unusable, cleared): its crops, read and chooser go with it. */
function forgetPhoto() {
  photoSeq += 1;
  state.photo = null;
  state.crops = null;
  state.showOriginal = false;
  state.read = null;
  state.cards = null;
  state.chosen = null;
  renderChooser();
}

let photoSeq = 0;
/** Asks for the cards in the photo, straightened, beside the read (the form does not wait for
 * them). Until they come, or when none is found, the photo is shown as taken. */
async function loadCrops() {
  const seq = photoSeq;
  let crops = [];
  try {
    crops = await invoke('photo_crops');
  } catch (_) {
    crops = []; // the photo as taken stays: nothing is lost
  }
  if (seq !== photoSeq) return;
  state.crops = crops;
  renderPhoto();
}

/** A new photo arrived: it is a new holder's. Nothing of the previous holder stays: every
 * field, the consent, the verdict, the local checks and the region go, even if the new photo's
 * read then fails. */
function newHolder() {
  untickConsent();
  if (copyUi) copyUi.newHolder();
  for (const f of FIELDS) $(`#f-${f}`).value = '';
  state.typed.clear();
  state.holder += 1;
  state.ocr = null;
  state.local = null;
  localSeq += 1;
  state.region = null;
  lastRegionKey = null;
  $('#record-msg').textContent = '';
  clearVerdict();
  renderLocal();
  renderRegion();
  renderVerifyGate();
}

let readSeq = 0;
async function readCard() {
  if (!state.photo) return;
  const seq = ++readSeq;
  const holder = state.holder;
  // A read that comes back after a newer read started, or after the clerk moved on to another
  // holder (a new photo, 清空), is not the current holder's: it is dropped.
  const current = () => seq === readSeq && holder === state.holder;
  state.busyOcr = true;
  state.photoError = null;
  renderPhoto();
  try {
    const r = await invoke('read_card');
    if (!current()) return;
    state.read = r;
    // The core has weighed the photo's warnings against what was read (a card whose fields
    // were read is a card): its list replaces the one shown with the photo.
    if (state.photo && r.warnings) state.photo.warnings = r.warnings;
    const cards = r.cards || [];
    if (cards.length > 1) {
      // Several people's cards: which one is being checked is the clerk's choice, so nothing
      // is filled until then (a read again keeps the choice made).
      const first = !state.cards;
      state.cards = cards;
      if (state.chosen != null && state.chosen < cards.length) {
        state.ocr = cardRead(r, state.chosen);
        fillForm(cards[state.chosen].fields);
      } else {
        state.chosen = null;
        state.ocr = { ...r, fields: {}, doubtful: [] };
      }
      renderChooser();
      if (first) focusChooser();
    } else {
      state.cards = null;
      state.chosen = null;
      renderChooser();
      state.ocr = r;
      fillForm(r.fields);
      invoke('perf_mark', { name: 'form-filled' }).catch(() => {});
    }
  } catch (e) {
    if (current()) state.photoError = asError(e);
  } finally {
    if (seq === readSeq) {
      state.busyOcr = false;
      renderPhoto();
      renderForm();
      onFormChanged();
    }
  }
}

/** Fills the form from a read of the current holder's photo (the fields were emptied when the
 * photo arrived). What the clerk typed for this holder is kept; a read that changes the name or
 * the number withdraws the consent, which was given for the old ones. */
function fillForm(f) {
  let changed = false;
  for (const k of FIELDS) {
    const v = f[k];
    if (v == null || v === '' || state.typed.has(k)) continue;
    const input = $(`#f-${k}`);
    if ((k === 'name' || k === 'number') && input.value.trim() !== String(v).trim()) changed = true;
    input.value = v;
  }
  if (changed) {
    untickConsent();
    if (state.verdict) clearVerdict();
  }
}

/** The read as the form shows it once card `i` of several is chosen. */
function cardRead(r, i) {
  return { ...r, fields: r.cards[i].fields, doubtful: r.cards[i].doubtful || [] };
}

/** The clerk chose card `i` of a photo holding several people's cards: it is a new holder's
 * (like a new photo: nothing of the one shown before stays, the consent is unticked), and the
 * form fills from that card with its doubt marks. */
function chooseCard(i) {
  const r = state.read;
  if (!r || !state.cards || !state.cards[i]) return;
  const cards = state.cards;
  newHolder();
  state.cards = cards;
  state.chosen = i;
  state.ocr = cardRead(r, i);
  fillForm(cards[i].fields);
  renderChooser();
  renderForm();
  onFormChanged();
}

/** The chooser's words for the sides a card's fields come from (the core's `sides`). */
function sidesOf(sides) {
  const s = sides || [];
  return s.includes('front') && s.includes('back') ? 'chooser.both' : s.includes('back') ? 'chooser.back' : 'chooser.front';
}

function renderChooser() {
  const box = $('#card-chooser');
  const cards = state.cards;
  show(box, !!cards);
  if (!cards) { $('#chooser-cards').replaceChildren(); return; }
  $('#chooser-title').textContent = t(state.lang, 'chooser.title', { n: cards.length });
  $('#chooser-cards').replaceChildren(...cards.map((c, i) => {
    const f = c.fields || {};
    const b = el('button', { type: 'button', class: 'card-choice', 'data-index': String(i), 'aria-pressed': String(state.chosen === i) },
      el('span', { class: 'choice-n', text: t(state.lang, 'chooser.pick', { i: i + 1 }) }),
      el('strong', { class: 'choice-name', text: f.name || t(state.lang, 'chooser.no_name') }),
      el('span', { class: 'choice-number mono', text: f.number || t(state.lang, 'chooser.no_number') }),
      el('span', { class: 'choice-side', text: t(state.lang, sidesOf(c.sides)) }));
    b.addEventListener('click', () => chooseCard(i));
    return b;
  }));
}

/** The chooser just appeared: the keyboard starts on it. */
function focusChooser() {
  const b = document.querySelector('#chooser-cards .card-choice');
  if (b) b.focus();
}

async function fileInputChanged(ev) {
  const file = ev.target.files && ev.target.files[0];
  if (!file) return;
  const buf = new Uint8Array(await file.arrayBuffer());
  ev.target.value = '';
  await loadBytes(buf);
}

async function onPaste(ev) {
  const items = ev.clipboardData ? [...ev.clipboardData.items] : [];
  const img = items.find((i) => i.kind === 'file' && i.type.startsWith('image/'));
  if (!img) {
    // Text pasted into a field is the field's business.
    if (document.activeElement && document.activeElement.tagName === 'INPUT') return;
    state.photoError = { message: { zh: t('zh', 'photo.no_image_in_clipboard'), en: t('en', 'photo.no_image_in_clipboard') } };
    renderPhoto();
    return;
  }
  ev.preventDefault();
  const buf = new Uint8Array(await img.getAsFile().arrayBuffer());
  await loadBytes(buf);
}

async function openDialog() {
  try {
    const r = await invoke('open_dialog');
    if (r) await onPhotoLoaded(r);
  } catch (e) {
    state.photoError = asError(e);
    renderPhoto();
  }
}

function renderPhoto() {
  const img = $('#preview-img');
  const crops = state.photo && state.crops && state.crops.length ? state.crops : null;
  const cropsShown = !!crops && !state.showOriginal;
  if (state.photo) {
    if (img.getAttribute('src') !== state.photo.preview) img.src = state.photo.preview;
    img.alt = t(state.lang, 'photo.title');
    show(img, !cropsShown);
    show($('#drop-hint'), false);
  } else {
    img.removeAttribute('src');
    show(img, false);
    show($('#drop-hint'), true);
  }
  renderCrops(crops, cropsShown);
  const orig = $('#btn-original');
  show(orig, !!crops);
  orig.textContent = t(state.lang, state.showOriginal ? 'photo.show_cards' : 'photo.show_original');
  orig.setAttribute('aria-pressed', String(!!crops && state.showOriginal));
  show($('#btn-read'), !!state.photo && !state.busyOcr);
  show($('#ocr-progress'), state.busyOcr);
  const warn = $('#photo-warnings');
  warn.replaceChildren(...((state.photo && state.photo.warnings) || []).map((w) => el('li', { 'data-kind': w.kind, text: pick(state.lang, w.message) })));
  const note = $('#photo-note');
  note.textContent = state.photoNote ? pick(state.lang, state.photoNote) : '';
  show(note, !!state.photoNote);
  const err = $('#photo-error');
  err.textContent = errorText(state.photoError);
  show(err, !!state.photoError);
  if (copyUi) copyUi.render();
}

/** The cards in place of the photo: each straightened card with its side, a front's portrait
 * beside it. Rebuilt only when the crops or the language change (the images are large). */
let cropsShownFor = null;
function renderCrops(crops, on) {
  const box = $('#crops');
  show(box, on);
  $('#dropzone').classList.toggle('has-crops', on);
  const key = crops ? [crops, state.lang] : null;
  if (cropsShownFor && key && cropsShownFor[0] === key[0] && cropsShownFor[1] === key[1]) return;
  cropsShownFor = key;
  if (!crops) { box.replaceChildren(); return; }
  box.replaceChildren(...crops.map((c) => {
    const side = t(state.lang, c.side === 'front' ? 'crops.front' : c.side === 'back' ? 'crops.back' : 'crops.card');
    const fig = el('figure', { class: 'crop', 'data-side': c.side || 'unknown' }, el('img', { class: 'card', src: c.image, alt: side }));
    if (c.portrait) fig.append(el('img', { class: 'portrait', src: c.portrait, alt: t(state.lang, 'crops.portrait') }));
    else fig.classList.add('no-portrait');
    fig.append(el('figcaption', { text: side }));
    return fig;
  }));
}

// ---------- form and local checks ----------

/** Marks the fields the read was unsure of (the core's `doubtful` list) until the clerk edits
 * them: the field's outline, a ⚠ by its label, a caption under it and a tooltip. */
function renderDoubt() {
  const doubtful = (state.ocr && state.ocr.doubtful) || [];
  for (const f of FIELDS) {
    const wrap = document.querySelector(`.field[data-field="${f}"]`);
    const on = doubtful.includes(f) && !state.typed.has(f);
    wrap.classList.toggle('doubtful', on);
    const text = t(state.lang, 'ocr.doubt');
    $(`#f-${f}`).title = on ? text : '';
    let note = $(`#doubt-${f}`);
    if (!note && on) {
      note = el('p', { class: 'doubt-note', id: `doubt-${f}` });
      $(`#f-${f}`).after(note);
    }
    if (note) {
      note.textContent = text;
      show(note, on);
    }
  }
}

function renderForm() {
  renderDoubt();
  const src = $('#ocr-source');
  if (state.ocr && state.ocr.provider_name) {
    src.textContent = t(state.lang, 'ocr.source', { provider: pick(state.lang, state.ocr.provider_name) }) +
      (state.ocr.demo ? ` · ${t(state.lang, 'demo.mark')}` : '');
    show(src, true);
  } else show(src, false);
  // Masking after a verdict.
  const masked = !!state.verdict && !state.revealed;
  show($('#f-number'), !masked);
  show($('#f-name'), !masked);
  show($('#masked-number'), masked);
  show($('#masked-name'), masked);
  show($('#btn-reveal'), !!state.verdict);
  $('#btn-reveal').textContent = t(state.lang, state.revealed ? 'btn.hide' : 'btn.reveal');
  if (state.verdict) {
    $('#masked-number').textContent = state.verdict.masked_number;
    $('#masked-name').textContent = state.verdict.masked_name;
  }
}

let localSeq = 0;
const checkLocal = debounce(async () => {
  const f = fields();
  const seq = ++localSeq;
  let r;
  try {
    r = await invoke('check_local', { fields: f });
  } catch (e) {
    r = { error: asError(e) };
  }
  // Only the newest check counts (the form may have been cleared meanwhile).
  if (seq !== localSeq) return;
  state.local = r;
  renderLocal();
  renderVerifyGate();
  lookupRegion();
}, 60);

function onFormChanged() {
  // Editing the name or number after a verdict makes it stale.
  checkLocal();
  renderVerifyGate();
  $('#record-msg').textContent = '';
}

/** Runs `work` and reports in `msg`: `done(result)` on success (nothing if the result is
 * null: a dialog cancelled), the error otherwise. */
async function reportIn(msg, work, done) {
  try {
    const r = await work();
    if (r === null) return;
    msg.textContent = done(r);
    msg.className = 'note good';
  } catch (e) {
    msg.textContent = errorText(asError(e));
    msg.className = 'error';
  }
}

function recordCheck() {
  const work = async () => { await invoke('record_check', { number: $('#f-number').value.trim() }); return true; };
  return reportIn($('#record-msg'), work, () => t(state.lang, 'local.recorded'));
}

/** What the number gives beside the printed 出生 and 性别, when the card prints something
 * else (the core decides; the printed values are left as they are). */
function renderNumberSays() {
  const L = state.local && !state.local.error ? state.local : null;
  const says = { birth: L && L.number_birth, sex: L && L.number_sex && pick(state.lang, L.number_sex) };
  for (const [f, v] of Object.entries(says)) {
    const p = $(`#says-${f}`);
    p.textContent = v ? t(state.lang, 'local.number_says', { v }) : '';
    p.title = v ? t(state.lang, 'local.number_says.title') : '';
    show(p, !!v);
  }
}

function renderLocal() {
  renderNumberSays();
  const box = $('#local-verdict');
  const L = state.local;
  $('#btn-record').disabled = !(L && L.number_present);
  if (!L || L.empty) {
    box.className = 'local-verdict';
    box.replaceChildren(el('p', { class: 'note', text: t(state.lang, 'local.empty') }));
    return;
  }
  if (L.error) {
    box.className = 'local-verdict bad';
    box.replaceChildren(el('p', { text: errorText(L.error) }));
    return;
  }
  const kids = [];
  if (L.number_present) {
    kids.push(el('p', { class: 'headline', text: t(state.lang, L.valid ? 'local.valid' : 'local.invalid') }));
  }
  const ul = el('ul', { class: 'reasons' });
  for (const r of L.reasons || []) {
    const li = el('li', { class: 'reason', text: pick(state.lang, r.message) });
    if (r.expected) li.append(el('span', { class: 'expected', text: ' · ' + t(state.lang, 'local.expected', { c: r.expected }) }));
    ul.append(li);
  }
  for (const w of L.warnings || []) ul.append(el('li', { class: 'warning', text: pick(state.lang, w.message || w) }));
  for (const fct of L.facts || []) ul.append(el('li', { class: 'fact', text: pick(state.lang, fct) }));
  kids.push(ul);
  box.className = 'local-verdict ' + (!L.number_present ? '' : L.valid ? ((L.warnings || []).length ? 'warn' : 'good') : 'bad');
  box.replaceChildren(...kids);
}

// ---------- region ----------

let lastRegionKey = null;
async function lookupRegion() {
  const L = state.local;
  const key = L && L.region_code ? `${L.region_code}|${L.valid ? L.number_key : ''}` : null;
  if (key === lastRegionKey) return;
  lastRegionKey = key;
  if (!key) { state.region = null; renderRegion(); return; }
  try {
    const r = await invoke('region_lookup', { number: $('#f-number').value.trim() });
    if (lastRegionKey === key) state.region = r;
  } catch (e) {
    if (lastRegionKey === key) state.region = { error: asError(e) };
  }
  renderRegion();
}

function names(n) {
  return [n.province, n.city, n.district].filter((x, i, a) => x && a.indexOf(x) === i).join(' ');
}

function renderRegion() {
  const box = $('#region');
  const R = state.region;
  if (!R) { box.replaceChildren(el('p', { class: 'note', text: t(state.lang, 'region.empty') })); return; }
  if (R.error) { box.replaceChildren(el('p', { class: 'error', text: errorText(R.error) })); return; }
  const kids = [];
  const E = R.embedded;
  if (E) {
    const head = el('p', { class: 'region-main' }, el('span', { class: 'mono', text: R.code + ' ' }), el('strong', { text: names(E.current) }));
    const tag = el('span', { class: 'tag ' + (E.abolished ? 'bad' : 'good'), text: t(state.lang, E.abolished ? 'region.abolished' : 'region.in_force') });
    head.append(' ', tag);
    kids.push(head);
    kids.push(el('p', { class: 'note', text: `${t(state.lang, 'region.embedded')} · ${t(state.lang, 'region.years', { since: E.since, until: E.until ?? t(state.lang, 'region.now') })}` }));
    if (E.at_birth) kids.push(el('p', { class: 'note', text: pick(state.lang, E.at_birth) }));
    if (E.history && E.history.length > 1) {
      const d = el('details', {}, el('summary', { text: t(state.lang, 'region.history') }));
      const ul = el('ul', { class: 'history' });
      for (const h of E.history) ul.append(el('li', { text: `${h.since}–${h.until ?? t(state.lang, 'region.now')}  ${names(h)}` }));
      d.append(ul);
      kids.push(d);
    }
  } else {
    kids.push(el('p', { class: 'warning', text: t(state.lang, 'region.unknown', { code: R.code }) }));
  }
  const O = R.online;
  if (O) {
    const p = el('div', { class: 'online' });
    p.append(el('p', { class: 'note', text: t(state.lang, 'region.online', { provider: pick(state.lang, O.provider_name) }) + (O.demo ? ` · ${t(state.lang, 'demo.mark')}` : '') }));
    if (O.error) p.append(el('p', { class: 'error', text: errorText(O.error) }));
    else {
      p.append(el('p', {}, el('strong', { text: O.full_name })));
      if (E) p.append(el('p', { class: O.differs ? 'warning' : 'note', text: t(state.lang, O.differs ? 'region.differs' : 'region.same') }));
    }
    kids.push(p);
  }
  box.replaceChildren(...kids);
}

// ---------- two-factor ----------

function verifyGate() {
  const L = state.local;
  const s = state.settings;
  if (!L || !L.valid) return 'verify.need_number';
  if (!$('#f-name').value.trim()) return 'verify.need_name';
  if (!s || !s.two_factor_ready) return 'verify.need_provider';
  if (!$('#consent').checked) return 'verify.need_consent';
  return null;
}

function renderVerifyGate() {
  let why = verifyGate();
  // After a check, the next one needs the holder's consent again.
  if (why === 'verify.need_consent' && state.verdict) why = 'verify.need_consent_again';
  $('#btn-verify').disabled = !!why || state.busyVerify;
  $('#verify-why').textContent = state.busyVerify ? '' : t(state.lang, why || 'verify.ready');
  show($('#verify-progress'), state.busyVerify);
}

// ---------- consent ----------
// The consent is the holder's, for one check: the Rust side is told of every change (bound to
// the name and number it was given for) and refuses a check without it.

/** Tells the Rust side, in the order the changes happened (each waits for the one before). */
function tellConsent(name, number, given) {
  const send = () => invoke('set_consent', { name, number, given }).catch(() => { /* a shell without it: the page still works */ });
  state.consentSync = state.consentSync.then(send, send);
  return state.consentSync;
}

const sameHolder = (a, b) => a.name === b.name && a.number === b.number;

/** The clerk ticked or unticked the box: for the name and number now in the form. */
function onConsentChanged() {
  const given = $('#consent').checked;
  const f = fields();
  state.consentFor = given ? { name: f.name, number: f.number } : null;
  tellConsent(f.name, f.number, given);
  renderVerifyGate();
  // An online region service may bill each lookup: it is asked once the holder consented.
  if (given) lookupRegionOnline();
}

async function lookupRegionOnline() {
  const s = state.settings;
  const L = state.local;
  if (!s || s.region === 'embedded' || !L || !L.valid) return;
  const key = lastRegionKey;
  try {
    const r = await invoke('region_lookup', { number: $('#f-number').value.trim(), online: true });
    if (lastRegionKey === key) state.region = r;
  } catch (e) {
    if (lastRegionKey === key) state.region = { error: asError(e) };
  }
  renderRegion();
}

/** The page withdraws the consent (a new holder, a changed name or number, 清空, a check
 * done): the box is unticked and the Rust side told, for the holder it was given for. */
function untickConsent() {
  const box = $('#consent');
  if (!box.checked && !state.consentFor) return;
  box.checked = false;
  const f = state.consentFor || fields();
  state.consentFor = null;
  tellConsent(f.name, f.number, false);
  renderVerifyGate();
}

function clearVerdict() {
  state.verdict = null;
  state.verifyError = null;
  state.revealed = false;
  renderVerdict();
  renderForm();
}

async function verify() {
  if (verifyGate() || state.busyVerify) return;
  state.busyVerify = true;
  state.verifyError = null;
  renderVerifyGate();
  renderVerdict();
  const holder = state.holder;
  let asked = null;
  // An answer about a holder the form no longer shows (a new photo, 清空, another name or
  // number typed meanwhile) is not shown next to it; the trail has it.
  const current = () => holder === state.holder && sameHolder(fields(), asked);
  try {
    // The consent tick must have reached the Rust side before the check asks for it.
    await state.consentSync;
    const f = fields();
    asked = { name: f.name, number: f.number };
    const v = await invoke('verify', { name: f.name, number: f.number, consent: $('#consent').checked });
    if (current()) {
      state.verdict = v;
      state.revealed = false;
      // One consent, one check.
      untickConsent();
    } else if (state.consentFor && sameHolder(state.consentFor, asked)) untickConsent();
  } catch (e) {
    if (!asked || current()) {
      state.verifyError = asError(e);
      // The Rust side holds no consent for this holder: the box must say so too.
      if (state.verifyError.kind === 'consent') untickConsent();
    }
  } finally {
    state.busyVerify = false;
    renderVerifyGate();
    renderVerdict();
    renderForm();
  }
}

function renderVerdict() {
  const box = $('#verdict');
  const V = state.verdict;
  show(box, !!V);
  if (V) {
    box.className = 'verdict ' + V.verdict;
    const main = $('#verdict-main');
    main.replaceChildren(el('span', { class: 'word', text: t(state.lang, 'verdict.' + V.verdict) }));
    if (V.demo) main.append(el('span', { class: 'badge demo', text: t(state.lang, 'demo.mark') }));
    main.append(el('p', { class: 'verdict-msg', text: pick(state.lang, V.message) }));
    const meta = $('#verdict-meta');
    const rows = [
      ['meta.provider', pick(state.lang, V.provider_name)],
      ['meta.time', V.time ? new Date(V.time).toLocaleString(state.lang === 'en' ? 'en-GB' : 'zh-CN') : ''],
      ['meta.request_id', V.request_id],
      ['meta.birthday', V.birthday],
      ['meta.sex', V.sex],
      ['meta.address', V.address_masked],
    ];
    meta.replaceChildren();
    for (const [k, v] of rows) if (v) meta.append(el('dt', { text: t(state.lang, k) }), el('dd', { text: v }));
    if (V.reused) meta.append(el('dt', { text: '' }), el('dd', { class: 'note', text: t(state.lang, 'meta.cached') }));
  }
  const err = $('#verify-error');
  err.textContent = errorText(state.verifyError);
  show(err, !!state.verifyError);
}

// ---------- clear and idle ----------

async function clearAll() {
  untickConsent();
  if (copyUi) copyUi.newHolder();
  for (const f of FIELDS) $(`#f-${f}`).value = '';
  state.typed.clear();
  state.holder += 1;
  forgetPhoto();
  state.photoError = null;
  state.photoNote = null;
  state.ocr = null;
  state.local = null;
  localSeq += 1;
  state.region = null;
  lastRegionKey = null;
  clearVerdict();
  try { await invoke('clear'); } catch (_) { /* the form is clear either way */ }
  renderAll();
  $('#f-name').focus();
}

let idleTimer = null;
function armIdle() {
  clearTimeout(idleTimer);
  const secs = state.settings ? state.settings.idle_clear_secs : 180;
  if (!secs) return;
  idleTimer = setTimeout(() => {
    const dirty = state.photo || FIELDS.some((f) => $(`#f-${f}`).value);
    if (dirty && !state.busyOcr && !state.busyVerify) clearAll();
  }, secs * 1000);
}

// ---------- settings ----------

const PROVIDERS = ['apizero', 'muzhiyun', 'nowapi'];

function renderSettings() {
  const s = state.settings;
  if (!s) return;
  $('#sel-ocr').value = s.ocr;
  $('#sel-two_factor').value = s.two_factor;
  $('#sel-region').value = s.region;
  $('#idle-secs').value = s.idle_clear_secs;
  $('#demo-toggle').checked = !!s.demo;
  $('#operator').value = s.operator || '';
  $('#retention-days').value = s.retention_days;
  const audit = $('#audit-status');
  audit.textContent = s.audit_problem ? pick(state.lang, s.audit_problem) : t(state.lang, 'settings.audit_ok');
  audit.className = s.audit_problem ? 'error' : 'note';
  for (const p of PROVIDERS) {
    const st = s.providers[p] || {};
    const key = st.source === 'demo' ? 'key.demo' : st.source === 'env' ? 'key.configured_env' : st.configured ? 'key.configured' : 'key.not_configured';
    const span = $(`#status-${p}`);
    span.textContent = t(state.lang, key);
    span.className = 'status ' + (st.configured ? 'good' : '');
    $(`#url-${p}`).value = (s.base_urls && s.base_urls[p]) || '';
  }
  const kc = $('#keychain-status');
  kc.textContent = s.keychain.available ? t(state.lang, 'keychain.ok') : pick(state.lang, s.keychain.message);
  kc.className = s.keychain.available ? 'note' : 'error';
  show($('#demo-badge'), !!s.demo);
  state.demo = !!s.demo;
  const m = Math.round((s.idle_clear_secs || 0) / 60 * 10) / 10;
  $('#idle-note').textContent = s.idle_clear_secs ? t(state.lang, 'idle.note', { m }) : '';
}

async function saveKey(p) {
  const msg = $(`#msg-${p}`);
  const input = $(`#key-${p}`);
  const second = document.querySelector(`#key2-${p}`);
  const value = input.value;
  const value2 = second ? second.value : null;
  if (!value.trim() || (second && !value2.trim())) { msg.textContent = t(state.lang, 'key.empty'); msg.className = 'error'; return; }
  try {
    state.settings = await invoke('save_key', { provider: p, key: value, second: value2 });
    input.value = '';
    if (second) second.value = '';
    msg.textContent = t(state.lang, 'key.saved');
    msg.className = 'note good';
  } catch (e) {
    msg.textContent = errorText(asError(e));
    msg.className = 'error';
  }
  renderSettings();
  renderVerifyGate();
}

async function deleteKey(p) {
  const msg = $(`#msg-${p}`);
  try {
    state.settings = await invoke('delete_key', { provider: p });
    msg.textContent = t(state.lang, 'key.deleted');
    msg.className = 'note';
  } catch (e) {
    msg.textContent = errorText(asError(e));
    msg.className = 'error';
  }
  renderSettings();
  renderVerifyGate();
}

async function testProvider(p) {
  const msg = $(`#msg-${p}`);
  msg.textContent = '…';
  msg.className = 'note';
  try {
    const r = await invoke('test_connection', { provider: p });
    msg.textContent = t(state.lang, 'test.ok', { ms: r.millis }) + (r.note ? ` · ${pick(state.lang, r.note)}` : '');
    msg.className = 'note good';
  } catch (e) {
    msg.textContent = errorText(asError(e));
    msg.className = 'error';
  }
}

async function saveSettings() {
  const base_urls = {};
  for (const p of PROVIDERS) base_urls[p] = $(`#url-${p}`).value.trim();
  const patch = {
    ocr: $('#sel-ocr').value,
    two_factor: $('#sel-two_factor').value,
    region: $('#sel-region').value,
    idle_clear_secs: Number($('#idle-secs').value || 0),
    base_urls,
    demo: $('#demo-toggle').checked,
    operator: $('#operator').value.trim(),
    retention_days: Number($('#retention-days').value || 0),
  };
  const msg = $('#settings-msg');
  try {
    state.settings = await invoke('save_settings', { patch });
    msg.textContent = t(state.lang, 'settings.saved');
    msg.className = 'note good';
  } catch (e) {
    msg.textContent = errorText(asError(e));
    msg.className = 'error';
  }
  renderSettings();
  renderVerifyGate();
  lastRegionKey = null;
  lookupRegion();
  armIdle();
}

// ---------- team (Settings → 团队) ----------

function fmtTime(iso) {
  return iso ? new Date(iso).toLocaleString(state.lang === 'en' ? 'en-GB' : 'zh-CN') : '';
}

let teamSeq = 0;
async function loadTeam() {
  const seq = ++teamSeq;
  try {
    const s = await invoke('team_status');
    if (seq !== teamSeq) return;
    state.team = s;
    state.teamError = null;
  } catch (e) {
    if (seq !== teamSeq) return;
    state.teamError = asError(e);
  }
  renderTeam();
}

function renderTeam() {
  const T = state.team;
  const url = $('#team-url');
  if (T && !state.teamUrlDirty) url.value = T.url || '';
  url.disabled = !!(T && T.url_from_env);
  $('#team-password').placeholder = t(state.lang, T && T.password ? 'team.password.saved_ph' : 'team.password.ph');
  const st = $('#team-status');
  const last = $('#team-last');
  $('#team-sync').disabled = state.teamBusy || !(T && T.joined);
  $('#team-join').disabled = state.teamBusy;
  $('#team-save').disabled = state.teamBusy;
  renderTeamMsg();
  if (state.teamError) {
    st.textContent = errorText(state.teamError);
    st.className = 'error';
    show(last, false);
    return;
  }
  if (!T) { st.textContent = ''; show(last, false); return; }
  const parts = [];
  if (!T.url) parts.push(t(state.lang, 'team.none'));
  else if (!T.joined) parts.push(t(state.lang, 'team.not_joined', { url: T.url }));
  else parts.push(t(state.lang, 'team.joined', { desk: T.desk || '', url: T.url }));
  if (T.url_from_env) parts.push(t(state.lang, 'team.env'));
  if (T.url && T.joined && T.outbox) {
    parts.push(T.outbox.pending
      ? t(state.lang, 'team.pending', { n: T.outbox.pending, t: fmtTime(T.outbox.oldest) })
      : t(state.lang, 'team.nothing_pending'));
  }
  st.textContent = parts.join(' ');
  st.className = T.url && T.joined ? 'note good' : 'note';
  st.dataset.joined = T.joined ? '1' : '0';
  // The last push: when it worked, or why it did not, in the clerk's language.
  if (T.last_error) {
    last.textContent = t(state.lang, 'team.last_error', { e: pick(state.lang, T.last_error) });
    last.className = 'error';
  } else if (T.last_sync) {
    last.textContent = t(state.lang, 'team.last_sync', { t: fmtTime(T.last_sync) });
    last.className = 'note';
  }
  show(last, !!(T.last_error || T.last_sync));
}

/** The line under the team buttons, kept as words to render so that it follows the language
 * switch: `said` (a list of [key, vars]) or an `error` from Rust. */
function renderTeamMsg() {
  const msg = $('#team-msg');
  const M = state.teamMsg;
  msg.textContent = !M ? '' : M.error ? errorText(M.error) : M.said.map(([k, v]) => t(state.lang, k, v)).join(' ');
  msg.className = M && M.error ? 'error' : M && M.good ? 'note good' : 'note';
  show(msg, !!M);
}

/** Runs one team action, reporting in #team-msg; what the clerk typed stays on failure. */
async function teamAction(work, { push = false } = {}) {
  if (state.teamBusy) return;
  state.teamBusy = true;
  state.teamMsg = { said: [['team.working']] };
  renderTeam();
  let failed = false;
  try {
    state.teamMsg = { said: await work(), good: true };
  } catch (e) {
    failed = true;
    state.teamMsg = { error: asError(e) };
  } finally {
    state.teamBusy = false;
    renderTeam();
  }
  if (failed) {
    // A failed push or join may have changed the status (the last error): ask again. A failed
    // push is then said once, by the status's last-push line.
    await loadTeam();
    if (push && state.team && state.team.last_error) {
      state.teamMsg = null;
      renderTeamMsg();
    }
  }
}

function saveTeam() {
  return teamAction(async () => {
    const url = $('#team-url').value.trim();
    const password = $('#team-password').value;
    const said = [];
    const T = state.team;
    if (!$('#team-url').disabled && (state.teamUrlDirty || !T || (T.url || '') !== url)) {
      state.team = await invoke('team_set_url', { url });
      state.teamUrlDirty = false;
      said.push([url ? 'team.saved' : 'team.cleared']);
    }
    if (password) {
      state.team = await invoke('team_set_password', { password });
      $('#team-password').value = '';
      said.push(['team.password_saved']);
    }
    return said.length ? said : [['team.nothing_to_save']];
  });
}

function joinTeam() {
  const code = $('#team-code').value.trim();
  if (!code) {
    state.teamMsg = { error: { message: { zh: t('zh', 'team.need_code'), en: t('en', 'team.need_code') } } };
    renderTeamMsg();
    $('#team-code').focus();
    return;
  }
  return teamAction(async () => {
    // An address from IDCHECK_TEAM_URL is the one used: the desk joins there.
    const url = $('#team-url').disabled ? '' : $('#team-url').value.trim();
    state.team = await invoke('team_join', { url, code });
    state.teamUrlDirty = false;
    $('#team-code').value = '';
    return [['team.joined_msg']];
  });
}

function syncTeam() {
  return teamAction(async () => {
    const r = await invoke('team_sync');
    state.team = r.status;
    return [['team.synced', r.sync]];
  }, { push: true });
}

function openSettings(on) {
  showView(on ? 'settings' : state.lastView);
}

// ---------- views ----------

const VIEWS = ['main', 'history', 'batch', 'settings'];

function showView(name) {
  if (name !== 'settings') state.lastView = name;
  state.view = name;
  for (const v of VIEWS) show($(`#${v}`), v === name);
  for (const b of document.querySelectorAll('.tab')) {
    if (b.dataset.view === name) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  }
  if (name === 'settings') { $('#sel-ocr').focus(); loadTeam(); }
  else if (name === 'history') { $('#h-number').focus(); loadHistory(); }
  else if (name === 'batch') $('#batch-path').focus();
  else $('#f-name').focus();
}

// ---------- history ----------

function historyFilter() {
  return {
    since: $('#h-since').value.trim(),
    until: $('#h-until').value.trim(),
    kind: $('#h-kind').value,
    outcome: $('#h-outcome').value,
    provider: $('#h-provider').value,
    number: $('#h-number').value.trim(),
  };
}

function teamHistoryFilter() {
  return {
    since: $('#h-since').value.trim(),
    until: $('#h-until').value.trim(),
    kind: $('#h-kind').value,
    desk: $('#h-desk').value.trim(),
    number: $('#h-number').value.trim(),
  };
}

let historySeq = 0;
/** Searches this desk's trail or the team's, as the switch says. What the reviewer typed in
 * the filter stays as it is, whatever the answer. */
async function loadHistory() {
  const seq = ++historySeq;
  const team = state.historyScope === 'team';
  state.historyError = null;
  state.historyLoading = team;
  $('#history-msg').textContent = '';
  if (team) renderHistory();
  try {
    const r = team ? await invoke('team_history', { filter: teamHistoryFilter() }) : await invoke('history', { filter: historyFilter() });
    if (seq !== historySeq) return;
    if (team) state.teamHistory = r;
    else state.history = r;
  } catch (e) {
    if (seq !== historySeq) return;
    if (team) state.teamHistory = null;
    else state.history = null;
    state.historyError = asError(e);
  }
  state.historyLoading = false;
  renderHistory();
}

/** 本机 / 团队: which trail the 历史 view lists. */
function setHistoryScope(scope) {
  if (scope === state.historyScope) return;
  state.historyScope = scope;
  state.historyError = null;
  loadHistory();
}

function renderHistoryScope() {
  const team = state.historyScope === 'team';
  for (const b of document.querySelectorAll('#history [data-scope]')) b.setAttribute('aria-pressed', String(b.dataset.scope === state.historyScope));
  for (const e of document.querySelectorAll('#history .team-only')) e.hidden = !team;
  for (const e of document.querySelectorAll('#history .local-only')) e.hidden = team;
}

function providerLabel(id) {
  const demo = id.endsWith('-demo');
  const base = demo ? id.slice(0, -5) : id;
  const key = base === 'local' ? 'history.prov.local' : `prov.${base}`;
  const name = key in STRINGS ? t(state.lang, key) : base;
  return demo ? `${name} · ${t(state.lang, 'demo.mark')}` : name;
}

function renderHistory() {
  renderHistoryScope();
  $('#history-error').textContent = errorText(state.historyError);
  show($('#history-error-box'), !!state.historyError);
  // Not in a team (or not joined): the way to Settings → 团队.
  const kind = state.historyError && state.historyError.kind;
  show($('#history-goto-team'), kind === 'team_not_configured' || kind === 'team_key');
  if (state.historyScope === 'team') renderTeamHistory();
  else renderLocalHistory();
}

function renderLocalHistory() {
  const H = state.history;
  // The provider choices are the providers in the trail.
  const sel = $('#h-provider');
  const chosen = sel.value;
  const opts = [el('option', { value: '', text: t(state.lang, 'history.any') })];
  for (const p of (H && H.providers) || []) opts.push(el('option', { value: p, text: providerLabel(p) }));
  sel.replaceChildren(...opts);
  sel.value = chosen;
  if (sel.value !== chosen) sel.value = '';
  const body = $('#history-rows');
  if (!H) { body.replaceChildren(); $('#history-count').textContent = ''; return; }
  const shown = H.entries.length;
  $('#history-count').textContent = shown < H.total
    ? t(state.lang, 'history.count_page', { total: H.total, shown })
    : t(state.lang, 'history.count', { total: H.total });
  if (!shown) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: '9', class: 'note', text: t(state.lang, 'history.empty') })));
    return;
  }
  const locale = state.lang === 'en' ? 'en-GB' : 'zh-CN';
  body.replaceChildren(...H.entries.map((e) => {
    const code = [];
    if (e.error) code.push(e.error.kind);
    if (e.vendor_code) code.push(e.vendor_code);
    if (e.request_id) code.push(e.request_id);
    const outcome = el('span', { class: `tag ${e.outcome}`, text: t(state.lang, `outcome.${e.outcome}`) });
    if (e.error) outcome.title = pick(state.lang, { zh: e.error.message_zh, en: e.error.message_en });
    return el('tr', { 'data-outcome': e.outcome },
      el('td', { class: 'nowrap', text: new Date(e.at).toLocaleString(locale) }),
      el('td', { text: t(state.lang, `kind.${e.kind}`) }),
      el('td', { text: providerLabel(e.provider) }),
      el('td', { text: e.name_masked || '' }),
      el('td', { class: 'mono', text: e.number_masked || '' }),
      el('td', {}, outcome),
      el('td', { class: 'mono small', text: code.join(' · ') }),
      el('td', { text: e.consent ? t(state.lang, 'yes') : '' }),
      el('td', { text: e.operator || '' }));
  }));
}

function renderTeamHistory() {
  const H = state.teamHistory;
  const body = $('#history-rows');
  const count = $('#history-count');
  if (state.historyLoading) count.textContent = t(state.lang, 'history.team_loading');
  if (!H) {
    body.replaceChildren();
    if (!state.historyLoading) count.textContent = '';
    return;
  }
  const shown = H.entries.length;
  if (!state.historyLoading) {
    count.textContent = H.more ? t(state.lang, 'history.team_count_more', { shown }) : t(state.lang, 'history.team_count', { total: shown });
  }
  if (!shown) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: '10', class: 'note', text: t(state.lang, 'history.empty') })));
    return;
  }
  body.replaceChildren(...H.entries.map((e) => {
    const code = [e.error_kind, e.vendor_code, e.request_id].filter(Boolean);
    const outcome = el('span', { class: `tag ${e.outcome}`, text: t(state.lang, `outcome.${e.outcome}`) });
    return el('tr', { 'data-outcome': e.outcome, 'data-desk': e.desk },
      el('td', { class: 'nowrap', text: fmtTime(e.at) }),
      el('td', { class: 'mono', text: e.desk }),
      el('td', { text: t(state.lang, `kind.${e.kind}`) }),
      el('td', { text: providerLabel(e.provider) }),
      el('td', { text: e.name_masked || '' }),
      el('td', { class: 'mono', text: e.number_masked || '' }),
      el('td', {}, outcome),
      el('td', { class: 'mono small', text: code.join(' · ') }),
      el('td', { text: e.consent ? t(state.lang, 'yes') : '' }),
      el('td', { text: e.operator || '' }));
  }));
}

function resetHistory() {
  for (const id of ['#h-since', '#h-until', '#h-number', '#h-desk']) $(id).value = '';
  for (const id of ['#h-kind', '#h-outcome', '#h-provider']) $(id).value = '';
  loadHistory();
}

function exportHistory() {
  return reportIn($('#history-msg'), () => invoke('history_export', { filter: historyFilter() }), (r) => t(state.lang, 'history.exported', r));
}

// ---------- batch ----------

async function browseBatch(folder) {
  try {
    const p = await invoke('batch_browse', { folder });
    if (p) { $('#batch-path').value = p; await loadBatch(); }
  } catch (e) {
    state.batchError = asError(e);
    renderBatch();
  }
}

async function loadBatch() {
  if (state.batchBusy) return;
  state.batchBusy = true;
  state.batch = null;
  state.batchRows = [];
  state.batchResult = null;
  state.batchProgress = null;
  state.batchReading = null;
  state.batchError = null;
  $('#batch-consent').checked = false;
  $('#batch-again').checked = false;
  $('#batch-export-msg').textContent = '';
  renderBatch();
  try {
    const plan = await invoke('batch_load', { path: $('#batch-path').value.trim() });
    state.batch = plan;
    state.batchRows = plan.rows;
  } catch (e) {
    state.batchError = asError(e);
  } finally {
    state.batchBusy = false;
    state.batchReading = null;
    renderBatch();
  }
}

function batchGate() {
  const B = state.batch;
  if (!B) return 'batch.nothing';
  // After a run, only rows it did not send (cancelled) are left.
  // Rows answered in earlier batches are carried over, not paid again, unless 再次核验 is ticked.
  const again = !state.batchResult && $('#batch-again').checked ? B.reused || 0 : 0;
  const left = (state.batchResult ? state.batchResult.summary.pending : B.to_send) + again;
  if (!left) return 'batch.nothing';
  if (!$('#batch-consent').checked) return 'batch.need_consent';
  return null;
}

async function runBatch() {
  if (batchGate() || state.batchBusy) return;
  state.batchBusy = true;
  state.batchRunning = true;
  state.batchResult = null;
  state.batchError = null;
  state.batchProgress = { done: 0, total: state.batch.to_send, rate: 0, eta_secs: null, cancelling: false };
  renderBatch();
  try {
    const r = await invoke('batch_run', { consent: $('#batch-consent').checked, again: $('#batch-again').checked });
    state.batchRows = r.rows;
    state.batchResult = r;
  } catch (e) {
    state.batchError = asError(e);
  } finally {
    state.batchBusy = false;
    state.batchRunning = false;
    renderBatch();
  }
}

function onBatchRow(p) {
  state.batchRows[p.index] = p.line;
  const tr = document.querySelector(`#batch-rows tr[data-index="${p.index}"]`);
  if (tr) tr.replaceWith(batchRow(p.line, p.index));
}

function onBatchProgress(p) {
  if (p.cancelling) state.batchProgress = { ...(state.batchProgress || {}), cancelling: true };
  else state.batchProgress = p;
  renderBatchProgress();
}

function batchRow(l, i) {
  const verdict = l.verdict ? el('span', { class: `tag ${l.verdict}`, text: t(state.lang, `outcome.${l.verdict}`) }) : '';
  const note = pick(state.lang, l.message_zh || l.message_en ? { zh: l.message_zh, en: l.message_en } : null);
  const code = [l.vendor_code, l.request_id].filter(Boolean).join(' · ');
  return el('tr', { 'data-index': String(i), 'data-status': l.status },
    el('td', { text: String(l.row) }),
    el('td', { class: 'small', text: l.source }),
    el('td', { text: l.name }),
    el('td', { class: 'mono', text: l.number }),
    el('td', { class: `status ${l.status}`, text: t(state.lang, `bstatus.${l.status}`) }),
    el('td', {}, verdict),
    el('td', { class: 'small', text: code ? `${note} (${code})` : note }));
}

function renderBatchProgress() {
  const P = state.batchProgress;
  show($('#batch-progress'), !!P);
  if (!P) return;
  const bar = $('#batch-bar');
  bar.max = Math.max(1, P.total || 0);
  bar.value = P.done || 0;
  const text = P.cancelling
    ? t(state.lang, 'batch.cancelling')
    : t(state.lang, 'batch.progress', { done: P.done, total: P.total, rate: (P.rate || 0).toFixed(1), eta: P.eta_secs ?? '–' });
  $('#batch-progress-text').textContent = text;
}

function renderBatch() {
  const B = state.batch;
  const err = $('#batch-error');
  err.textContent = errorText(state.batchError);
  show(err, !!state.batchError);
  const reading = state.batchBusy && !state.batchRunning;
  show($('#batch-reading'), reading);
  $('#batch-reading-text').textContent = state.batchReading
    ? t(state.lang, 'batch.reading', state.batchReading)
    : t(state.lang, 'batch.loading');
  for (const id of ['#batch-load', '#batch-pick-folder', '#batch-pick-table']) $(id).disabled = state.batchBusy;
  show($('#batch-plan'), !!B);
  if (!B) return;
  $('#batch-summary').textContent = t(state.lang, 'batch.summary', {
    total: B.total, to_send: B.to_send, invalid: B.invalid, provider: pick(state.lang, B.provider_name),
    qps: B.qps.toFixed(1), secs: B.estimate_secs,
  });
  const notes = [];
  if (B.resumed) notes.push(t(state.lang, 'batch.resumed'));
  if (B.unknown) notes.push(t(state.lang, 'batch.unknown', { n: B.unknown }));
  if (B.reused && !state.batchResult) notes.push(t(state.lang, 'batch.previous', { n: B.reused }));
  $('#batch-resumed').textContent = notes.join(' ');
  show($('#batch-resumed'), notes.length > 0);
  show($('#batch-again-wrap'), !!B.reused && !state.batchResult);
  const why = batchGate();
  $('#batch-run').disabled = !!why || state.batchBusy;
  show($('#batch-cancel'), state.batchRunning);
  $('#batch-why').textContent = state.batchRunning ? '' : t(state.lang, why || 'batch.ready');
  renderBatchProgress();
  const done = $('#batch-done');
  const R = state.batchResult;
  if (R) {
    done.textContent = t(state.lang, R.cancelled ? 'batch.cancelled' : 'batch.done', R.summary) +
      (R.cancelled ? ' ' + t(state.lang, 'batch.done', R.summary) : '');
    done.className = 'note ' + (R.cancelled ? 'warning' : 'good');
  }
  show(done, !!R);
  for (const id of ['#batch-export-csv', '#batch-export-xlsx']) $(id).disabled = state.batchRunning;
  $('#batch-rows').replaceChildren(...state.batchRows.map((l, i) => batchRow(l, i)));
}

function exportBatch(format) {
  return reportIn($('#batch-export-msg'), () => invoke('batch_export', { format, reveal: $('#batch-reveal').checked }), (r) => t(state.lang, 'batch.exported', r));
}

// ---------- wiring ----------

function renderAll() {
  renderPhoto();
  renderChooser();
  renderForm();
  renderLocal();
  renderRegion();
  renderVerifyGate();
  renderVerdict();
  renderSettings();
  renderTeam();
  renderHistory();
  renderBatch();
}

// 生成复印件… (ui/copy.js): the photos stay in Rust; the dialog sends the purpose and operator.
let copyUi = null;

function wire() {
  copyUi = initCopy({
    invoke, t, pick, errorText, asError,
    lang: () => state.lang,
    settings: () => state.settings,
    hasPhoto: () => !!state.photo,
  });
  $('#lang-toggle').addEventListener('click', toggleLang);
  $('#file-input').addEventListener('change', fileInputChanged);
  $('#btn-open').addEventListener('click', openDialog);
  $('#btn-read').addEventListener('click', readCard);
  $('#btn-original').addEventListener('click', () => { state.showOriginal = !state.showOriginal; renderPhoto(); });
  $('#btn-cancel-ocr').addEventListener('click', () => invoke('cancel', { job: 'ocr' }).catch(() => {}));
  $('#btn-cancel-verify').addEventListener('click', () => invoke('cancel', { job: 'verify' }).catch(() => {}));
  $('#btn-verify').addEventListener('click', verify);
  $('#btn-record').addEventListener('click', recordCheck);
  $('#btn-clear').addEventListener('click', clearAll);
  $('#btn-reveal').addEventListener('click', () => { state.revealed = !state.revealed; renderForm(); });
  $('#consent').addEventListener('change', onConsentChanged);
  $('#btn-settings').addEventListener('click', () => openSettings(true));
  $('#btn-settings-close').addEventListener('click', () => openSettings(false));
  $('#btn-settings-save').addEventListener('click', saveSettings);
  for (const b of document.querySelectorAll('.tab')) b.addEventListener('click', () => showView(b.dataset.view));
  $('#history-filter').addEventListener('submit', (e) => { e.preventDefault(); loadHistory(); });
  $('#h-reset').addEventListener('click', resetHistory);
  $('#h-export').addEventListener('click', exportHistory);
  for (const id of ['#h-kind', '#h-outcome', '#h-provider']) $(id).addEventListener('change', loadHistory);
  for (const b of document.querySelectorAll('#history [data-scope]')) b.addEventListener('click', () => setHistoryScope(b.dataset.scope));
  $('#history-goto-team').addEventListener('click', () => {
    openSettings(true);
    $('#h-team').scrollIntoView({ block: 'start' });
    $('#team-url').focus();
  });
  $('#team-url').addEventListener('input', () => { state.teamUrlDirty = true; });
  $('#team-save').addEventListener('click', saveTeam);
  $('#team-join').addEventListener('click', joinTeam);
  $('#team-sync').addEventListener('click', syncTeam);
  $('#team-code').addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); joinTeam(); } });
  $('#team-password').addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); saveTeam(); } });
  // While Settings is open, the outbox and the last push stay current (the sender runs on its own).
  setInterval(() => { if (state.view === 'settings' && !state.teamBusy) loadTeam(); }, 10000);
  $('#batch-pick-folder').addEventListener('click', () => browseBatch(true));
  $('#batch-pick-table').addEventListener('click', () => browseBatch(false));
  $('#batch-load').addEventListener('click', loadBatch);
  $('#batch-path').addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); loadBatch(); } });
  $('#batch-run').addEventListener('click', runBatch);
  $('#batch-cancel').addEventListener('click', () => invoke('batch_cancel').catch(() => {}));
  for (const id of ['#batch-consent', '#batch-again']) $(id).addEventListener('change', renderBatch);
  $('#batch-export-csv').addEventListener('click', () => exportBatch('csv'));
  $('#batch-export-xlsx').addEventListener('click', () => exportBatch('xlsx'));
  for (const p of PROVIDERS) {
    $(`#save-key-${p}`).addEventListener('click', () => saveKey(p));
    $(`#del-key-${p}`).addEventListener('click', () => deleteKey(p));
    $(`#test-${p}`).addEventListener('click', () => testProvider(p));
  }
  for (const f of FIELDS) {
    $(`#f-${f}`).addEventListener(f === 'sex' ? 'change' : 'input', () => {
      state.typed.add(f);
      renderDoubt();
      // Another name or number is another holder (or a correction): the consent was not
      // given for it, and a verdict about the old one is stale.
      if (f === 'name' || f === 'number') {
        untickConsent();
        if (state.verdict) clearVerdict();
      }
      onFormChanged();
    });
  }
  $('#card-form').addEventListener('submit', (e) => { e.preventDefault(); verify(); });
  document.addEventListener('paste', onPaste);
  document.addEventListener('keydown', (e) => {
    if (e.altKey && ['1', '2', '3'].includes(e.key)) {
      e.preventDefault();
      showView(['main', 'history', 'batch'][Number(e.key) - 1]);
    } else if (e.key === 'Escape') {
      if (!$('#settings').hidden) openSettings(false);
      else if (state.view === 'batch' && state.batchRunning) invoke('batch_cancel').catch(() => {});
      else if (state.busyVerify) invoke('cancel', { job: 'verify' }).catch(() => {});
      else if (state.busyOcr) invoke('cancel', { job: 'ocr' }).catch(() => {});
    } else if (e.key === 'Enter' && e.target && e.target.id === 'consent') {
      verify();
    } else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'o') {
      e.preventDefault();
      openDialog();
    }
  });
  for (const ev of ['keydown', 'mousemove', 'mousedown', 'input']) document.addEventListener(ev, armIdle, { passive: true });
  // Drops are read in Rust (the window gets file paths); the page only hears the result.
  listen('photo-loaded', (e) => onPhotoLoaded(e.payload));
  listen('drag-state', (e) => $('#dropzone').classList.toggle('over', !!e.payload));
  listen('batch-reading', (e) => { state.batchReading = e.payload; renderBatch(); });
  listen('batch-row', (e) => onBatchRow(e.payload));
  listen('batch-progress', (e) => onBatchProgress(e.payload));
}

async function start() {
  wire();
  try {
    const info = await invoke('app_info');
    state.lang = info.lang;
    state.demo = !!info.demo;
    show($('#demo-badge'), state.demo);
    $('#version').textContent = `v${info.version}`;
  } catch (e) {
    $('#settings-msg').textContent = errorText(asError(e));
  }
  applyLang();
  armIdle();
  $('#f-name').focus();
  // Two frames on, the page has been painted: stamp it.
  requestAnimationFrame(() => requestAnimationFrame(() => invoke('page_ready', { paintedAt: Date.now() }).catch(() => {})));
  // The keys' status comes from the keychain, which can take a moment: after the first paint.
  try {
    state.settings = await invoke('settings');
    renderAll();
    armIdle();
  } catch (e) {
    $('#settings-msg').textContent = errorText(asError(e));
  }
  document.body.dataset.ready = '1';
}

start();
