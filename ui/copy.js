// 生成复印件…: the dialog that asks for the copy's purpose (and the operator, and an optional
// photo of the back) and has the copy made and saved in Rust. The photos stay in Rust: the
// page sends the purpose and the operator, and hears back what was saved. 打印… has the same
// copy made and recorded, gets its straightened cards back, and lays them out at true size in
// a view that only the printer sees (@media print in app.css), then opens the print dialog.

const PURPOSE_MAX = 40; // as the core's copy::PURPOSE_MAX: said here before anything is sent
const MARK_ROWS = 9; // rows of the watermark over each printed card: enough to cover it turned

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
    $('#copy-print').disabled = busy || !ctx.hasPhoto();
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

  /** Runs one way of making the copy (save or print) once the purpose is there: the dialog
   * busy meanwhile, what the clerk typed kept on an error. `action` returns the message to
   * show, or null when nothing was made. */
  const making = async (progress, action) => {
    const problem = purposeProblem();
    if (problem) {
      say(problem, '');
      purpose.focus();
      return;
    }
    busy = true;
    say(null, ctx.t(ctx.lang(), progress));
    render();
    try {
      say(null, (await action({ purpose: purpose.value, operator: operator.value })) || '');
    } catch (e) {
      // What the clerk typed stays; the message says what to change.
      say(ctx.errorText(ctx.asError(e)), '');
    } finally {
      busy = false;
      render();
    }
  };

  /** The message for a copy made, with why it was not recorded when it was not. */
  const madeMessage = (key, r, extra) => {
    let msg = ctx.t(ctx.lang(), key, { sides: ctx.pick(ctx.lang(), r.sides), statement: r.statement, ...extra });
    if (r.not_recorded) msg += ' ' + ctx.t(ctx.lang(), 'copy.not_recorded', { why: ctx.pick(ctx.lang(), r.not_recorded) });
    return msg;
  };

  const save = () =>
    making('copy.making', async (args) => {
      const r = await ctx.invoke('copy_save', args);
      if (!r) return null; // the clerk cancelled the save dialog: nothing made
      return madeMessage('copy.saved', r, { file: r.file, kb: r.kb });
    });

  /** The page the printer gets: the cards at 85.6 × 54 mm, front above back, the statement
   * repeated diagonally across each and once under them, as on the PDF. */
  const fillPrint = (r) => {
    const view = $('#print-view');
    const make = (tag, cls, text) => {
      const e = document.createElement(tag);
      e.className = cls;
      if (text != null) e.textContent = text;
      return e;
    };
    const line = Array(4).fill(r.statement).join('\u3000\u3000');
    const cards = r.cards.map((c) => {
      const card = make('div', 'print-card');
      card.dataset.side = c.side || 'unknown';
      const img = make('img', 'print-img');
      img.src = c.image;
      img.alt = '';
      const mark = make('div', 'print-mark');
      for (let i = 0; i < MARK_ROWS; i++) mark.append(make('p', '', line));
      card.append(img, mark);
      return card;
    });
    view.className = `print-view n${r.cards.length}`;
    view.replaceChildren(...cards, make('p', 'print-caption', r.statement));
    return Promise.all([...view.querySelectorAll('img')].map((i) => i.decode().catch(() => {})));
  };

  /** The card images leave the page once the dialog closes or the holder changes. */
  const clearPrint = () => {
    const view = $('#print-view');
    view.replaceChildren();
    view.className = 'print-view';
  };

  const print = () =>
    making('copy.printing', async (args) => {
      const r = await ctx.invoke('copy_print', args);
      await fillPrint(r);
      // Said before the print dialog, which may hold the page until it closes.
      const msg = madeMessage('copy.printed', r);
      say(null, msg);
      window.print();
      return msg;
    });

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
  $('#copy-print').addEventListener('click', print);
  dialog.addEventListener('close', clearPrint);
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
      clearPrint();
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
