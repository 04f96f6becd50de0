// YAML and JSON writers for the generated files. Debian's jsonnet (the C++ one) escapes strings
// one character at a time in std.manifestYamlDoc / std.manifestJsonEx: 30 s for these files.
// These escape with std.strReplace (native), and put the keys a reader looks for first.
local keyOrder = ['apiVersion', 'kind', 'metadata', 'spec', 'name', 'interval', 'record', 'alert', 'expr', 'for', 'labels', 'annotations', 'groups', 'rules'];
local rank(k) = local i = std.find(k, keyOrder); if std.length(i) > 0 then i[0] else std.length(keyOrder);
// (not std.format: it is slow here too)
local sortedKeys(o) = std.sort(std.objectFields(o), function(k) std.char(65 + rank(k)) + k);

local escape(s) = std.strReplace(std.strReplace(std.strReplace(std.strReplace(std.strReplace(
  s, '\\', '\\\\'), '"', '\\"'), '\n', '\\n'), '\t', '\\t'), '\r', '\\r');
local quoted(s) = '"' + escape(s) + '"';
// std.findSubstr walks the string in jsonnet; std.strReplace is native
local has(s, part) = std.length(std.strReplace(s, part, '')) != std.length(s);
local plainKey(k) = !has(k, ' ') && !has(k, ':') && !has(k, '"') && !has(k, '#') && k != '';

local yamlScalar(v) =
  if std.type(v) == 'string' then quoted(v)
  else if std.type(v) == 'null' then 'null'
  else std.toString(v);

// A multi-line string as a literal block when YAML can hold it as is.
local asBlock(s) =
  has(s, '\n') && !std.endsWith(s, '\n\n') && !std.startsWith(s, ' ') && !has(s, '\t') && !has(s, '\r');

local yamlLines(v, indent) =
  local pad = std.repeat(' ', indent);
  local entry(prefix, value) =
    if std.type(value) == 'object' && std.length(value) > 0 then [prefix] + yamlLines(value, indent + 2)
    else if std.type(value) == 'array' && std.length(value) > 0 then [prefix] + yamlLines(value, indent + 2)
    else if std.type(value) == 'object' then [prefix + ' {}']
    else if std.type(value) == 'array' then [prefix + ' []']
    else if std.type(value) == 'string' && asBlock(value) then
      local body = if std.endsWith(value, '\n') then std.substr(value, 0, std.length(value) - 1) else value;
      [prefix + (if std.endsWith(value, '\n') then ' |' else ' |-')]
      + [if line == '' then '' else pad + '  ' + line for line in std.split(body, '\n')]
    else [prefix + ' ' + yamlScalar(value)];
  if std.type(v) == 'object' then
    std.flattenArrays([entry(pad + (if plainKey(k) then k else quoted(k)) + ':', v[k]) for k in sortedKeys(v)])
  else if std.type(v) == 'array' then
    std.flattenArrays([
      // the item's first line goes after "- ", the rest stay indented under it
      local inner = if std.type(item) == 'object' || std.type(item) == 'array' then yamlLines(item, indent + 2)
                    else entry(pad + ' ', item);
      [pad + '- ' + std.substr(inner[0], indent + 2, std.length(inner[0]) - indent - 2)] + inner[1:]
      for item in v
    ])
  else [pad + yamlScalar(v)];

local jsonLines(v, indent, prefix, suffix) =
  local pad = std.repeat('  ', indent);
  if std.type(v) == 'object' && std.length(v) > 0 then
    local keys = std.objectFields(v);
    [pad + prefix + '{']
    + std.flattenArrays([jsonLines(v[keys[i]], indent + 1, quoted(keys[i]) + ': ', if i < std.length(keys) - 1 then ',' else '')
                         for i in std.range(0, std.length(keys) - 1)])
    + [pad + '}' + suffix]
  else if std.type(v) == 'array' && std.length(v) > 0 then
    [pad + prefix + '[']
    + std.flattenArrays([jsonLines(v[i], indent + 1, '', if i < std.length(v) - 1 then ',' else '') for i in std.range(0, std.length(v) - 1)])
    + [pad + ']' + suffix]
  else if std.type(v) == 'object' then [pad + prefix + '{}' + suffix]
  else if std.type(v) == 'array' then [pad + prefix + '[]' + suffix]
  else if std.type(v) == 'string' then [pad + prefix + quoted(v) + suffix]
  else if std.type(v) == 'null' then [pad + prefix + 'null' + suffix]
  else [pad + prefix + std.toString(v) + suffix];

{
  yaml(v):: std.join('\n', yamlLines(v, 0)) + '\n',
  json(v):: std.join('\n', jsonLines(v, 0, '', '')) + '\n',
}
