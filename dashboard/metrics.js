// Prometheus text-format parsing and the arithmetic the dashboard needs (sums by label, histogram quantiles).
// Loaded as a classic script: it defines window.DgpMetrics.

(function () {
  'use strict';

  /** Unescapes a label value (\\ \" \n). */
  function unescapeLabel(v) {
    return v.replace(/\\(\\|"|n)/g, function (_m, c) { return c === 'n' ? '\n' : c; });
  }

  /** Text exposition → array of { name, labels, value }. Comments and malformed lines are ignored. */
  function parse(text) {
    var out = [];
    var lines = text.split('\n');
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i];
      if (line === '' || line.charAt(0) === '#') continue;
      var m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
      if (!m) continue;
      var labels = {};
      if (m[3]) {
        var re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
        var l;
        while ((l = re.exec(m[3])) !== null) labels[l[1]] = unescapeLabel(l[2]);
      }
      var value = m[4] === '+Inf' ? Infinity : m[4] === '-Inf' ? -Infinity : Number(m[4]);
      out.push({ name: m[1], labels: labels, value: value });
    }
    return out;
  }

  function matches(s, name, filter) {
    if (s.name !== name) return false;
    for (var k in filter || {}) {
      var want = filter[k];
      var have = s.labels[k];
      if (typeof want === 'function' ? !want(have) : have !== want) return false;
    }
    return true;
  }

  /** Sum of every sample of `name` whose labels match `filter` (values or predicates). */
  function sum(samples, name, filter) {
    var t = 0;
    for (var i = 0; i < samples.length; i++) if (matches(samples[i], name, filter)) t += samples[i].value;
    return t;
  }

  /** Sums of `name` grouped by the joined values of `by` (array of label names). */
  function sumBy(samples, name, by, filter) {
    var out = {};
    for (var i = 0; i < samples.length; i++) {
      var s = samples[i];
      if (!matches(s, name, filter)) continue;
      var key = by.map(function (b) { return s.labels[b] === undefined ? '' : s.labels[b]; }).join('\u0000');
      out[key] = (out[key] || 0) + s.value;
    }
    return out;
  }

  /** Does any sample's name start with `prefix`? */
  function has(samples, prefix) {
    for (var i = 0; i < samples.length; i++) if (samples[i].name.indexOf(prefix) === 0) return true;
    return false;
  }

  /** Cumulative bucket counts of histogram `name` summed over every series: [{ le, count }] sorted by le. */
  function buckets(samples, name, filter) {
    var byLe = sumBy(samples, name + '_bucket', ['le'], filter);
    return Object.keys(byLe)
      .map(function (le) { return { le: le === '+Inf' ? Infinity : Number(le), count: byLe[le] }; })
      .sort(function (a, b) { return a.le - b.le; });
  }

  /** Bucket-wise difference now − before (the observations between two scrapes); before may be null. */
  function delta(now, before) {
    if (!before) return now;
    var prev = {};
    before.forEach(function (b) { prev[b.le] = b.count; });
    return now.map(function (b) { return { le: b.le, count: Math.max(0, b.count - (prev[b.le] || 0)) }; });
  }

  /** Prometheus' histogram_quantile: linear interpolation inside the bucket; null without observations. */
  function quantile(q, bs) {
    if (bs.length === 0) return null;
    var total = bs[bs.length - 1].count;
    if (!(total > 0)) return null;
    var rank = q * total;
    var prevLe = 0;
    var prevCount = 0;
    for (var i = 0; i < bs.length; i++) {
      var b = bs[i];
      if (b.count >= rank) {
        if (b.le === Infinity) return prevLe; // beyond the largest finite bucket: its bound is the best estimate
        var inBucket = b.count - prevCount;
        return inBucket === 0 ? b.le : prevLe + (b.le - prevLe) * ((rank - prevCount) / inBucket);
      }
      prevLe = b.le;
      prevCount = b.count;
    }
    return prevLe;
  }

  window.DgpMetrics = { parse: parse, sum: sum, sumBy: sumBy, has: has, buckets: buckets, delta: delta, quantile: quantile };
})();
