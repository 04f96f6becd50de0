// replag's monitoring mixin: recording rules, alerts and dashboards from one _config
// (config.libsonnet). scripts/mixin writes alerts/, dashboards/ and the Kubernetes PrometheusRule.
(import 'config.libsonnet') + (import 'rules.libsonnet') + (import 'alerts.libsonnet') + (import 'dashboards/dashboards.libsonnet')
