// Recording rules: what dashboards and alerts share. Thresholds per store are recorded here so
// that dashboards and alerts read them from one place (the config).
local lib = import 'lib.libsonnet';

{
  local config = $._config,
  local by = 'store, resource, source_region, target_region',

  // The SLO's error ratio of one store (or one resource of it) over a window: canaries later than
  // the SLO bound, or missed, among all canaries that arrived or were missed.
  local sloRatio(selector, seconds, window) = |||
    (
        sum by (%(by)s) (rate(replag_arrival_latency_seconds_count{%(sel)s}[%(w)s]))
      - sum by (%(by)s) (rate(replag_arrival_latency_seconds_bucket{%(sel)s, le=~"%(le)s"}[%(w)s]))
      + sum by (%(by)s) (rate(replag_canaries_missed_total{%(sel)s}[%(w)s]))
    )
    /
    (
        sum by (%(by)s) (rate(replag_arrival_latency_seconds_count{%(sel)s}[%(w)s]))
      + sum by (%(by)s) (rate(replag_canaries_missed_total{%(sel)s}[%(w)s]))
    )
  ||| % { by: by, sel: selector, w: window, le: lib.leRegex(seconds) },

  // One SLO per store, and per resource where configured: [{selector, seconds, objective}].
  local slos = [
    {
      local overridden = std.objectFields(config.resourceSlos),
      selector: 'store="%s"' % s.name + (if std.length(overridden) > 0 then ', resource!~"%s"' % lib.oneOf(overridden) else ''),
      labels: { store: s.name },
      seconds: s.slo.seconds,
      objective: s.slo.objective,
    }
    for s in lib.stores(config)
  ] + [
    { selector: 'resource="%s"' % r, labels: { resource: r }, seconds: config.resourceSlos[r].seconds, objective: config.resourceSlos[r].objective }
    for r in std.objectFields(config.resourceSlos)
  ],

  local sloRules(windows) = std.flattenArrays([
    [
      { record: 'replag:slo_errors:ratio_rate' + w, expr: sloRatio(slo.selector, slo.seconds, w), labels: slo.labels }
      for slo in slos
    ] + [
      // how fast the error budget burns: 1 spends exactly the budget over the SLO period
      { record: 'replag:slo_burn:rate' + w, expr: 'replag:slo_errors:ratio_rate%s{%s} / %s' % [w, slo.selector, lib.num(1 - slo.objective)], labels: slo.labels }
      for slo in slos
    ]
    for w in windows
  ]),

  prometheusRules+:: {
    groups+: [
      {
        name: 'replag-thresholds',
        rules: std.flattenArrays([
          [
            { record: 'replag:lag_threshold_seconds', expr: 'vector(%s)' % lib.num(s.lag.warning), labels: { store: s.name, threshold: 'warning' } },
            { record: 'replag:lag_threshold_seconds', expr: 'vector(%s)' % lib.num(s.lag.critical), labels: { store: s.name, threshold: 'critical' } },
            { record: 'replag:slo_threshold_seconds', expr: 'vector(%s)' % lib.num(s.slo.seconds), labels: { store: s.name } },
            { record: 'replag:slo_objective', expr: 'vector(%s)' % lib.num(s.slo.objective), labels: { store: s.name } },
          ]
          for s in lib.stores(config)
        ]) + [
          { record: 'replag:native_disagreement_threshold_seconds', expr: 'vector(%s)' % lib.num(config.nativeDisagreementSeconds) },
        ] + [
          // silence that counts as a stall: 1.5 probe intervals, and never less than the store's minimum
          {
            record: 'replag:stall_threshold_seconds',
            expr: 'clamp_min(1.5 * replag_probe_interval_seconds{%s, store="%s"}, %s)' % [config.jobSelector, s.name, lib.num(s.stallMinimumSeconds)],
            labels: { store: s.name },
          }
          for s in lib.stores(config)
        ],
      },
      {
        name: 'replag-recording',
        rules: [
          {
            record: 'replag:arrival_latency_seconds:p%s_5m' % q,
            expr: 'histogram_quantile(0.%s, sum by (%s, le) (rate(replag_arrival_latency_seconds_bucket[5m])))' % [q, by],
          }
          for q in ['50', '90', '99']
        ] + [
          // agents per region: the clock offset the two directions of a pair imply, if replication
          // is as fast both ways (half the difference of their mean latencies); for information
          {
            record: 'replag:clock_skew_estimate_seconds',
            local mean = |||
              sum by (%(by)s) (rate(replag_arrival_latency_seconds_sum{%(c)s!=""}[5m]))
                / sum by (%(by)s) (rate(replag_arrival_latency_seconds_count{%(c)s!=""}[5m]))
            ||| % { by: by, c: config.clusterLabel },
            expr: |||
              (
                %(mean)s
                - on (%(by)s)
                label_replace(label_replace(label_replace(
                  %(mean)s,
                  "swap", "$1", "source_region", "(.*)"), "source_region", "$1", "target_region", "(.*)"), "target_region", "$1", "swap", "(.*)")
              ) / 2
            ||| % { mean: std.stripChars(mean, '\n'), by: by },
          },
        ] + [
          // each pair on the scale of its store's thresholds: 0 to 1 below warning, 1 to 2 up to critical, 2 and above past it
          {
            record: 'replag:lag_severity',
            expr: |||
              clamp_max(replag_lag_seconds{store="%(s)s"} / %(w)s, 1)
              + clamp_min(clamp_max((replag_lag_seconds{store="%(s)s"} - %(w)s) / %(d)s, 1), 0)
              + clamp_min((replag_lag_seconds{store="%(s)s"} - %(c)s) / %(c)s, 0)
            ||| % { s: s.name, w: lib.num(s.lag.warning), c: lib.num(s.lag.critical), d: lib.num(s.lag.critical - s.lag.warning) },
            labels: { store: s.name },
          }
          for s in lib.stores(config)
        ] + [
          // RPO estimate: how much of a source region's writes another region may not have yet
          { record: 'replag:lag_seconds:max_by_source_region', expr: 'max by (store, resource, source_region) (replag_lag_seconds)' },
          // reads per canary: what each pair costs (the README's cost tables)
          {
            record: 'replag:reads_per_canary:rate1h',
            expr: |||
              sum by (store, resource, region) (rate(replag_store_call_duration_seconds_count{op="read"}[1h]))
              / on (store, resource, region)
              sum by (store, resource, region) (label_replace(rate(replag_canaries_written_total[1h]), "region", "$1", "target_region", "(.*)"))
            |||,
          },
        ],
      },
      // SLO error ratios and burn rates over the windows of the multiwindow, multi-burn-rate
      // alerts (Google SRE workbook, ch. 5); the long windows change slowly: evaluated every minute
      { name: 'replag-slo', rules: sloRules(['5m', '30m', '1h']) },
      { name: 'replag-slo-long', interval: '1m', rules: sloRules(['2h', '6h', '1d', '3d']) },
    ],
  },
}
