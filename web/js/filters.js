// The filter controls: sectors, period with presets, granularity, the time
// slider with play/pause, opacity, 3-D and compare. They read and write the
// app's state through `app.update(patch)`.

import { $, fill, h } from './dom.js';
import { fmtDay, nameOf, t } from './i18n.js';
import { GRANULARITIES, preset } from './periods.js';
import { METRICS } from './state.js';

/** How long each period stays on screen while playing, at least (ms). */
const PLAY_MS = 1200;

export function initFilters(app) {
  const st = () => app.state;

  $('sectors-all').addEventListener('click', () => app.update({ sectors: [] }));
  $('sector-list').addEventListener('change', () => {
    const codes = [...document.querySelectorAll('#sector-list input:checked')].map((i) => i.value);
    // All ticked is the same as no sector filter: keep URLs and tiles short.
    app.update({ sectors: codes.length === app.sectors.length ? [] : codes });
  });

  const dates = () => {
    const from = $('from').value;
    const to = $('to').value;
    if (from && to && from <= to) app.update({ from, to, step: null });
  };
  $('from').addEventListener('change', dates);
  $('to').addEventListener('change', dates);
  for (const b of document.querySelectorAll('[data-preset]')) {
    b.addEventListener('click', () => {
      const d = app.cfg.data;
      app.update({ ...preset(b.dataset.preset, d.last_day, d.first_day), step: null });
    });
  }
  $('granularity').addEventListener('change', (e) => app.update({ granularity: e.target.value, step: null }));
  $('slider').addEventListener('input', (e) => app.update({ step: Number(e.target.value) }));
  $('whole').addEventListener('click', () => { stop(); app.update({ step: null }); });
  $('opacity').addEventListener('input', (e) => app.update({ opacity: Number(e.target.value) }, { layer: false }));
  $('extrude').addEventListener('change', (e) => app.update({ extrude: e.target.checked }, { layer: false }));
  $('metric').addEventListener('change', (e) => app.update({ metric: e.target.value }));
  $('compare').addEventListener('change', (e) => app.update({ compare: e.target.checked }));

  let timer = null;
  const stop = () => {
    clearInterval(timer);
    timer = null;
    $('play').setAttribute('aria-pressed', 'false');
    $('play').textContent = t('play');
  };
  $('play').addEventListener('click', () => {
    if (timer) return stop();
    if (!app.steps?.length) return;
    $('play').setAttribute('aria-pressed', 'true');
    $('play').textContent = t('pause');
    const tick = () => {
      // Never outrun loading: the next period waits until this one is drawn.
      if (app.hex?.busy()) return;
      const n = app.steps.length;
      app.update({ step: st().step == null ? 0 : (st().step + 1) % n });
    };
    tick();
    timer = setInterval(tick, PLAY_MS);
  });
  app.stopPlaying = stop;
}

/** Syncs every filter control with the state (after a change, a new hash or language). */
export function renderFilters(app) {
  const s = app.state;
  const on = new Set(s.sectors.length ? s.sectors : app.sectors.map((x) => x.code));
  fill($('sector-list'), app.sectors.map((sec) => h('li', {},
    h('label', {},
      h('input', { type: 'checkbox', value: sec.code, checked: on.has(sec.code) }),
      h('span', { class: 'swatch', style: `background:${sec.color}` }),
      nameOf(sec)))));
  const d = app.cfg.data;
  for (const id of ['from', 'to']) {
    $(id).value = s[id] ?? '';
    if (d.first_day) $(id).min = d.first_day;
    if (d.last_day) $(id).max = d.last_day;
  }
  fill($('granularity'), GRANULARITIES.map((g) => h('option', { value: g, selected: g === s.granularity }, t(`g_${g}`))));
  const n = app.steps?.length ?? 0;
  $('slider').max = String(Math.max(0, n - 1));
  $('slider').value = String(s.step ?? 0);
  $('slider').disabled = n === 0;
  $('play').disabled = n === 0;
  $('whole').disabled = s.step == null;
  const label = $('step-label');
  if (app.steps == null) label.textContent = t('tooManySteps');
  else if (s.step != null && app.steps[s.step]) {
    const p = app.steps[s.step];
    label.textContent = `${t('stepOf', { i: s.step + 1, n })}: ${fmtDay(p.from)} – ${fmtDay(p.to)}`;
  } else label.textContent = s.from ? `${t('wholeRange')}: ${fmtDay(s.from)} – ${fmtDay(s.to)}` : '';
  $('opacity').value = String(s.opacity);
  $('extrude').checked = s.extrude;
  const metric = $('metric');
  if (metric.options.length !== METRICS.length) {
    metric.replaceChildren(...METRICS.map((m) => h('option', { value: m }, t(`metric_${m}`))));
  }
  for (const o of metric.options) o.textContent = t(`metric_${o.value}`);
  metric.value = s.metric;
  $('compare').checked = s.compare;
  $('play').textContent = $('play').getAttribute('aria-pressed') === 'true' ? t('pause') : t('play');
}
