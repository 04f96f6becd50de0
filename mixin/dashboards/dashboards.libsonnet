// The three dashboards, coloured against each store's own thresholds (config.libsonnet).
local g = import 'grafana.libsonnet';
local lib = import '../lib.libsonnet';

{
  local config = $._config,
  local stores = lib.stores(config),
  local pairSel = 'store=~"$store", resource=~"$resource", source_region=~"$source_region", target_region=~"$target_region"',
  local setSel = 'store=~"$store", resource=~"$resource"',
  local pairLegend = '{{store}}/{{resource}} {{source_region}} -> {{target_region}}',
  local setLink = g.link('Replication set', 'replag-replication-set', []),

  // Per-store colours and threshold lines on panels whose series are named store/resource ...
  local perStore = [
    {
      matcher: { id: 'byRegexp', options: '^%s/.*' % s.name },
      properties: [{ id: 'thresholds', value: g.lagSteps(s.lag) }],
    }
    for s in stores
  ],

  local pairVariables = [
    g.variable('store', 'Store', 'label_values(replag_up, store)'),
    g.variable('resource', 'Replication set', 'label_values(replag_up{store=~"$store"}, resource)'),
    g.variable('source_region', 'Source region', 'label_values(replag_lag_seconds{store=~"$store", resource=~"$resource"}, source_region)'),
    g.variable('target_region', 'Target region', 'label_values(replag_lag_seconds{store=~"$store", resource=~"$resource"}, target_region)'),
  ],

  local annotations = [
    g.annotation('replag restarted', 'changes(process_start_time_seconds{%s}[2m]) > 0' % config.jobSelector, 'orange'),
    g.annotation('configuration reloaded', 'changes(replag_config_reloads_total{%s}[2m]) > 0' % config.jobSelector, 'blue'),
  ],

  local matrices = [
    local s = stores[i];
    g.panel('table', '%s: lag now, replication set and source (rows) x target (columns)' % s.name,
            'Lag now of every %s pair, coloured against the %s thresholds (warning %s s, critical %s s). A cell links to the pair.'
            % [s.name, s.name, s.lag.warning, s.lag.critical],
            { x: (i % 2) * 12, y: 4 + std.floor(i / 2) * 8, w: 12, h: 8 },
            [g.target('max by (from, target_region) (label_join(replag_lag_seconds{store="%s", resource=~"$resource", source_region=~"$source_region", target_region=~"$target_region"}, "from", " ", "resource", "source_region"))' % s.name,
                      instant=true, format='table')],
            's',
            defaults={
              thresholds: g.lagSteps(s.lag),
              color: { mode: 'thresholds' },
              custom: { cellOptions: { type: 'color-background' }, align: 'center' },
              links: [g.link('Open the replication set', 'replag-replication-set', []) {
                // the time range and the other variables as they are, the store of this matrix
                url: '/d/replag-replication-set/replag-replication-set?${__url_time_range}&${datasource:queryparam}&var-store=%s&${resource:queryparam}&${source_region:queryparam}&${target_region:queryparam}' % s.name,
              }],
            },
            options={ showHeader: true },
            extra={ transformations: [{ id: 'groupingToMatrix', options: { columnField: 'target_region', rowField: 'from', valueField: 'Value', emptyValue: 'null' } }] })
    for i in std.range(0, std.length(stores) - 1)
  ],
  local below = 4 + std.ceil(std.length(stores) / 2) * 8,

  grafanaDashboards+:: {
    'replag-overview.json': g.dashboard('replag-overview', 'replag / Overview',
      'Replication lag of every store, measured by canaries, each store against its own thresholds.', pairVariables, [
        g.stat('Worst pair against its thresholds', 'The worst pair on the scale of its own store: 0 to 1 below the warning threshold, 1 to 2 between warning and critical, 2 and above past critical.',
               { x: 0, y: 0, w: 4, h: 4 }, 'max(replag:lag_severity{%s})' % pairSel, 'none',
               g.steps([[null, 'green'], [1, 'orange'], [2, 'red']]), noValueRed=true),
        g.stat('Exporters up', 'replag processes Prometheus scrapes now. Red, with no data, when none is scraped.',
               { x: 4, y: 0, w: 4, h: 4 }, 'sum(up{%s})' % config.jobSelector, 'none', g.steps([[null, 'red'], [1, 'green']]), noValueRed=true),
        g.stat('Endpoints down', 'Store endpoints whose last canary call failed. No data (red) when replag is not scraped.',
               { x: 8, y: 0, w: 4, h: 4 }, 'count(replag_up{%s} == 0) or (count(replag_up{%s}) * 0)' % [setSel, setSel], 'none',
               g.steps([[null, 'green'], [1, 'red']]), noValueRed=true),
        g.stat('Longest writer silence', 'The longest time since a source region had a canary acknowledged: a writer that fails while its region still answers reads shows here.',
               { x: 12, y: 0, w: 4, h: 4 }, 'max(time() - replag_writer_last_success_timestamp_seconds{%s})' % setSel, 's',
               g.steps([[null, 'green'], [30, 'orange'], [60, 'red']]), noValueRed=true),
        g.stat('Worst SLO burn (1 h)', "How fast the worst pair spends its store's arrival error budget: 1 spends it exactly over 30 days, 14.4 pages.",
               { x: 16, y: 0, w: 4, h: 4 }, 'max(replag:slo_burn:rate1h{%s})' % pairSel, 'none',
               g.steps([[null, 'green'], [1, 'orange'], [14.4, 'red']]), noValueRed=true),
        g.stat('Alerts firing', 'replag alerts firing now, the watchdog aside. No data (red) when the rules are not evaluated (the watchdog is missing).',
               { x: 20, y: 0, w: 4, h: 4 },
               'count(ALERTS{alertname=~"Replag.*", alertname!="ReplagWatchdog", alertstate="firing"}) or (count(ALERTS{alertname="ReplagWatchdog"}) * 0)',
               'none', g.steps([[null, 'green'], [1, 'red']]), noValueRed=true),
      ] + matrices + [
        g.panel('bargauge', 'Worst pairs: lag now', 'The ten pairs with the largest lag now, each coloured against its store thresholds; a bar links to its replication set.',
                { x: 0, y: below, w: 12, h: 8 }, [g.target('topk(10, replag_lag_seconds{%s})' % pairSel, pairLegend, instant=true)], 's',
                defaults={ color: { mode: 'thresholds' }, thresholds: g.lagSteps(stores[0].lag),
                           links: [g.link('Open the replication set', 'replag-replication-set', []) {
                             url: '/d/replag-replication-set/replag-replication-set?${__url_time_range}&${datasource:queryparam}&var-store=${__field.labels.store}&var-resource=${__field.labels.resource}&var-source_region=${__field.labels.source_region}&var-target_region=${__field.labels.target_region}',
                           }] },
                options={ orientation: 'horizontal', displayMode: 'gradient', reduceOptions: { calcs: ['lastNotNull'] } }, overrides=perStore),
        g.panel('table', 'Alerts firing, and since when', 'Every replag alert pending or firing, with the time it became active.',
                { x: 12, y: below, w: 12, h: 8 },
                // ALERTS_FOR_STATE holds the Unix second each alert became active; Grafana's dates are in ms
                [g.target('1000 * max by (alertname, severity, store, resource, source_region, target_region, region) (ALERTS_FOR_STATE{alertname=~"Replag.*"})', instant=true, format='table')],
                'dateTimeFromNow', options={ showHeader: true, sortBy: [{ displayName: 'Value', desc: false }] },
                extra={ transformations: [{ id: 'organize', options: { excludeByName: { Time: true }, renameByName: { Value: 'active since' } } }] }),
        g.timeseries('Lag now per pair', 'Lag now of every pair, with its store thresholds drawn (a line per store).',
                     { x: 0, y: below + 8, w: 12, h: 8 }, [g.target('replag_lag_seconds{%s}' % pairSel, pairLegend)], 's',
                     steps=g.lagSteps(stores[0].lag), thresholdLines=true, overrides=perStore),
        g.timeseries('Arrival SLO burn rate (1 h)', "Each pair against its store's arrival SLO: 1 spends the 30-day budget exactly; 14.4 (with the 5-minute window) pages.",
                     { x: 12, y: below + 8, w: 12, h: 8 }, [g.target('replag:slo_burn:rate1h{%s}' % pairSel, pairLegend)], 'none',
                     steps=g.steps([[null, 'green'], [1, 'orange'], [14.4, 'red']]), thresholdLines=true),
        g.timeseries('Canaries missed', 'Canaries not seen in the target before their deadline.', { x: 0, y: below + 16, w: 12, h: 8 },
                     [g.target('sum by (store, resource, source_region, target_region) (increase(replag_canaries_missed_total{%s}[$__rate_interval]))' % pairSel, pairLegend)], 'none'),
        g.timeseries('RPO estimate: worst lag per source region', 'What a region may lose if it failed now: the worst lag of its writes anywhere.',
                     { x: 12, y: below + 16, w: 12, h: 8 },
                     [g.target('replag:lag_seconds:max_by_source_region{store=~"$store", resource=~"$resource", source_region=~"$source_region"}', '{{store}}/{{resource}} {{source_region}}')], 's'),
        g.panel('table', 'Endpoints', 'Every store endpoint: 1 if its last canary call worked.', { x: 0, y: below + 24, w: 12, h: 7 },
                [g.target('replag_up{%s}' % setSel, instant=true, format='table')], 'none',
                defaults={ thresholds: g.steps([[null, 'red'], [1, 'green']]), color: { mode: 'thresholds' }, custom: { cellOptions: { type: 'color-background' } } },
                options={ showHeader: true },
                extra={ transformations: [{ id: 'organize', options: { excludeByName: { Time: true, __name__: true, job: true, instance: true }, renameByName: { Value: 'up' } } }] }),
        g.timeseries('Time since each writer last wrote', 'Seconds since each source region had a canary acknowledged: above 5 intervals (at least 60 s), ReplagCanaryWriterSilent pages.',
                     { x: 12, y: below + 24, w: 12, h: 7 }, [g.target('time() - replag_writer_last_success_timestamp_seconds{%s}' % setSel, '{{store}}/{{resource}} {{region}}')], 's',
                     steps=g.steps([[null, 'green'], [60, 'red']]), thresholdLines=true),
      ], annotations),

    'replag-replication-set.json': g.dashboard('replag-replication-set', 'replag / Replication set',
      "One replication set's pairs in detail, against its store's thresholds.", pairVariables, [
        g.timeseries('Lag now', 'Age of the oldest unseen canary, or the last arrival latency if larger; the store thresholds drawn.',
                     { x: 0, y: 0, w: 12, h: 8 }, [g.target('replag_lag_seconds{%s}' % pairSel, pairLegend)], 's',
                     steps=g.lagSteps(stores[0].lag), thresholdLines=true, overrides=perStore),
        g.timeseries('Arrival latency p50 / p90 / p99 (5 m)', 'From the arrival-latency histogram (recording rules).', { x: 12, y: 0, w: 12, h: 8 },
                     [g.target('replag:arrival_latency_seconds:p%s_5m{%s}' % [q, pairSel], 'p%s {{source_region}} -> {{target_region}}' % q) for q in ['50', '90', '99']], 's'),
        g.timeseries('Canary against native figure', "replag's canary lag beside the store's own figure for the same pair.", { x: 0, y: 8, w: 12, h: 8 }, [
          g.target('replag_lag_seconds{%s}' % pairSel, 'canary {{source_region}} -> {{target_region}}'),
          g.target('replag_native_lag_seconds{%s}' % pairSel, 'native ({{source_metric}}) {{source_region}} -> {{target_region}}'),
        ], 's'),
        g.timeseries('Measurement uncertainty', 'The width of the interval that holds the last arrival; the latency reported is its middle.', { x: 12, y: 8, w: 12, h: 8 },
                     [g.target('replag_measurement_uncertainty_seconds{%s}' % pairSel, '{{source_region}} -> {{target_region}}')], 's'),
        g.timeseries('Canaries per second', 'Written = arrived + missed + in flight.', { x: 0, y: 16, w: 12, h: 8 }, [
          g.target('sum by (source_region, target_region) (rate(replag_canaries_%s_total{%s}[$__rate_interval]))' % [c, pairSel], '%s {{source_region}} -> {{target_region}}' % c)
          for c in ['written', 'arrived', 'missed']
        ], 'ops'),
        g.timeseries('Store errors by operation and reason', 'Failed store calls (write, read, native, status, prepare) by reason.', { x: 12, y: 16, w: 12, h: 8 },
                     [g.target('sum by (region, op, reason) (rate(replag_errors_total{%s}[$__rate_interval]))' % setSel, '{{region}} {{op}} {{reason}}')], 'ops'),
        g.timeseries('Endpoint up', '1 if the last canary call to the endpoint worked.', { x: 0, y: 24, w: 12, h: 6 },
                     [g.target('replag_up{%s}' % setSel, '{{region}}')]),
        g.timeseries('Time since last write / last arrival', 'A stale last write is a failing writer; a stale last arrival with fresh writes is a stall.', { x: 12, y: 24, w: 12, h: 6 }, [
          g.target('time() - replag_last_write_timestamp_seconds{%s}' % pairSel, 'since write {{source_region}} -> {{target_region}}'),
          g.target('time() - replag_last_arrival_timestamp_seconds{%s}' % pairSel, 'since arrival {{source_region}} -> {{target_region}}'),
        ], 's'),
        g.panel('state-timeline', 'Source replication status (S3 x-amz-replication-status of the newest canary)',
                "The store's own status of each source region's newest canary: PENDING while on its way, COMPLETED once every destination has it, FAILED when S3 gave up (it does not retry; ReplagReplicationFailed pages). NONE: no replication rule covers the canary prefix. Only stores that keep a status (S3) have this.",
                { x: 0, y: 30, w: 12, h: 6 }, [g.target('replag_replication_status{%s} == 1' % setSel, '{{region}} {{status}}')]),
        g.timeseries('Native operation counts (S3 pending / failed replication)',
                     'CloudWatch AWS/S3 OperationsPendingReplication (maximum per minute) and OperationsFailedReplication (sum per minute) for each rule with a rule_id, as the store reports them; minutes late, for comparison with the canary.',
                     { x: 12, y: 30, w: 12, h: 6 }, [g.target('replag_native_operations{%s}' % pairSel, '{{source_region}} -> {{target_region}} {{source_metric}}')], 'short'),
        g.timeseries('Replication stream still to receive (bytes, the store\'s own figure)',
                     "The primary's replication offset minus the replica's, as the servers report them (INFO replication): what the replica has not received yet. It grows while a link is paused or down; it says nothing of how late the data is (the canary does). Only stores whose servers report offsets have it.",
                     { x: 0, y: 52, w: 12, h: 8 }, [g.target('replag_native_lag_bytes{%s}' % pairSel, '{{source_region}} -> {{target_region}} {{source_metric}}')], 'bytes'),
        g.timeseries('Convergence of concurrent writes (sets with a writer in every region)',
                     "The convergence probe: two regions write one key; the time until every region shows one value (p50 and max over 15 m), and divergent (1 while they still disagree past the deadline: ReplagDivergent). Only sets with convergence configured.",
                     { x: 12, y: 52, w: 12, h: 8 }, [
                       g.target('histogram_quantile(0.5, sum by (le) (rate(replag_convergence_seconds_bucket{%s}[15m])))' % setSel, 'p50'),
                       g.target('max_over_time(replag_convergence_seconds_max{%s}[15m])' % setSel, 'max'),
                       g.target('replag_divergent{%s}' % setSel, 'divergent'),
                     ], 's'),
        g.timeseries('Last burst: share visible at read-after',
                     "replag burst (docs/burst.md): of the records written in the source, the share each target showed at read-after (e.g. 500 ms after each write). The last run's figures, kept for 30 days.",
                     { x: 0, y: 60, w: 8, h: 8 }, [g.target('last_over_time(replag_burst_visible_ratio{%s}[30d])' % pairSel, '{{source_region}} -> {{target_region}}')], 'percentunit'),
        g.timeseries('Last burst: lost records',
                     'Records of the last burst still missing in a target at its deadline, while the target answered reads (ReplagBurstLostRecords pages on any).',
                     { x: 8, y: 60, w: 8, h: 8 }, [g.target('last_over_time(replag_burst_lost_records{%s}[30d])' % pairSel, '{{source_region}} -> {{target_region}}')], 'none',
                     steps=g.steps([[null, 'green'], [1, 'red']]), thresholdLines=true),
        g.timeseries('Last burst: replication latency of its records',
                     'p50, p99 and max of the latency of the last burst\'s records that arrived (each between the last read that missed it and the first that saw it).',
                     { x: 16, y: 60, w: 8, h: 8 }, [
                       g.target('last_over_time(replag_burst_latency_seconds{%s, quantile="%s"}[30d])' % [pairSel, q], '%s {{source_region}} -> {{target_region}}' % n)
                       for n_q in [['p50', '0.5'], ['p99', '0.99'], ['max', '1']] for n in [n_q[0]] for q in [n_q[1]]
                     ], 's'),
        g.timeseries('Distance to each region (median store call, 5 m)',
                     "Median duration of canary reads and writes per endpoint: the round trip from replag to the region plus the store's own time. With server clocks (SQL) it does not widen the intervals; with replag's clock (DynamoDB, S3) it does.",
                     { x: 0, y: 36, w: 12, h: 8 },
                     [g.target('histogram_quantile(0.5, sum by (region, op, le) (rate(replag_store_call_duration_seconds_bucket{%s, op=~"read|write"}[5m])))' % setSel, '{{op}} {{region}}')], 's'),
        g.timeseries("Age of each target's newest canary",
                     "Now minus the write time of the newest canary seen in the target, read at least once an interval even while the source writes nothing: with the primary down, how old each replica's data is.",
                     { x: 12, y: 36, w: 12, h: 8 }, [g.target('time() - replag_target_data_timestamp_seconds{%s}' % pairSel, '{{source_region}} -> {{target_region}}')], 's'),
        g.timeseries('Reads per canary (1 h)', 'Canary reads in each target region per canary written for it: what each pair costs (the README cost tables reckon with these).',
                     { x: 0, y: 44, w: 12, h: 8 }, [g.target('replag:reads_per_canary:rate1h{%s}' % setSel, '{{region}}')], 'none'),
        g.timeseries('Time since each writer last wrote', 'Seconds since each source region had a canary acknowledged.',
                     { x: 12, y: 44, w: 12, h: 8 }, [g.target('time() - replag_writer_last_success_timestamp_seconds{%s}' % setSel, '{{region}}')], 's',
                     steps=g.steps([[null, 'green'], [60, 'red']]), thresholdLines=true),
      ], annotations),

    'replag-exporter.json': g.dashboard('replag-exporter', 'replag / Exporter', 'The replag process itself.', [
      g.variable('job', 'Job', 'label_values(replag_build_info, job)'),
    ], [
      g.stat('Exporters up', 'replag processes Prometheus scrapes now; red, with no data, when none is.', { x: 0, y: 0, w: 6, h: 4 },
             'sum(up{job=~"$job"})', 'none', g.steps([[null, 'red'], [1, 'green']]), noValueRed=true),
      g.timeseries('Scrape duration', 'How long Prometheus takes to scrape /metrics.', { x: 6, y: 0, w: 9, h: 8 },
                   [g.target('scrape_duration_seconds{job=~"$job"}', '{{instance}}')], 's'),
      g.timeseries('Probe loop delay (p99 of write schedule delay)', "How late canary writes run against their plan: the engine loop's own delay.", { x: 15, y: 0, w: 9, h: 8 },
                   [g.target('histogram_quantile(0.99, sum by (instance, le) (rate(replag_write_schedule_delay_seconds_bucket{job=~"$job"}[$__rate_interval])))', '{{instance}}')], 's'),
      g.stat('Restarts (30 m)', 'Process starts in the last 30 minutes: 3 or more warns (ReplagExporterRestarting).', { x: 0, y: 4, w: 6, h: 4 },
             'max(changes(process_start_time_seconds{job=~"$job"}[30m]))', 'none', g.steps([[null, 'green'], [1, 'orange'], [3, 'red']]), noValueRed=true),
      g.timeseries('Store errors by reason', 'Failed store calls of every set, by store and reason.', { x: 0, y: 8, w: 12, h: 8 },
                   [g.target('sum by (store, reason) (rate(replag_errors_total{job=~"$job"}[$__rate_interval]))', '{{store}} {{reason}}')], 'ops'),
      g.timeseries('CPU', 'Process CPU use (1 = one core).', { x: 12, y: 8, w: 12, h: 8 }, [g.target('process_cpu_usage{job=~"$job"}', '{{instance}}')], 'percentunit'),
      g.timeseries('JVM heap', 'Heap used and its maximum.', { x: 0, y: 16, w: 12, h: 8 }, [
        g.target('sum by (instance) (jvm_memory_used_bytes{job=~"$job", area="heap"})', 'used {{instance}}'),
        g.target('sum by (instance) (jvm_memory_max_bytes{job=~"$job", area="heap"})', 'max {{instance}}'),
      ], 'bytes'),
      g.timeseries('GC pause time per second', 'Time spent in garbage-collection pauses.', { x: 12, y: 16, w: 12, h: 8 },
                   [g.target('sum by (instance, gc) (rate(jvm_gc_pause_seconds_sum{job=~"$job"}[$__rate_interval]))', '{{instance}} {{gc}}')], 's'),
      g.timeseries('Threads and open files', 'Live threads and open file descriptors: both stay flat in a healthy exporter.', { x: 0, y: 24, w: 12, h: 7 }, [
        g.target('jvm_threads_live_threads{job=~"$job"}', 'threads {{instance}}'),
        g.target('process_files_open_files{job=~"$job"}', 'open files {{instance}}'),
      ], 'none'),
      g.timeseries('Clock error bound', "Each agent's clock error bound (chrony's, or agent.clock.max_error): agents per region add it to every interval.",
                   { x: 12, y: 24, w: 12, h: 7 }, [g.target('replag_clock_error_bound_seconds{job=~"$job"}', '{{instance}} {{%s}}' % config.clusterLabel)], 's'),
      g.timeseries('Reads per canary by store (1 h)', "Canary reads per canary written, each store's pairs together: what the poll schedule costs (README's cost tables reckon ~4 at a second; 10 or more means the schedule has not learned the pairs, or their delays swing).",
                   { x: 0, y: 31, w: 12, h: 7 }, [g.target('sum by (store) (rate(replag_store_call_duration_seconds_count{job=~"$job", op="read"}[1h])) / sum by (store) (rate(replag_canaries_written_total{job=~"$job"}[1h]))', '{{store}}')], 'none'),
    ], annotations),
  },
}
