// Regenerates js-values.jsonl, the table JsValuesTest checks json/JsValues against: JavaScript's own
// answers for values as JSON.parse gives them. Run with the Node of the reference (node/20.20.2):
//   node src/test/resources/json/js-values.js > src/test/resources/json/js-values.jsonl
// Each line is one of
//   {"value": <text>, "truthy": !!v, "typeof": typeof v, "class": Object.prototype.toString.call(v)}
//   {"a": <text>, "b": <text>, "equal": <the agents' deep equality>}
//   {"ms": <n>, "iso": new Date(n).toISOString(), or null where it throws RangeError}
// A <text> is JSON, or one of NaN, Infinity, -Infinity, undefined (no JSON gives those; the Java
// test makes them itself, undefined as an absent key).
'use strict';

const util = require('util');

const SPECIAL = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, undefined: undefined };

function value(text) {
  return Object.prototype.hasOwnProperty.call(SPECIAL, text) ? SPECIAL[text] : JSON.parse(text);
}

// The rule of jsprim.deepEqual (net-agent) and deep-diff (vm-agent) on JSON values: leaves by ===,
// arrays and objects never equal to each other, the same own keys in any order. Checked once on
// this table against jsprim 1.4.1 and deep-diff 0.3.3 themselves: all agree but deep-diff on NaN vs
// NaN (it says equal), which no parsed JSON holds.
function deepEqual(a, b) {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return a === b;
  }
  if (Array.isArray(a) !== Array.isArray(b)) {
    return false;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every(k => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
}

// Where === and Object.is part (-0, NaN), Node's isDeepStrictEqual is no check of deepEqual above.
function hasZeroOrNaN(v) {
  if (typeof v === 'number') {
    return v === 0 || Number.isNaN(v);
  }
  return v !== null && typeof v === 'object' && Object.values(v).some(hasZeroOrNaN);
}

const out = [];

const values = [
  '0', '-0', '0.0', '-0.0', '0e5', '1', '1.0', '1e0', '-1', '0.5', '-0.5', '1e21', '1e-7', '1e308', '1e400',
  '9007199254740992', '9007199254740993', '-9007199254740993', '9223372036854775807', '9223372036854775808',
  '-9223372036854775808', '-9223372036854775809', '123456789012345678901234567890',
  'NaN', 'Infinity', '-Infinity', 'undefined',
  '""', '"0"', '"0.0"', '"false"', '"true"', '" "', '"null"', '"undefined"', '"NaN"', '"[]"',
  'true', 'false', 'null',
  '[]', '{}', '[0]', '[[]]', '[null]', '[""]', '{"a":0}', '{"a":null}',
];
for (const text of values) {
  const v = value(text);
  out.push({ value: text, truthy: !!v, typeof: typeof v, class: Object.prototype.toString.call(v) });
}

const pairs = [
  // One number type: Java's Integer, Long, BigInteger and Double of the same value.
  ['1', '1.0'], ['1', '1e0'], ['1.0', '1e0'], ['1500', '1500.0'], ['1', '2'], ['1', '1.0000000000000002'],
  ['0', '-0'], ['0', '-0.0'], ['0.0', '-0.0'], ['-0', '-0.0'], ['0', '0e5'],
  ['0.1', '0.10000000000000001'], ['0.1', '0.2'],
  ['9007199254740992', '9007199254740993'], ['9007199254740993', '9007199254740994'],
  ['-9007199254740992', '-9007199254740993'],
  ['9223372036854775807', '9223372036854775808'], ['9223372036854775807', '9223372036854775806'],
  ['-9223372036854775808', '-9223372036854775809'],
  ['123456789012345678901234567890', '1.2345678901234568e29'],
  ['1e400', 'Infinity'], ['-1e400', '-Infinity'], ['Infinity', 'Infinity'], ['Infinity', '-Infinity'],
  ['NaN', 'NaN'], ['NaN', '0'], ['NaN', '"NaN"'],
  // No coercion between types.
  ['1', '"1"'], ['0', 'false'], ['1', 'true'], ['""', 'false'], ['"true"', 'true'], ['"0"', '0'],
  ['null', 'false'], ['null', '0'], ['null', '""'], ['null', '[]'], ['null', '{}'], ['null', 'null'],
  ['[]', '{}'], ['[]', '[]'], ['{}', '{}'], ['[]', '[null]'], ['[0]', '[false]'], ['{"0":1}', '[1]'],
  ['true', 'true'], ['false', 'false'], ['true', 'false'],
  ['"a"', '"a"'], ['"a"', '"A"'], ['"é"', '"e\\u0301"'], ['"é"', '"\\u00e9"'], ['""', '""'],
  // Objects: any key order, the same keys; arrays in order.
  ['{"a":1,"b":2}', '{"b":2,"a":1}'], ['{"a":1}', '{"a":1,"b":null}'], ['{"a":null}', '{}'],
  ['{"a":null}', '{"b":null}'], ['{"a":[1,2]}', '{"a":[2,1]}'], ['[1,2]', '[1,2,3]'], ['[1,2]', '[1,2]'],
  ['[1,[2,{"x":1.0}]]', '[1,[2,{"x":1}]]'], ['{"a":{"b":{"c":0}}}', '{"a":{"b":{"c":-0.0}}}'],
  ['{"a":{"b":{"c":0}}}', '{"a":{"b":{"c":"0"}}}'],
  ['{"x":{"p":1,"q":[{"m":1,"n":2}]},"y":[]}', '{"y":[],"x":{"q":[{"n":2,"m":1.0}],"p":1e0}}'],
  ['{"x":{"p":1,"q":[{"m":1,"n":2}]},"y":[]}', '{"y":[],"x":{"q":[{"n":2,"m":1}],"p":1,"r":0}}'],
  // As the agents meet them: NAPI routes and resolvers, vmadm filters, VM fields.
  ['{"10.0.0.0/8":"10.1.1.1","0.0.0.0/0":"10.1.1.2"}', '{"0.0.0.0/0":"10.1.1.2","10.0.0.0/8":"10.1.1.1"}'],
  ['["8.8.8.8","8.8.4.4"]', '["8.8.4.4","8.8.8.8"]'], ['["8.8.8.8"]', '["8.8.8.8"]'],
  ['{"quota":10,"datasets":[]}', '{"datasets":[],"quota":10.0}'],
  ['[{"mac":"aa","primary":true}]', '[{"primary":true,"mac":"aa"}]'],
];
for (const [ta, tb] of pairs) {
  const a = value(ta);
  const b = value(tb);
  const eq = deepEqual(a, b);
  if (eq !== deepEqual(b, a)) {
    throw new Error('not symmetric: ' + ta + ' ' + tb);
  }
  if (!hasZeroOrNaN(a) && !hasZeroOrNaN(b) && eq !== util.isDeepStrictEqual(a, b)) {
    throw new Error('deepEqual and Node differ: ' + ta + ' ' + tb);
  }
  out.push({ a: ta, b: tb, equal: eq });
}

const DAY = 86400000;
const times = [
  0, 1, -1, 999, -999, 1000, -1000, 1001, -1001, DAY - 1, -DAY,
  1700000000000, 1700000000123, 951782400000, 951868799999, 4102444800000, 1e12, -1e12,
  -2208988800000, -11644473600000, -62135596800000,
  253402300799999, 253402300800000, 253402300800001,
  -62167219200000, -62167219200001, -62198755200000, -62198755200001,
  8.64e15, -8.64e15, 8.64e15 - 1, -8.64e15 + 1, 8.64e15 + 1, -8.64e15 - 1,
  9007199254740991, -9007199254740991,
];
for (const ms of times) {
  let iso;
  try {
    iso = new Date(ms).toISOString();
  } catch (e) {
    if (!(e instanceof RangeError)) {
      throw e;
    }
    iso = null;
  }
  out.push({ ms, iso });
}

for (const row of out) {
  process.stdout.write(JSON.stringify(row) + '\n');
}
