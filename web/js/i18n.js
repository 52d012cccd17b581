// Every string of the interface, in Russian (default) and English. Elements
// carry `data-i18n` (text), `data-i18n-aria` (aria-label) or
// `data-i18n-title` (title) with a key of this dictionary.

export const DICT = {
  ru: {
    title: 'hexwatch — карта обращений',
    appName: 'hexwatch',
    langSwitch: 'English',
    langSwitchAria: 'Switch to English',
    loading: 'Загрузка…',
    ready: 'Готово',
    errorPrefix: 'Ошибка',
    mapLibMissing: 'Не удалось загрузить MapLibre. Выполните scripts/web-setup.sh (npm ci в web/) и перезагрузите страницу.',
    tilesError: 'Не удалось загрузить тайлы',
    notAvailable: 'Пока недоступно: сервер ещё не поддерживает этот раздел.',
    loadFailed: 'Не удалось загрузить данные',
    noData: 'Нет данных',
    tabFilters: 'Фильтры',
    tabHotspots: 'Горячие точки',
    tabDistricts: 'Районы',
    tabFixes: 'Меры',
    sectors: 'Отрасли',
    sectorsAll: 'Все',
    period: 'Период',
    from: 'С',
    to: 'По',
    presets: 'Быстрый выбор периода',
    presetDays30: '30 дней',
    presetQuarter: 'Квартал',
    presetYear: 'Год',
    presetAll: 'Всё время',
    granularity: 'Шаг',
    g_day: 'день',
    g_week: 'неделя',
    g_month: 'месяц',
    g_quarter: 'квартал',
    g_year: 'год',
    timeline: 'Шкала времени',
    play: 'Воспроизвести',
    pause: 'Пауза',
    wholeRange: 'Весь период',
    stepOf: 'Шаг {i} из {n}',
    tooManySteps: 'Слишком много шагов: выберите шаг крупнее',
    display: 'Отображение',
    opacity: 'Прозрачность',
    extrude: '3D-высота',
    compare: 'Сравнение периодов',
    compareHint: 'A: {a} · B: {b}. Рост — красный, снижение — синий.',
    compareUnavailable: 'Карта изменений пока недоступна на сервере.',
    legend: 'Легенда',
    legendCount: 'Обращений в ячейке',
    legendChange: 'Изменение (B − A)',
    legendEmpty: 'Нет ячеек в видимой области',
    export: 'Экспорт',
    exportCsv: 'CSV',
    exportGeojson: 'GeoJSON',
    exportCsvTitle: 'Скачать строки видимой области (ячейка, отрасль, период, число) в CSV',
    exportGeojsonTitle: 'Скачать ячейки видимой области в GeoJSON',
    copyLink: 'Ссылка',
    copyLinkTitle: 'Скопировать ссылку на этот вид',
    copied: 'Ссылка скопирована',
    cell: 'Ячейка',
    close: 'Закрыть',
    closePanel: 'Закрыть панель (Esc)',
    appeals: 'Обращений',
    bySector: 'По отраслям',
    series: 'Динамика',
    resolveMedian: 'Медиана времени решения',
    resolveP90: '90-й процентиль',
    hours: '{n} ч',
    days: '{n} дн.',
    repeatRate: 'Доля повторных (за {d} дн.)',
    fixesHere: 'Меры в ячейке',
    noFixes: 'Мер нет',
    exportCell: 'Выгрузить строки ячейки (CSV)',
    exportCellPoints: 'Обращения ячейки (GeoJSON)',
    cellNotInView: 'Ячейка не видна на этом масштабе',
    hotspotsTitle: 'Горячие точки в видимой области',
    hotspotsEmpty: 'Значимых горячих точек не найдено',
    z: 'z',
    class_new: 'новая',
    class_consecutive: 'последовательная',
    class_intensifying: 'усиливающаяся',
    class_persistent: 'устойчивая',
    class_diminishing: 'ослабевающая',
    class_sporadic: 'спорадическая',
    class_oscillating: 'колеблющаяся',
    class_historical: 'историческая',
    class_none: 'нет',
    district: 'Район',
    districtNone: 'Все районы',
    districtSummary: 'Сводка по району',
    previous: 'Предыдущий период',
    change: 'Изменение',
    topHotspots: 'Главные горячие точки',
    fixesTitle: 'Меры и их эффект',
    fixesEmpty: 'Меры ещё не внесены',
    verdict_stopped: 'прекратились',
    verdict_reduced: 'снизились',
    verdict_no_effect: 'без эффекта',
    verdict_worse: 'хуже',
    verdict_displaced: 'сместились',
    verdict_insufficient_data: 'мало данных',
    verdict_unknown: 'нет оценки',
    doneAt: 'выполнено {d}',
    mapAria: 'Карта обращений по шестиугольникам H3',
  },
  en: {
    title: 'hexwatch — appeals map',
    appName: 'hexwatch',
    langSwitch: 'Русский',
    langSwitchAria: 'Переключить на русский',
    loading: 'Loading…',
    ready: 'Ready',
    errorPrefix: 'Error',
    mapLibMissing: 'MapLibre could not be loaded. Run scripts/web-setup.sh (npm ci in web/) and reload the page.',
    tilesError: 'Tiles failed to load',
    notAvailable: 'Not available yet: the server does not offer this part so far.',
    loadFailed: 'Could not load the data',
    noData: 'No data',
    tabFilters: 'Filters',
    tabHotspots: 'Hotspots',
    tabDistricts: 'Districts',
    tabFixes: 'Fixes',
    sectors: 'Sectors',
    sectorsAll: 'All',
    period: 'Period',
    from: 'From',
    to: 'To',
    presets: 'Quick period choice',
    presetDays30: '30 days',
    presetQuarter: 'Quarter',
    presetYear: 'Year',
    presetAll: 'All time',
    granularity: 'Step',
    g_day: 'day',
    g_week: 'week',
    g_month: 'month',
    g_quarter: 'quarter',
    g_year: 'year',
    timeline: 'Timeline',
    play: 'Play',
    pause: 'Pause',
    wholeRange: 'Whole period',
    stepOf: 'Step {i} of {n}',
    tooManySteps: 'Too many steps: choose a coarser step',
    display: 'Display',
    opacity: 'Opacity',
    extrude: '3-D height',
    compare: 'Compare periods',
    compareHint: 'A: {a} · B: {b}. Increase red, decrease blue.',
    compareUnavailable: 'The change map is not available on the server yet.',
    legend: 'Legend',
    legendCount: 'Appeals per cell',
    legendChange: 'Change (B − A)',
    legendEmpty: 'No cells in view',
    export: 'Export',
    exportCsv: 'CSV',
    exportGeojson: 'GeoJSON',
    exportCsvTitle: 'Download the rows in view (cell, sector, period, count) as CSV',
    exportGeojsonTitle: 'Download the cells in view as GeoJSON',
    copyLink: 'Link',
    copyLinkTitle: 'Copy a link to this view',
    copied: 'Link copied',
    cell: 'Cell',
    close: 'Close',
    closePanel: 'Close the panel (Esc)',
    appeals: 'Appeals',
    bySector: 'By sector',
    series: 'Over time',
    resolveMedian: 'Median time to resolve',
    resolveP90: '90th percentile',
    hours: '{n} h',
    days: '{n} d',
    repeatRate: 'Repeat rate (within {d} days)',
    fixesHere: 'Fixes in the cell',
    noFixes: 'No fixes',
    exportCell: 'Export the cell’s rows (CSV)',
    exportCellPoints: 'The cell’s appeals (GeoJSON)',
    cellNotInView: 'The cell is not shown at this zoom',
    hotspotsTitle: 'Hotspots in view',
    hotspotsEmpty: 'No significant hotspots found',
    z: 'z',
    class_new: 'new',
    class_consecutive: 'consecutive',
    class_intensifying: 'intensifying',
    class_persistent: 'persistent',
    class_diminishing: 'diminishing',
    class_sporadic: 'sporadic',
    class_oscillating: 'oscillating',
    class_historical: 'historical',
    class_none: 'none',
    district: 'District',
    districtNone: 'All districts',
    districtSummary: 'District summary',
    previous: 'Previous period',
    change: 'Change',
    topHotspots: 'Top hotspots',
    fixesTitle: 'Fixes and their effect',
    fixesEmpty: 'No fixes recorded yet',
    verdict_stopped: 'stopped',
    verdict_reduced: 'reduced',
    verdict_no_effect: 'no effect',
    verdict_worse: 'worse',
    verdict_displaced: 'displaced',
    verdict_insufficient_data: 'too little data',
    verdict_unknown: 'not assessed',
    doneAt: 'done {d}',
    mapAria: 'Map of appeals per H3 hexagon',
  },
};

let lang = 'ru';

/** Sets the interface language ('ru' or 'en'). */
export function setLang(l) {
  lang = DICT[l] ? l : 'ru';
  document.documentElement.lang = lang;
}

/** The current language. */
export function getLang() {
  return lang;
}

/** The string `key` in the current language with `{name}` filled from `vars`. */
export function t(key, vars = {}, l = lang) {
  const s = DICT[l]?.[key] ?? DICT.ru[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));
}

/** A sector's (or any {name_ru, name_en}) display name. */
export function nameOf(o, l = lang) {
  return (l === 'en' ? o.name_en : o.name_ru) ?? o.code ?? '';
}

/** A number formatted for the current language. */
export function fmt(n, digits = 0) {
  return new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'ru-RU', {
    maximumFractionDigits: digits,
  }).format(n);
}

/** A local day 'YYYY-MM-DD' formatted for people. */
export function fmtDay(s) {
  const [y, m, d] = s.split('-').map(Number);
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'ru-RU', {
    day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC',
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** Fills every `data-i18n*` element under `root`. */
export function translate(root = document) {
  document.title = t('title');
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
}
