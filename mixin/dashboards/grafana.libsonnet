// A small Grafana library: just what replag's dashboards use, as plain JSON (schema 39).
{
  local ds = { type: 'prometheus', uid: '${datasource}' },

  target(expr, legend='', instant=false, format=null):: {
    refId: 'X',  // numbered by panel()
    datasource: ds,
    expr: expr,
    [if legend != '' then 'legendFormat']: legend,
    [if instant then 'instant']: true,
    [if format != null then 'format']: format,
  },

  // Threshold steps from [[value, colour], ...]; the first value is the base (null).
  steps(list):: { mode: 'absolute', steps: [{ color: s[1], value: s[0] } for s in list] },

  // Green below the store's warning, orange from it, red from its critical threshold.
  lagSteps(lag):: self.steps([[null, 'green'], [lag.warning, 'orange'], [lag.critical, 'red']]),

  panel(type, title, description, gridPos, targets, unit=null, defaults={}, options={}, overrides=[], extra={}):: {
    type: type,
    title: title,
    description: description,
    datasource: ds,
    gridPos: gridPos,
    targets: [targets[i] { refId: std.char(65 + i) } for i in std.range(0, std.length(targets) - 1)],
    fieldConfig: {
      defaults: (if unit != null then { unit: unit } else {}) + defaults,
      overrides: overrides,
    },
    options: options,
  } + extra,

  stat(title, description, gridPos, expr, unit=null, steps=null, noValueRed=false):: self.panel(
    'stat', title, description, gridPos, [self.target(expr, instant=true)], unit,
    defaults={
      color: { mode: 'thresholds' },
      [if steps != null then 'thresholds']: steps,
    } + (if noValueRed then {
           // a health figure without data is not a green zero: the exporter or the rules are gone
           noValue: 'no data',
           mappings: [{ type: 'special', options: { match: 'null', result: { color: 'red', text: 'no data' } } }],
         } else {}),
    options={ reduceOptions: { calcs: ['lastNotNull'] }, colorMode: 'background' },
  ),

  timeseries(title, description, gridPos, targets, unit=null, steps=null, thresholdLines=false, overrides=[], stack=false):: self.panel(
    'timeseries', title, description, gridPos, targets, unit,
    defaults={
      custom: {
        drawStyle: 'line',
        lineWidth: 1,
        fillOpacity: if stack then 30 else 0,
        showPoints: 'never',
        spanNulls: false,
        [if stack then 'stacking']: { mode: 'normal' },
        [if thresholdLines then 'thresholdsStyle']: { mode: 'line+area' },
      },
      [if steps != null then 'thresholds']: steps,
      [if steps != null then 'color']: { mode: 'palette-classic' },
    },
    options={ legend: { displayMode: 'table', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
    overrides=overrides,
  ),

  // A link to another dashboard that keeps the time range and sets variables from the clicked row.
  link(title, uid, vars):: {
    title: title,
    url: '/d/%s/%s?${__url_time_range}&var-datasource=${datasource}' % [uid, uid]
         + std.join('', ['&var-%s=${__data.fields.%s}' % [v, v] for v in vars]),
  },

  variable(name, label, query):: {
    name: name,
    label: label,
    type: 'query',
    datasource: ds,
    query: { query: query, refId: name },
    definition: query,
    refresh: 2,
    includeAll: true,
    multi: true,
    allValue: '.*',
    sort: 1,
    current: { selected: true, text: ['All'], value: ['$__all'] },
    hide: 0,
    options: [],
    regex: '',
  },

  datasourceVariable:: {
    name: 'datasource',
    label: 'Data source',
    type: 'datasource',
    query: 'prometheus',
    current: {},
    hide: 0,
    refresh: 1,
    regex: '',
    options: [],
  },

  // Annotations from PromQL: restarts and reloads mark the graphs.
  annotation(name, expr, colour):: {
    name: name,
    datasource: ds,
    enable: true,
    iconColor: colour,
    expr: expr,
    step: '60s',
    titleFormat: name,
    textFormat: '{{instance}}',
  },

  dashboard(uid, title, description, variables, panels, annotations=[]):: {
    uid: uid,
    title: title,
    description: description,
    tags: ['replag'],
    timezone: 'browser',
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: '10s',
    time: { from: 'now-1h', to: 'now' },
    timepicker: {},
    templating: { list: [$.datasourceVariable] + variables },
    annotations: { list: annotations },
    links: [{ type: 'dashboards', tags: ['replag'], asDropdown: false, title: 'replag', includeVars: true, keepTime: true }],
    panels: [panels[i] { id: i + 1 } for i in std.range(0, std.length(panels) - 1)],
  },
}
