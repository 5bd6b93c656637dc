// Regenerates v8-json-errors.jsonl, the table V8JsonErrorsTest checks against: each line is
// {"text": <input>, "message": <JSON.parse's error message, or null when it parses>}.
// Run with the Node of the reference (node/20.20.2, V8 11.3):
//   node src/test/resources/json/v8-json-errors.js > src/test/resources/json/v8-json-errors.jsonl
'use strict';

const cases = [];
function add(text) { cases.push(text); }

// Every kind of message, one or more inputs each.
[
  '', ' ', '\n\t ', '{', '[', '"', '-', '{"task": "nop", ', '{"sleep": 0,', '[1,', '[1 2]', '{"a" 1}',
  '{"a":1 "b":2}', '{1:2}', '{,}', "{'a':1}", 'tru', 'truex', 'nul', 'nulx', '[nul1]', '[nul ]', '[nul"]',
  '[tr{', 'fals', 'falsy', '-a', '-', '[-]', '-Infinity', '01', '-01', '00', '0x', '-0x', '0-', '[0-]',
  '1.', '1.e', '1.5.', '1e', '1e+', '1E-', '[1e]', '1E5x', '.5', '+1', '"abc', '"a\\x"', '"\\é"', '"\\€"',
  '"a\\u12g4"', '"\\u', '"\\u12"', '["\\u12"]', '"\\uABCD"', '"\\uabcz"', '"a\nb"', '"\t"', '"\u0000"',
  '"\u001f"', '"\u007f"', '"\\', '"\\"', '{"a":1} x', '{"a":1}}', '1 2', '[1] [', ']', '}', ',', ':', 'x',
  'é', '\u2028', '\u00a0{}', '\ufeff{}', '😀', '[😀]', '{"a":}', '[,]', '[1,]', '{"a":1,}', '{"a"::1}',
  '{"a":1:}', '{"a":[}', '["a":1]', '{"a":1', '[1', '{"abc"', '{"a":', '[[[[[[[[[[', '[[[]]]]',
  'undefined', 'NaN', 'Infinity', '[object Object]', ' NaN', 'NaN ', 'null null', 'true', 'false', 'null',
  '{"k"1', '{"a":1,"k"1', '{"a":1,"k"a', '{"a":1,"k"', '{"a":1,"k" ]', '{"a":1,"k"-',
  '{}', '[]', '""', '0', '-0', '1.5e-3', '{"a":[1,{"b":null}],"c":"\\u00e9\\n"}', '  {"a" : 1 }  ',
].forEach(add);

// "Unexpected token" quotes the source whole below 21 characters, else ten characters either side.
for (let len = 18; len <= 24; len++) {
  add('[' + ' '.repeat(len - 3) + ',]');
  add('[,' + ' '.repeat(len - 3) + ']');
}
for (let p = 1; p < 46; p++) {
  add('[' + ' '.repeat(p - 1) + ',' + ' '.repeat(45 - p) + ']');
}
add('[1,2,3,4,5,6,7,8,9,€]');
add('[1,2,3,4,5,6,7,8,9,😀]');

// Every prefix of realistic bodies: what a cut connection or a truncated file leaves.
const docs = [
  '{"task":"machine_boot","params":{"uuid":"c0c68b11-ef3b-49cf-bd65-20f39347ec3b","jobid":"j1","idempotent":true}}',
  '{"sleep": 0, "error": null, "list": [1, -2.5e+3, "x\\"y\\u00e9"], "nested": {"a": [true, false, null]}}',
  '[ {"a":1} , [ ] , { } , "s" , 0.0 , -0 ]',
];
for (const d of docs) {
  for (let i = 0; i <= d.length; i++) {
    add(d.slice(0, i));
  }
}

// Deterministic mutations of those bodies: one character replaced, inserted or removed.
let seed = 14;
function rand(n) { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; }
const alphabet = '{}[]:,"\\-+.0123456789eEtfnulx \t\n\u0001é€';
for (let k = 0; k < 400; k++) {
  const d = docs[rand(docs.length)];
  const at = rand(d.length);
  const ch = alphabet[rand(alphabet.length)];
  switch (rand(3)) {
    case 0: add(d.slice(0, at) + ch + d.slice(at + 1)); break;
    case 1: add(d.slice(0, at) + ch + d.slice(at)); break;
    default: add(d.slice(0, at) + d.slice(at + 1)); break;
  }
}

const seen = new Set();
for (const text of cases) {
  if (seen.has(text)) continue;
  seen.add(text);
  let message = null;
  try { JSON.parse(text); } catch (e) { message = e.message; }
  process.stdout.write(JSON.stringify({ text, message }) + '\n');
}
