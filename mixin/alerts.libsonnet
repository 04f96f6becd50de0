// Alerts. severity: critical pages, warning is a ticket, info is for dashboards, none is the
// watchdog. Every alert has a runbook (docs/runbooks.md) and promtool tests pin its for: boundary.
local lib = import 'lib.libsonnet';

{
  local config = $._config,
  local job = config.jobSelector,
  local pair = 'job, instance, store, resource, source_region, target_region',
  local alert(name, expr, forDuration, severity, summary, description) = {
    alert: name,
    expr: expr,
    [if forDuration != '0m' then 'for']: forDuration,
    labels: { severity: severity },
    annotations: { summary: summary, description: description, runbook_url: lib.runbook(config, name) },
  },

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'replag-alerts',
        rules: [
          alert('ReplagLagHigh',
                'replag_lag_seconds{%s} > on (store) group_left () replag:lag_threshold_seconds{threshold="warning"}' % job, '5m', 'warning',
                '{{ $labels.store }}/{{ $labels.resource }}: {{ $labels.source_region }} -> {{ $labels.target_region }} lags {{ $value | humanizeDuration }}',
                'Canaries written in {{ $labels.source_region }} reach {{ $labels.target_region }} {{ $value | humanizeDuration }} late (above the {{ $labels.store }} warning threshold) for 5 minutes.'),
          alert('ReplagLagCritical',
                'replag_lag_seconds{%s} > on (store) group_left () replag:lag_threshold_seconds{threshold="critical"}' % job, '5m', 'critical',
                '{{ $labels.store }}/{{ $labels.resource }}: {{ $labels.source_region }} -> {{ $labels.target_region }} lags {{ $value | humanizeDuration }}',
                'Canaries written in {{ $labels.source_region }} reach {{ $labels.target_region }} {{ $value | humanizeDuration }} late (above the {{ $labels.store }} critical threshold) for 5 minutes: data written there is not yet readable in {{ $labels.target_region }}.'),
          // No arrival for the stall threshold (1.5 intervals, at least the store's minimum) while the
          // source keeps writing. Ages at scrape time (timestamp(x) - x): query time would add a scrape interval.
          alert('ReplagReplicationStalled', |||
            (timestamp(replag_last_arrival_timestamp_seconds{%(job)s}) - replag_last_arrival_timestamp_seconds{%(job)s})
              > on (job, instance, store, resource) group_left () replag:stall_threshold_seconds
            and on (%(pair)s)
            (timestamp(replag_last_write_timestamp_seconds{%(job)s}) - replag_last_write_timestamp_seconds{%(job)s})
              < on (job, instance, store, resource) group_left () (3 * replag_probe_interval_seconds)
          ||| % { job: job, pair: pair }, '2m', 'critical',
                '{{ $labels.store }}/{{ $labels.resource }}: replication {{ $labels.source_region }} -> {{ $labels.target_region }} stalled',
                'No canary from {{ $labels.source_region }} has arrived in {{ $labels.target_region }} for {{ $value | humanizeDuration }} although {{ $labels.source_region }} keeps writing.'),
          alert('ReplagCanariesMissed',
                'sum by (store, resource, source_region, target_region) (increase(replag_canaries_missed_total{%s}[15m])) > 0' % job, '5m', 'warning',
                '{{ $labels.store }}/{{ $labels.resource }}: canaries {{ $labels.source_region }} -> {{ $labels.target_region }} missed their deadline',
                '{{ $value | printf "%.0f" }} canaries written in {{ $labels.source_region }} were not seen in {{ $labels.target_region }} before their deadline in the last 15 minutes.'),
          alert('ReplagEndpointDown', 'replag_up{%s} == 0' % job, '5m', 'warning',
                '{{ $labels.store }}/{{ $labels.resource }}: endpoint in {{ $labels.region }} is failing',
                "replag's canary calls to the {{ $labels.store }} endpoint of {{ $labels.resource }} in {{ $labels.region }} have failed for 5 minutes; pairs to and from {{ $labels.region }} are not measured. replag_errors_total gives the reason."),
          // A share of failed calls: an endpoint failing one call in two never stays down long enough for ReplagEndpointDown.
          alert('ReplagEndpointErrorRatio', |||
            sum by (job, instance, store, resource, region) (rate(replag_errors_total{%(job)s, op=~"read|write|prepare"}[10m]))
            /
            sum by (job, instance, store, resource, region) (rate(replag_store_call_duration_seconds_count{%(job)s, op=~"read|write|prepare"}[10m]))
            > %(ratio)s
          ||| % { job: job, ratio: config.endpointErrorRatio }, '15m', 'warning',
                '{{ $labels.store }}/{{ $labels.resource }}: {{ $value | humanizePercentage }} of canary calls in {{ $labels.region }} fail',
                "{{ $value | humanizePercentage }} of replag's canary calls to the {{ $labels.store }} endpoint of {{ $labels.resource }} in {{ $labels.region }} have failed for 15 minutes: the endpoint flaps, and measurements there have gaps. replag_errors_total gives the reason."),
          alert('ReplagReplicationFailed', 'avg_over_time(replag_replication_status{%s, status="FAILED"}[5m]) > 0.5' % job, '5m', 'critical',
                '{{ $labels.store }}/{{ $labels.resource }}: replication from {{ $labels.region }} FAILED',
                '{{ $labels.store }} reports the replication of canaries written in {{ $labels.region }} as FAILED on {{ $value | humanizePercentage }} of reads in the last 5 minutes: it will not retry them, so objects written there are missing at the destination.'),
          // Two regions wrote one key; a minute later (past the convergence deadline, and again in
          // the round repeated after it) the regions still show different values: a write was lost
          // in replication, or conflicts are not resolved alike everywhere.
          alert('ReplagDivergent', 'replag_divergent{%s} == 1' % job, '1m', 'critical',
                '{{ $labels.store }}/{{ $labels.resource }}: regions disagree after concurrent writes',
                'Two regions of {{ $labels.store }}/{{ $labels.resource }} wrote one key at nearly the same moment, and past the convergence deadline, for a minute of rounds, not every region shows the same value: a replication direction loses writes or conflicts are resolved differently in some region. Data written concurrently may differ between regions for good.'),
          // A burst (replag burst, run by hand or on a schedule) whose records did not all arrive
          // by its deadline: replication lost writes under load. The burst's process serves its
          // figures for a while after the run; max_over_time keeps the page for an hour after that.
          alert('ReplagBurstLostRecords', 'max_over_time(replag_burst_lost_records{%s}[1h]) > 0' % config.burstJobSelector, '0m', 'critical',
                '{{ $labels.store }}/{{ $labels.resource }}: a burst lost {{ $value | printf "%.0f" }} records {{ $labels.source_region }} -> {{ $labels.target_region }}',
                'replag burst wrote records in {{ $labels.source_region }}, and {{ $value | printf "%.0f" }} of them were still missing in {{ $labels.target_region }} at the deadline, while the region answered reads: replication from {{ $labels.source_region }} loses writes under load. Data written there may be missing in {{ $labels.target_region }} for good.'),
          alert('ReplagNativeReplicationStopped', 'replag_native_replication_stopped{%s} == 1' % job, '2m', 'warning',
                '{{ $labels.store }}/{{ $labels.resource }}: {{ $labels.target_region }} reports replication from {{ $labels.source_region }} stopped',
                'The replica in {{ $labels.target_region }} has reported its replication as stopped ({{ $labels.source_metric }}) for 2 minutes, or has not answered while its primary does: it receives or applies nothing until its replication runs again.'),
          alert('ReplagCanaryWritesFailing', |||
            sum by (job, instance, store, resource, region) (rate(replag_errors_total{%(job)s, op=~"write|prepare"}[5m])) > 0
            and on (job, instance, store, resource, region)
            replag_up{%(job)s} == 0
          ||| % { job: job }, '5m', 'critical',
                '{{ $labels.store }}/{{ $labels.resource }}: canary writes failing in {{ $labels.region }}',
                'replag cannot write canaries in {{ $labels.region }} ({{ $value | printf "%.2f" }} failures/s): replication from {{ $labels.region }} is not measured, and applications may not be able to write there either.'),
          // A writer whose canaries are not acknowledged, whatever replag_up does: in a two-way set a
          // region whose writes are denied still reads the others' canaries, and replag_up flaps.
          alert('ReplagCanaryWriterSilent', |||
            (timestamp(replag_writer_last_success_timestamp_seconds{%(job)s}) - replag_writer_last_success_timestamp_seconds{%(job)s})
              > on (job, instance, store, resource) group_left ()
            clamp_min(%(n)s * replag_probe_interval_seconds{%(job)s}, 60)
          ||| % { job: job, n: config.writerSilentIntervals }, '5m', 'critical',
                '{{ $labels.store }}/{{ $labels.resource }}: no canary written in {{ $labels.region }} for {{ $value | humanizeDuration }}',
                'replag has had no canary acknowledged in {{ $labels.region }} for {{ $value | humanizeDuration }}: replication from {{ $labels.region }} is not measured (its lag stays at the last value), and applications may not be able to write there either. replag_errors_total{op="write"} gives the reason.'),
          // The store's own figures and S3's status: a missing grant silently disables
          // ReplagReplicationFailed and ReplagCanaryNativeDisagree otherwise.
          alert('ReplagNativeReadsFailing', |||
            sum by (job, instance, store, resource, region, op) (rate(replag_errors_total{%(job)s, op=~"native|status"}[15m]))
            /
            sum by (job, instance, store, resource, region, op) (rate(replag_store_call_duration_seconds_count{%(job)s, op=~"native|status"}[15m]))
            > 0.5
          ||| % { job: job }, '15m', 'warning',
                '{{ $labels.store }}/{{ $labels.resource }}: {{ $labels.op }} reads failing in {{ $labels.region }}',
                "{{ $value | humanizePercentage }} of replag's reads of the store's own figures ({{ $labels.op }}) in {{ $labels.region }} have failed for 15 minutes: the native lag (and S3's replication status) are not shown, and the alerts on them cannot fire. replag_errors_total gives the reason (often a missing IAM grant)."),
          alert('ReplagExporterDown', 'up{%s} == 0' % job, '5m', 'critical',
                'replag exporter {{ $labels.instance }} is down',
                'Prometheus has failed to scrape replag at {{ $labels.instance }} for 5 minutes: replication lag is not measured.'),
          alert('ReplagExporterRestarting', 'changes(process_start_time_seconds{%s}[30m]) >= 3' % job, '0m', 'warning',
                'replag {{ $labels.instance }} restarted {{ $value | printf "%.0f" }} times in 30 minutes',
                'replag at {{ $labels.instance }} keeps restarting (a crash loop, an OOM kill, a failing liveness probe): every restart leaves a gap in the measurements. Its log says why.'),
          // An agent per region is its region's writer and the only reader of the pairs into it. The
          // region label comes from the regional Prometheus (external_labels) or the scrape target.
          alert('ReplagRegionAgentDown', 'up{%s, region!=""} == 0' % job, '1m', 'critical',
                'replag agent in {{ $labels.region }} is down',
                "Prometheus has failed to scrape the replag agent of {{ $labels.region }} ({{ $labels.instance }}) for 1 minute: replication into {{ $labels.region }} is not measured and its canaries are not written. If the region itself is down, its peers' /health/regions/{{ $labels.region }} already answers 503."),
          alert('ReplagExporterAbsent', 'absent(up{%s})' % job, '5m', 'critical',
                'replag exporter is absent from Prometheus',
                'Prometheus has no scrape target with %s for 5 minutes: replication lag is not measured.' % job),
          alert('ReplagConfigReloadFailed', 'replag_config_last_reload_successful{%s} == 0' % job, '10m', 'warning',
                'replag {{ $labels.instance }} refused its configuration file',
                'The last SIGHUP reload of {{ $labels.instance }} failed 10 minutes ago or more; it keeps probing with the previous configuration, and a restart would refuse to start.'),
          alert('ReplagCanaryNativeDisagree', |||
            abs(
              replag_lag_seconds{%(job)s}
              - on (%(pair)s) group_left ()
                max by (%(pair)s) (replag_native_lag_seconds{%(job)s})
            ) > on () group_left () replag:native_disagreement_threshold_seconds
          ||| % { job: job, pair: pair }, '15m', 'info',
                '{{ $labels.store }}/{{ $labels.resource }}: canary and native lag disagree for {{ $labels.source_region }} -> {{ $labels.target_region }}',
                "replag's canary lag and the store's own figure have differed by {{ $value | humanizeDuration }} for 15 minutes."),
          // Multiwindow, multi-burn-rate (SRE workbook, ch. 5), each store against its own SLO:
          // 2% of a 30-day budget in 1 h or 5% in 6 h pages; 10% in 3 days or 1 day's worth is a ticket.
          alert('ReplagArrivalSLOBurnRateHigh', |||
            (replag:slo_burn:rate1h > 14.4 and replag:slo_burn:rate5m > 14.4)
            or
            (replag:slo_burn:rate6h > 6 and replag:slo_burn:rate30m > 6)
          |||, '2m', 'critical',
                '{{ $labels.store }}/{{ $labels.resource }}: {{ $labels.source_region }} -> {{ $labels.target_region }} burns its arrival SLO fast',
                'Canaries arrive later than the {{ $labels.store }} SLO allows (or not at all) {{ $value | printf "%.1f" }} times faster than its 30-day error budget can take: at this rate the budget lasts days, not weeks.'),
          alert('ReplagArrivalSLOBurnRateElevated', |||
            (replag:slo_burn:rate1d > 3 and replag:slo_burn:rate2h > 3)
            or
            (replag:slo_burn:rate3d > 1 and replag:slo_burn:rate6h > 1)
          |||, '1h', 'warning',
                '{{ $labels.store }}/{{ $labels.resource }}: {{ $labels.source_region }} -> {{ $labels.target_region }} burns its arrival SLO',
                'Canaries arrive later than the {{ $labels.store }} SLO allows (or not at all) {{ $value | printf "%.1f" }} times faster than its 30-day error budget can take.'),
          // Always firing: proves the path to Alertmanager and on to the pager works (route it to a
          // dead man's switch; its silence is the alarm).
          alert('ReplagWatchdog', 'vector(1)', '0m', 'none',
                'replag alerting works',
                'Always firing: it shows that Prometheus evaluates the replag rules and reaches Alertmanager. Route it to a dead man\'s switch, which pages when it stops.'),
        ],
      },
    ],
  },
}
