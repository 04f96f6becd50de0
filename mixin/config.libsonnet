// What a user overrides: import mixin.libsonnet and add to _config, e.g.
//   (import 'mixin.libsonnet') + { _config+:: { jobSelector: 'job="replag-prod"', stores+: { s3+: { lag: { warning: 600, critical: 1800 } } } } }
{
  _config+:: {
    // The scrape job(s) of replag's exporters or agents.
    jobSelector: 'job="replag"',
    // The scrape job of `replag burst --port N` (docs/burst.md): a process that runs now and then,
    // so a job of its own, whose targets being down between runs pages no one.
    burstJobSelector: 'job="replag-burst"',
    // The label that tells clusters or agents apart (agents per region carry agent="name@region";
    // a global view through federation also has the regional Prometheus' external label).
    clusterLabel: 'agent',
    // Where each alert's runbook is: %s is the alert name in lower case.
    runbookUrlPattern: 'https://github.com/replag/replag/blob/main/docs/runbooks.md#%s',

    // Per store: lag thresholds (ReplagLagHigh / ReplagLagCritical, dashboard colours), the arrival
    // SLO (a histogram bucket bound in seconds, and the share of canaries that must meet it), the
    // least silence that counts as a stall, on top of 1.5 probe intervals. Every store replag knows
    // must be here (MixinTest): a store without a threshold would never raise ReplagLagHigh.
    stores: {
      postgres: { lag: { warning: 30, critical: 120 }, slo: { seconds: 5, objective: 0.99 }, stallMinimumSeconds: 0 },
      mysql: { lag: { warning: 30, critical: 120 }, slo: { seconds: 5, objective: 0.99 }, stallMinimumSeconds: 0 },
      dynamodb: { lag: { warning: 10, critical: 60 }, slo: { seconds: 5, objective: 0.99 }, stallMinimumSeconds: 0 },
      // S3 Replication Time Control promises 15 minutes for 99.99% of objects; most take seconds to
      // minutes. A healthy pair must not page: an SLO in minutes, and a stall only after 15 minutes.
      s3: { lag: { warning: 300, critical: 900 }, slo: { seconds: 900, objective: 0.99 }, stallMinimumSeconds: 900 },
      // Caches replicate in milliseconds (Global Datastore: typically under a second between regions):
      // a second is already unusual, ten are an incident; 99% of canaries within one second.
      redis: { lag: { warning: 1, critical: 10 }, slo: { seconds: 1, objective: 0.99 }, stallMinimumSeconds: 0 },
    },
    // Per replication set (the resource label), an SLO of its own: { orders: { seconds: 1, objective: 0.999 } }.
    resourceSlos: {},

    // Canary and native figures may differ by this much before ReplagCanaryNativeDisagree.
    nativeDisagreementSeconds: 30,
    // ReplagEndpointErrorRatio: the share of failed canary calls that warns.
    endpointErrorRatio: 0.1,
    // ReplagCanaryWriterSilent: a writer with no canary acknowledged for this many intervals (at least 60 s).
    writerSilentIntervals: 5,
  },
}
