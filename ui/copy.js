// 生成复印件…: the dialog that asks for the copy's purpose (and the operator, and an optional
// photo of the back) and has the copy made and saved in Rust. The photos stay in Rust: the
// page sends the purpose and the operator, and hears back what was saved.

const PURPOSE_MAX = 40; // as the core's copy::PURPOSE_MAX: said here before anything is sent

/**
 * Wires the dialog. `ctx` gives the page's helpers: { invoke, t, pick, lang(), settings(),
 * hasPhoto(), errorText(e), asError(e) }.
 */
export function initCopy(ctx) {
  const $ = (sel) => document.querySelector(sel);
  const dialog = $('#copy-dialog');
  const purpose = $('#copy-purpose');
  const operator = $('#copy-operator');
  let operatorTyped = false;
  let busy = false;
  let back = null; // { width, height } of the back's photo, kept in Rust

  const say = (err, msg) => {
    const e = $('#copy-error');
    e.textContent = err || '';
    e.hidden = !err;
    $('#copy-msg').textContent = msg || '';
  };

  const renderBack = () => {
    const info = $('#copy-back-info');
    info.hidden = !back;
    info.textContent = back ? ctx.t(ctx.lang(), 'copy.back.added', { w: back.width, h: back.height }) : '';
    $('#copy-back-remove').hidden = !back;
  };

  const render = () => {
    $('#copy-save').disabled = busy || !ctx.hasPhoto();
    renderBack();
  };

  /** The purpose as the core will take it, or the reason it will not (said at once). */
  const purposeProblem = () => {
    const p = purpose.value.trim();
    if (!p) return ctx.t(ctx.lang(), 'copy.need_purpose');
    const have = [...p].length;
    if (have > PURPOSE_MAX || /[\u0000-\u001f]/.test(p)) return ctx.t(ctx.lang(), 'copy.too_long', { n: PURPOSE_MAX, have });
    return null;
  };

  const open = () => {
    if (!ctx.hasPhoto()) return;
    // The operator comes from the settings until the clerk types another one for this copy.
    if (!operatorTyped) operator.value = (ctx.settings() && ctx.settings().operator) || '';
    say(null, '');
    render();
    if (!dialog.open) dialog.showModal();
    purpose.focus();
  };

  const save = async () => {
    const problem = purposeProblem();
    if (problem) {
      say(problem, '');
      purpose.focus();
      return;
    }
    busy = true;
    say(null, ctx.t(ctx.lang(), 'copy.making'));
    render();
    try {
      const r = await ctx.invoke('copy_save', { purpose: purpose.value, operator: operator.value });
      if (!r) { say(null, ''); return; } // the clerk cancelled the save dialog: nothing made
      let msg = ctx.t(ctx.lang(), 'copy.saved', { file: r.file, sides: ctx.pick(ctx.lang(), r.sides), kb: r.kb, statement: r.statement });
      if (r.not_recorded) msg += ' ' + ctx.t(ctx.lang(), 'copy.not_recorded', { why: ctx.pick(ctx.lang(), r.not_recorded) });
      say(null, msg);
    } catch (e) {
      // What the clerk typed stays; the message says what to change.
      say(ctx.errorText(ctx.asError(e)), '');
    } finally {
      busy = false;
      render();
    }
  };

  const addBack = async (ev) => {
    const file = ev.target.files && ev.target.files[0];
    if (!file) return;
    const buf = new Uint8Array(await file.arrayBuffer());
    ev.target.value = '';
    try {
      back = await ctx.invoke('copy_back', buf);
      say(null, '');
    } catch (e) {
      back = null;
      say(ctx.errorText(ctx.asError(e)), '');
    }
    render();
  };

  const removeBack = async () => {
    back = null;
    render();
    try { await ctx.invoke('copy_forget_back'); } catch (_) { /* dropped with the next photo anyway */ }
  };

  $('#btn-copy').addEventListener('click', open);
  $('#copy-save').addEventListener('click', save);
  $('#copy-close').addEventListener('click', () => dialog.close());
  $('#copy-back-input').addEventListener('change', addBack);
  $('#copy-back-remove').addEventListener('click', removeBack);
  operator.addEventListener('input', () => { operatorTyped = true; });
  purpose.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); save(); } });
  purpose.addEventListener('input', () => { if (!$('#copy-error').hidden && !purposeProblem()) say(null, ''); });

  return {
    /** A new holder (a new photo, 清空): the back and the typed operator belonged to the last one. */
    newHolder() {
      back = null;
      operatorTyped = false;
      if (dialog.open) dialog.close();
      render();
    },
    /** The photo came or went: the button follows it. */
    render() {
      $('#btn-copy').disabled = !ctx.hasPhoto();
      render();
    },
  };
}
