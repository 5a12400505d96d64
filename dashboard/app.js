// The dashboard: polls /metrics (parsed here) and /config every few seconds, and the keys API's budgets less often;
// every data request carries the admin token from sessionStorage when the gateway asks for one (401).
(function () {
  'use strict';
  var M = window.DgpMetrics;
  var params = new URLSearchParams(location.search);
  var INTERVAL = Math.max(250, Number(params.get('interval')) || 3000);
  var BUDGET_EVERY = 5; // polls between budget refreshes (one request per key)
  var MAX_KEYS = 25;
  var TOKEN_KEY = 'dgp-admin-token';

  var $ = function (id) { return document.getElementById(id); };
  var q = function (testid) { return document.querySelector('[data-testid="' + testid + '"]'); };
  var prev = null; // the previous scrape: { at, requests, http, ttft }
  var polls = 0;
  var timer = null;

  function token() { return sessionStorage.getItem(TOKEN_KEY) || ''; }

  function get(path) {
    var headers = { accept: 'application/json, text/plain' };
    if (token()) headers.authorization = 'Bearer ' + token();
    return fetch(path, { headers: headers, cache: 'no-store' }).then(function (r) {
      if (r.status === 401) throw Object.assign(new Error('unauthorized'), { unauthorized: true });
      return r;
    });
  }

  function num(n, digits) {
    if (n === null || n === undefined || !isFinite(n)) return '–';
    return n.toLocaleString('en-US', { maximumFractionDigits: digits === undefined ? 0 : digits });
  }
  function secs(s) {
    if (s === null || s === undefined) return '–';
    return s < 1 ? Math.round(s * 1000) + ' ms' : s.toFixed(2) + ' s';
  }
  function usd(n) { return n === 0 ? '0' : n < 0.01 ? n.toPrecision(3) : n.toFixed(2); }
  function set(testid, text) { var el = q(testid); if (el) el.textContent = text; }

  /** Replaces a tbody's rows: rows are arrays of cells (strings or Nodes); `empty` when there are none. */
  function rows(id, data, empty, columns) {
    var body = $(id);
    body.replaceChildren();
    if (data.length === 0) {
      var tr = document.createElement('tr');
      var td = document.createElement('td');
      td.colSpan = columns;
      td.className = 'empty';
      td.textContent = empty;
      tr.append(td);
      body.append(tr);
      return;
    }
    data.forEach(function (cells) {
      var tr = document.createElement('tr');
      cells.forEach(function (c) {
        var td = document.createElement('td');
        if (c instanceof Node) td.append(c); else td.textContent = String(c);
        tr.append(td);
      });
      body.append(tr);
    });
  }

  function span(text, cls) { var s = document.createElement('span'); s.textContent = text; if (cls) s.className = cls; return s; }

  function renderMetrics(samples, now) {
    var requests = M.sum(samples, 'dgp_http_requests_total');
    var http = M.buckets(samples, 'dgp_http_request_duration_seconds');
    var ttft = M.buckets(samples, 'dgp_llm_time_to_first_token_seconds');
    set('requests-total', num(requests));
    set('errors-5xx', num(M.sum(samples, 'dgp_http_requests_total', { status: function (s) { return /^5/.test(s || ''); } })));
    set('errors-4xx', num(M.sum(samples, 'dgp_http_requests_total', { status: function (s) { return /^4/.test(s || ''); } })));
    // Quantiles over the requests since the previous poll when there were some, else since the start.
    var recent = prev !== null && requests > prev.requests;
    var h = recent ? M.delta(http, prev.http) : http;
    var t = recent ? M.delta(ttft, prev.ttft) : ttft;
    if (recent && !(t.length && t[t.length - 1].count > 0)) t = ttft;
    set('requests-rate', prev === null ? '–' : num(Math.max(0, requests - prev.requests) / ((now - prev.at) / 1000), 2));
    set('latency-p50', secs(M.quantile(0.5, h)));
    set('latency-p99', secs(M.quantile(0.99, h)));
    set('ttft-p50', secs(M.quantile(0.5, t)));
    set('ttft-p99', secs(M.quantile(0.99, t)));
    $('window-note').textContent = recent ? 'Latency and TTFT quantiles: requests since the previous refresh.' : 'Latency and TTFT quantiles: all requests since the gateway started.';
    set('in-flight', num(M.sum(samples, 'dgp_admission_in_flight', { scope: 'global' })));
    set('admission-rejected', num(M.sum(samples, 'dgp_admission_rejected_total') + M.sum(samples, 'dgp_admission_shed_total')));
    prev = { at: now, requests: requests, http: http, ttft: ttft };

    var byRoute = M.sumBy(samples, 'dgp_http_requests_total', ['route', 'status']);
    rows('routes-body', Object.keys(byRoute).sort().map(function (k) {
      var p = k.split('\u0000');
      return [p[0] || '(no route)', span(p[1], /^5/.test(p[1]) ? 'bad' : /^4/.test(p[1]) ? 'warn' : 'good'), num(byRoute[k])];
    }), 'no requests yet', 3);

    var tokens = M.sumBy(samples, 'dgp_llm_tokens_total', ['model', 'direction']);
    var cost = M.sumBy(samples, 'dgp_llm_cost_usd_total', ['model']);
    var models = {};
    Object.keys(tokens).forEach(function (k) { models[k.split('\u0000')[0]] = true; });
    Object.keys(cost).forEach(function (k) { models[k] = true; });
    rows('models-body', Object.keys(models).sort().map(function (m) {
      var c = cost[m];
      return [m, num(tokens[m + '\u0000prompt'] || 0), num(tokens[m + '\u0000completion'] || 0), c === undefined ? '–' : usd(c)];
    }), 'no LLM traffic yet', 4);

    set('cost-total', usd(M.sum(samples, 'dgp_llm_cost_usd_total')));
    set('budget-denials', num(M.sum(samples, 'dgp_llm_budget_denials_total')));
    set('soft-alerts', num(M.sum(samples, 'dgp_llm_budget_soft_alerts_total')));

    var rl = M.has(samples, 'dgp_ratelimit_');
    set('ratelimit-admitted', rl ? num(M.sum(samples, 'dgp_ratelimit_requests_total', { outcome: 'admitted' })) : 'not configured');
    set('ratelimit-limited', rl ? num(M.sum(samples, 'dgp_ratelimit_requests_total', { outcome: 'limited' })) : '–');
    var limited = M.sumBy(samples, 'dgp_ratelimit_limited_total', ['rule', 'dimension']);
    rows('ratelimits-body', Object.keys(limited).sort().map(function (k) { var p = k.split('\u0000'); return [p[0], p[1], num(limited[k])]; }),
      rl ? 'no rejections' : 'dgp.filter.llm.ratelimit is not configured', 3);

    var guard = M.sumBy(samples, 'dgp_guardrail_decisions_total', ['rule', 'stage', 'action']);
    rows('guardrails-body', Object.keys(guard).sort().map(function (k) {
      var p = k.split('\u0000');
      return [p[0], p[1], span(p[2], p[2] === 'block' ? 'bad' : p[2] === 'warn' ? 'warn' : ''), num(guard[k])];
    }), M.has(samples, 'dgp_guardrail_') ? 'no decisions yet' : 'dgp.filter.ai.guardrails is not configured', 4);

    // The response cache's metrics (dgp_cache_*): requests by outcome, and the cost the hits saved.
    if (M.has(samples, 'dgp_cache_')) {
      var hits = ['hit', 'hit_semantic', 'coalesced'].reduce(function (a, o) { return a + M.sum(samples, 'dgp_cache_requests_total', { outcome: o }); }, 0);
      var misses = M.sum(samples, 'dgp_cache_requests_total', { outcome: 'miss' });
      set('cache-hit-ratio', hits + misses > 0 ? num((100 * hits) / (hits + misses), 1) + ' %' : '–');
      set('cache-saved', usd(M.sum(samples, 'dgp_cache_saved_usd_total')));
    } else {
      set('cache-hit-ratio', 'not configured');
      set('cache-saved', 'not configured');
    }
    return samples;
  }

  function renderConfig(cfg, samples) {
    $('generation').textContent = (cfg.generation === undefined ? 'no worker ready' : 'generation ' + cfg.generation) + (Array.isArray(cfg.workers) ? ' · ' + cfg.workers.length + ' workers' : '');
    var attempts = M.sumBy(samples, 'dgp_upstream_attempts_total', ['cluster', 'endpoint', 'outcome']);
    var eps = [];
    ((cfg.runtime && cfg.runtime.clusters) || []).forEach(function (c) {
      (c.endpoints || []).forEach(function (e) {
        var ok = 0, failed = 0;
        Object.keys(attempts).forEach(function (k) {
          var p = k.split('\u0000');
          if (p[0] !== c.name || p[1] !== e.id) return;
          if (p[2] === 'success') ok += attempts[k]; else failed += attempts[k];
        });
        var health = e.healthy === false ? 'unhealthy' : 'healthy';
        if (e.cooldown_until) health += ' (cooldown until ' + new Date(e.cooldown_until).toLocaleTimeString() + ')';
        eps.push([c.name, e.id, e.provider || '–', span(health, e.healthy === false ? 'bad' : 'good'), num(ok) + ' / ' + num(failed)]);
      });
    });
    rows('endpoints-body', eps, 'no clusters', 5);

    var r = cfg.last_reload;
    q('last-reload').textContent = r
      ? 'last reload ' + new Date(r.at).toLocaleTimeString() + ' (' + (r.trigger || 'api') + '): ' + (r.ok ? 'ok, generation ' + r.generation : 'failed: ' + (r.code ? r.code + ' ' : '') + (r.error || ''))
      : 'no reload since the start';
    q('last-reload').className = r && !r.ok ? 'bad' : '';
    var reloads = M.sumBy(samples, 'dgp_config_reloads_total', ['result']);
    rows('reloads-body', Object.keys(reloads).sort().map(function (k) { return [span(k, k === 'success' ? 'good' : 'bad'), num(reloads[k])]; }), 'no reloads', 2);
  }

  /** The keys filters in the config: their static key ids, and whether one mounts the key API (master_key set). */
  function keysFilters(cfg) {
    var found = { ids: [], api: false };
    var listeners = (cfg.config && cfg.config.static_resources && cfg.config.static_resources.listeners) || [];
    listeners.forEach(function (l) {
      var chains = Array.isArray(l.filter_chains) ? l.filter_chains : [l.filter_chains || {}];
      chains.forEach(function (ch) {
        (ch.filters || []).forEach(function (f) {
          ((f.config && f.config.http_filters) || []).forEach(function (hf) {
            if (hf.name !== 'dgp.filter.llm.keys') return;
            var c = hf.config || {};
            if (c.master_key) found.api = true;
            (c.keys || []).forEach(function (k) { var id = k.id || k.alias; if (id && found.ids.indexOf(id) < 0) found.ids.push(id); });
          });
        });
      });
    });
    return found;
  }

  /** Key ids to show: the static keys, then the key store's (GET /admin/v1/keys). */
  function keyIds(found) {
    var ids = found.ids.slice();
    return get('/admin/v1/keys?limit=' + MAX_KEYS)
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (body) {
        (body.items || []).forEach(function (k) { var id = k.id || k.key_alias; if (id && ids.indexOf(id) < 0) ids.push(id); });
        return ids.slice(0, MAX_KEYS);
      });
  }

  function refreshBudgets(cfg) {
    var found = keysFilters(cfg);
    // Budgets are read through the key API, which the keys filter mounts only with a master_key (and a key store).
    if (!found.api) {
      rows('budgets-body', [], found.ids.length ? 'budgets are read through the key API: give dgp.filter.llm.keys a store and master_key' : 'dgp.filter.llm.keys is not configured', 4);
      return Promise.resolve();
    }
    return keyIds(found).then(function (ids) {
      return Promise.all(ids.map(function (id) {
        return get('/admin/v1/budgets?key=' + encodeURIComponent(id)).then(function (r) {
          return r.status === 404 ? { id: id, missing: true } : r.json().then(function (b) { return { id: id, budgets: b.budgets || [] }; });
        });
      }));
    }).then(function (list) {
      var out = [];
      list.forEach(function (k) {
        if (k.missing) return;
        if (k.budgets.length === 0) out.push([k.id, '–', 'no budget', '']);
        k.budgets.forEach(function (b) {
          var frac = b.limit_usd > 0 ? Math.min(1, (b.spent_usd + b.held_usd) / b.limit_usd) : 1;
          var bar = document.createElement('span');
          bar.className = 'bar' + (frac >= 0.8 ? ' hot' : '');
          var fill = document.createElement('span');
          fill.style.width = (100 * frac).toFixed(1) + '%';
          bar.append(fill);
          var cell = document.createElement('span');
          cell.append(bar, document.createTextNode(usd(b.spent_usd) + ' / ' + usd(b.limit_usd)));
          out.push([k.id, b.budget, cell, b.reset_at ? new Date(b.reset_at).toLocaleString() : 'lifetime']);
        });
      });
      rows('budgets-body', out, 'no keys', 4);
    });
  }

  function poll() {
    polls++;
    var now = Date.now();
    return Promise.all([get('/metrics').then(function (r) { return r.text(); }), get('/config').then(function (r) { return r.json(); }), get('/ready')])
      .then(function (res) {
        var samples = renderMetrics(M.parse(res[0]), now);
        renderConfig(res[1], samples);
        var ready = res[2].ok;
        $('status').textContent = ready ? 'ready' : 'not ready';
        $('status').className = 'pill ' + (ready ? 'good' : 'bad');
        $('updated').textContent = 'updated ' + new Date(now).toLocaleTimeString();
        $('error').hidden = true;
        $('login').hidden = true;
        $('logout').hidden = !token();
        document.body.dataset.polls = String(polls);
        if (polls === 1 || polls % BUDGET_EVERY === 0) return refreshBudgets(res[1]);
      })
      .catch(function (err) {
        if (err.unauthorized) {
          stop();
          return showLogin(token() ? 'that token was refused' : '');
        }
        $('error').hidden = false;
        $('error').textContent = 'cannot reach the gateway: ' + err.message;
        $('status').textContent = 'unreachable';
        $('status').className = 'pill bad';
      });
  }

  function loop() { timer = setTimeout(function () { poll().then(function () { if (timer !== null) loop(); }); }, INTERVAL); }
  function stop() { if (timer !== null) clearTimeout(timer); timer = null; }
  function start() { stop(); timer = -1; poll().then(function () { if (timer !== null) loop(); }); }

  function showLogin(message) {
    $('login').hidden = false;
    $('login-error').textContent = message;
    $('status').textContent = 'token needed';
  }

  $('login').addEventListener('submit', function (e) {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
    $('token').value = '';
    start();
  });
  $('logout').addEventListener('click', function () { sessionStorage.removeItem(TOKEN_KEY); location.reload(); });
  // The server marks the page when the gateway has an admin token: ask for it before the first data request.
  if (document.body.dataset.tokenRequired === 'true' && !token()) showLogin('');
  else start();
})();
