// Small helpers the rules, alerts and dashboards share.
{
  // A PromQL regex for a histogram bound, whatever its rendering: 5, 5.0, 5.00 (a character
  // class, not \\.: it needs no escaping in YAML or PromQL strings).
  leRegex(seconds):: $.num(seconds) + '([.]0+)?',
  // A number as a person writes it: 0.01, not 0.010000000000000009.
  num(x):: if x == 0 then '0' else std.format('%.10g', x),
  runbook(config, alert):: config.runbookUrlPattern % std.asciiLower(alert),
  // The stores, sorted, as a list of { name, ... }.
  stores(config):: [config.stores[name] { name: name } for name in std.objectFields(config.stores)],
  // A PromQL alternation of names.
  oneOf(names):: std.join('|', names),
}
