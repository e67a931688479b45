// The main window: photo in, form, local checks, region, two-factor check, settings.
// All work happens in Rust behind `invoke`; this module only renders and forwards input.

import { t, pick, applyStatic } from './i18n.js';

const tauri = window.__TAURI__;
const invoke = tauri.core.invoke;
const listen = tauri.event.listen;

const $ = (sel) => document.querySelector(sel);
const FIELDS = ['name', 'number', 'sex', 'ethnicity', 'birth', 'address', 'issued_by', 'valid_from', 'valid_until'];

const state = {
  lang: 'zh',
  demo: false,
  settings: null,
  photo: null, // { preview, width, height, warnings, note }
  photoError: null, // Msg
  photoNote: null, // Msg
  ocr: null, // { provider, low: [] }
  local: null,
  region: null,
  verdict: null,
  verifyError: null,
  revealed: false,
  busyOcr: false,
  busyVerify: false,
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
  clearVerdict();
  state.photoError = null;
  state.photoNote = note || null;
  renderPhoto();
  try {
    state.photo = await invoke('load_photo', bytes);
  } catch (e) {
    state.photo = null;
    state.photoError = asError(e);
    renderPhoto();
    return;
  }
  renderPhoto();
  await readCard();
}

async function onPhotoLoaded(payload) {
  clearVerdict();
  state.photoError = payload.error || null;
  state.photoNote = payload.note || null;
  state.photo = payload.photo || null;
  renderPhoto();
  if (state.photo) await readCard();
}

async function readCard() {
  if (!state.photo) return;
  state.busyOcr = true;
  renderPhoto();
  try {
    const r = await invoke('read_card');
    state.ocr = r;
    fillForm(r.fields);
    invoke('perf_mark', { name: 'form-filled' }).catch(() => {});
  } catch (e) {
    state.photoError = asError(e);
  } finally {
    state.busyOcr = false;
    renderPhoto();
    renderForm();
    onFormChanged();
  }
}

function fillForm(f) {
  for (const k of FIELDS) {
    const v = f[k];
    if (v != null && v !== '') $(`#f-${k}`).value = v;
  }
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
  if (state.photo) {
    img.src = state.photo.preview;
    img.alt = t(state.lang, 'photo.title');
    show(img, true);
    show($('#drop-hint'), false);
  } else {
    img.removeAttribute('src');
    show(img, false);
    show($('#drop-hint'), true);
  }
  show($('#btn-read'), !!state.photo && !state.busyOcr);
  show($('#ocr-progress'), state.busyOcr);
  const warn = $('#photo-warnings');
  warn.replaceChildren(...((state.photo && state.photo.warnings) || []).map((w) => el('li', { text: pick(state.lang, w) })));
  const note = $('#photo-note');
  note.textContent = state.photoNote ? pick(state.lang, state.photoNote) : '';
  show(note, !!state.photoNote);
  const err = $('#photo-error');
  err.textContent = errorText(state.photoError);
  show(err, !!state.photoError);
}

// ---------- form and local checks ----------

function renderForm() {
  const low = (state.ocr && state.ocr.low) || [];
  for (const f of FIELDS) {
    const wrap = document.querySelector(`.field[data-field="${f}"]`);
    const isLow = low.includes(f);
    wrap.classList.toggle('low', isLow);
    $(`#f-${f}`).title = isLow ? t(state.lang, 'ocr.low') : '';
  }
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

const checkLocal = debounce(async () => {
  const f = fields();
  try {
    state.local = await invoke('check_local', { fields: f });
  } catch (e) {
    state.local = { error: asError(e) };
  }
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

async function recordCheck() {
  const msg = $('#record-msg');
  try {
    await invoke('record_check', { number: $('#f-number').value.trim() });
    msg.textContent = t(state.lang, 'local.recorded');
    msg.className = 'note good';
  } catch (e) {
    msg.textContent = errorText(asError(e));
    msg.className = 'error';
  }
}

function renderLocal() {
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
  const why = verifyGate();
  $('#btn-verify').disabled = !!why || state.busyVerify;
  $('#verify-why').textContent = state.busyVerify ? '' : t(state.lang, why || 'verify.ready');
  show($('#verify-progress'), state.busyVerify);
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
  try {
    const f = fields();
    state.verdict = await invoke('verify', { name: f.name, number: f.number, consent: $('#consent').checked });
    state.revealed = false;
  } catch (e) {
    state.verifyError = asError(e);
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
  for (const f of FIELDS) $(`#f-${f}`).value = '';
  $('#consent').checked = false;
  state.photo = null;
  state.photoError = null;
  state.photoNote = null;
  state.ocr = null;
  state.local = null;
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

function openSettings(on) {
  show($('#settings'), on);
  show($('#main'), !on);
  if (on) $('#sel-ocr').focus();
  else $('#btn-settings').focus();
}

// ---------- wiring ----------

function renderAll() {
  renderPhoto();
  renderForm();
  renderLocal();
  renderRegion();
  renderVerifyGate();
  renderVerdict();
  renderSettings();
}

function wire() {
  $('#lang-toggle').addEventListener('click', toggleLang);
  $('#file-input').addEventListener('change', fileInputChanged);
  $('#btn-open').addEventListener('click', openDialog);
  $('#btn-read').addEventListener('click', readCard);
  $('#btn-cancel-ocr').addEventListener('click', () => invoke('cancel', { job: 'ocr' }).catch(() => {}));
  $('#btn-cancel-verify').addEventListener('click', () => invoke('cancel', { job: 'verify' }).catch(() => {}));
  $('#btn-verify').addEventListener('click', verify);
  $('#btn-record').addEventListener('click', recordCheck);
  $('#btn-clear').addEventListener('click', clearAll);
  $('#btn-reveal').addEventListener('click', () => { state.revealed = !state.revealed; renderForm(); });
  $('#consent').addEventListener('change', renderVerifyGate);
  $('#btn-settings').addEventListener('click', () => openSettings(true));
  $('#btn-settings-close').addEventListener('click', () => openSettings(false));
  $('#btn-settings-save').addEventListener('click', saveSettings);
  for (const p of PROVIDERS) {
    $(`#save-key-${p}`).addEventListener('click', () => saveKey(p));
    $(`#del-key-${p}`).addEventListener('click', () => deleteKey(p));
    $(`#test-${p}`).addEventListener('click', () => testProvider(p));
  }
  for (const f of FIELDS) {
    $(`#f-${f}`).addEventListener('input', () => {
      if ((f === 'name' || f === 'number') && state.verdict) clearVerdict();
      onFormChanged();
    });
  }
  $('#card-form').addEventListener('submit', (e) => { e.preventDefault(); verify(); });
  document.addEventListener('paste', onPaste);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      if (!$('#settings').hidden) openSettings(false);
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
}

async function start() {
  wire();
  try {
    const info = await invoke('app_info');
    state.lang = info.lang;
    state.settings = info.settings;
    $('#version').textContent = `v${info.version}`;
  } catch (e) {
    $('#settings-msg').textContent = errorText(asError(e));
  }
  applyLang();
  armIdle();
  document.body.dataset.ready = '1';
  $('#f-name').focus();
  requestAnimationFrame(() => requestAnimationFrame(() => invoke('perf_mark', { name: 'first-paint' }).catch(() => {})));
}

start();
