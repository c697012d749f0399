/*
 * /status/app.js: the dashboard's browser script, served as a file (the page's CSP forbids
 * inline script) and kept as plain ES2017 in a string, because the server is built by tsc alone
 * and has no bundler or asset step. The Chromium test (e2e/signal-status.e2e.test.ts) is what
 * checks it. It reads the event shapes in ../status-events.ts.
 *
 * Reconnecting: EventSource reconnects by itself after a network error and sends the last id
 * it saw as Last-Event-ID. After an HTTP error (a 503 when the server has too many dashboards
 * open, a 401) it gives up for good, and a new EventSource would not send Last-Event-ID, so the
 * script opens one itself with the id in the lastEventId query parameter.
 *
 * Ids are "<epoch>.<seq>" with seq counting up by one. A gap (which the server should never
 * send) or a different epoch without a reset means the totals here are wrong: the script then
 * asks for a fresh snapshot instead of showing wrong numbers.
 *
 * Everything from the server goes into the page as textContent, never as markup: node names
 * are operator-chosen strings, and other nodes' reports come from Redis.
 */
export const DASHBOARD_SCRIPT = String.raw`'use strict';
(function () {
  var MAX_LOG = 1000;
  var MANUAL_RETRY_MS = 5000;
  var CHART_MAX_WINDOW_MS = 10 * 60 * 1000;
  var CHART_MIN_WINDOW_MS = 60 * 1000;
  var CHART_POINTS = 600;

  var state = null;
  // Server clock minus this browser's, from the last snapshot: node ages use the server's time.
  var clockOffset = 0;
  var epoch = null;
  var lastSeq = 0;
  var lastId = null;
  var source = null;
  var retryTimer = null;

  function el(id) { return document.getElementById(id); }
  function text(id, value) { el(id).textContent = String(value); }

  function setConnection(kind) {
    var node = el('connection');
    node.setAttribute('data-state', kind);
    node.textContent = kind === 'live' ? 'live' : kind === 'reconnecting' ? 'reconnecting…' : 'connecting…';
  }

  function parseId(id) {
    var dot = id.lastIndexOf('.');
    return { epoch: id.slice(0, dot), seq: Number(id.slice(dot + 1)) };
  }

  function connect(withLastId) {
    clearTimeout(retryTimer);
    if (source) source.close();
    var url = 'status/events' + (withLastId && lastId ? '?lastEventId=' + encodeURIComponent(lastId) : '');
    source = new EventSource(url);
    source.onopen = function () { setConnection('live'); };
    source.onerror = function () {
      setConnection('reconnecting');
      if (source.readyState === EventSource.CLOSED) {
        retryTimer = setTimeout(function () { connect(true); }, MANUAL_RETRY_MS);
      }
    };
    ['reset', 'peers', 'refusals', 'relay', 'cluster'].forEach(function (type) {
      source.addEventListener(type, function (event) { receive(type, event); });
    });
  }

  function receive(type, event) {
    var id = parseId(event.lastEventId);
    var data = JSON.parse(event.data);
    if (type === 'reset') {
      applySnapshot(data);
      epoch = id.epoch;
      lastSeq = id.seq;
      lastId = event.lastEventId;
      log(event.lastEventId, id.seq, type, data.t, 'snapshot: ' + data.peers + ' peers, ' + data.registrations + ' registrations');
      render();
      return;
    }
    if (state === null || id.epoch !== epoch || id.seq !== lastSeq + 1) {
      log(event.lastEventId, id.seq, 'gap', Date.now(), 'expected #' + (lastSeq + 1) + '; fetching a snapshot');
      lastId = null;
      connect(false);
      return;
    }
    lastSeq = id.seq;
    lastId = event.lastEventId;
    if (type === 'peers') applyPeers(data);
    else if (type === 'refusals') applyCounts(state.refusals, data.counts);
    else if (type === 'cluster') state.cluster = data;
    else if (type === 'relay') {
      applyCounts(state.relayed, data.counts);
      state.relayPerSecond = data.perSecond;
      state.lastRelayAt = Date.now();
    }
    log(event.lastEventId, id.seq, type, data.t, describe(type, data));
    render();
  }

  function applySnapshot(s) {
    state = {
      peers: s.peers,
      registrations: s.registrations,
      reconnects: s.reconnects,
      leaves: s.leaves,
      refusals: Object.assign({}, s.refusals),
      relayed: Object.assign({}, s.relayed),
      relayPerSecond: s.relayPerSecond,
      lastRelayAt: s.relayPerSecond > 0 ? Date.now() : 0,
      series: s.peerSeries.slice(-CHART_POINTS),
      cluster: s.cluster || null,
    };
    clockOffset = s.t - Date.now();
    el('ids-note').textContent = s.showsPeerIds
      ? 'Peers appear as short keyed hashes that change when the server restarts; ids are never shown.'
      : 'Peer ids are never shown.';
  }

  function applyPeers(d) {
    state.peers = d.peers;
    state.registrations += d.registered;
    state.reconnects += d.reconnected;
    state.leaves += d.left;
    state.series.push([d.t, d.peers]);
    if (state.series.length > CHART_POINTS) state.series.shift();
  }

  function applyCounts(into, counts) {
    Object.keys(counts).forEach(function (k) { into[k] = (into[k] || 0) + counts[k]; });
  }

  function sum(counts) {
    return Object.keys(counts).reduce(function (n, k) { return n + counts[k]; }, 0);
  }

  function describe(type, d) {
    if (type === 'cluster') return d.nodes.length + (d.nodesOmitted || 0) + ' nodes, ' + d.peers + ' peers, redis ' + d.redis;
    if (type === 'peers') {
      var parts = [d.peers + ' peers'];
      if (d.registered) parts.push('+' + d.registered + ' registered' + hashes(d.ids && d.ids.registered));
      if (d.reconnected) parts.push(d.reconnected + ' reconnected' + hashes(d.ids && d.ids.reconnected));
      if (d.left) parts.push('-' + d.left + ' left' + hashes(d.ids && d.ids.left));
      if (d.idsOmitted) parts.push('(' + d.idsOmitted + ' more)');
      return parts.join(', ');
    }
    var detail = Object.keys(d.counts).map(function (k) { return k + ' ' + d.counts[k]; }).join(', ');
    if (type === 'relay') return d.total + ' relayed (' + detail + '), ' + d.perSecond + '/s';
    return d.total + ' refused (' + detail + ')';
  }

  function hashes(list) {
    return list && list.length ? ' [' + list.join(' ') + ']' : '';
  }

  // t is the server's time for the event: a replayed event shows when it happened, not when it arrived.
  function log(id, seq, type, t, message) {
    var list = el('log');
    var item = document.createElement('li');
    item.setAttribute('data-id', id);
    item.setAttribute('data-seq', String(seq));
    item.setAttribute('data-type', type);
    item.textContent = '#' + seq + ' ' + new Date(t).toLocaleTimeString() + ' ' + type + ': ' + message;
    list.insertBefore(item, list.firstChild);
    while (list.childElementCount > MAX_LOG) list.removeChild(list.lastChild);
    el('last-event').textContent = 'last #' + seq;
  }

  function fillTable(id, counts) {
    var body = el(id);
    while (body.firstChild) body.removeChild(body.firstChild);
    Object.keys(counts).sort().forEach(function (k) {
      var row = document.createElement('tr');
      var name = document.createElement('td');
      var value = document.createElement('td');
      name.textContent = k;
      value.textContent = String(counts[k]);
      row.appendChild(name);
      row.appendChild(value);
      body.appendChild(row);
    });
  }

  function duration(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
    if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
    return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
  }

  function cell(row, value, className) {
    var td = document.createElement('td');
    td.textContent = value;
    if (className) td.className = className;
    row.appendChild(td);
  }

  function renderCluster() {
    var c = state.cluster;
    el('cluster').hidden = !c;
    if (!c) return;
    var redis = el('cluster-redis');
    redis.setAttribute('data-state', c.redis === 'up' ? 'up' : 'down');
    redis.textContent = 'Redis ' + (c.redis === 'up' ? 'up' : 'down');
    var count = c.nodes.length + (c.nodesOmitted || 0);
    text('cluster-summary', count + (count === 1 ? ' node, ' : ' nodes, ') + c.peers + ' peers' +
      (typeof c.redisRoundTripMs === 'number' ? ', last Redis round trip ' + c.redisRoundTripMs + ' ms' : ''));
    var body = el('cluster-nodes');
    while (body.firstChild) body.removeChild(body.firstChild);
    var now = Date.now() + clockOffset;
    c.nodes.forEach(function (n) {
      var row = document.createElement('tr');
      cell(row, n.node);
      cell(row, n.node === c.node ? 'this node' : '', 'this-node');
      cell(row, String(n.peers));
      cell(row, duration(now - n.startedAt));
      cell(row, n.version);
      body.appendChild(row);
    });
    if (c.nodesOmitted) {
      var more = document.createElement('tr');
      cell(more, '… ' + c.nodesOmitted + ' more');
      body.appendChild(more);
    }
  }

  function drawChart() {
    var now = Date.now();
    // Up to ten minutes, but no wider than the data (with a minute's floor), so a young
    // server's history is not squeezed against the right edge.
    var oldest = state.series.length ? state.series[0][0] : now;
    var windowMs = Math.min(CHART_MAX_WINDOW_MS, Math.max(CHART_MIN_WINDOW_MS, now - oldest));
    var from = now - windowMs;
    var points = [];
    var max = 1;
    var current = state.series.length ? state.series[state.series.length - 1][1] : state.peers;
    var before = null;
    state.series.forEach(function (p) {
      if (p[0] < from) { before = p; return; }
      points.push(p);
    });
    if (before) points.unshift([from, before[1]]);
    points.push([now, current]);
    points.forEach(function (p) { if (p[1] > max) max = p[1]; });
    var coords = [];
    // A step line: a count holds until the next change.
    points.forEach(function (p, i) {
      var x = Math.max(0, ((p[0] - from) / windowMs) * 600);
      var y = 115 - (p[1] / max) * 110;
      if (i > 0) coords.push(x.toFixed(1) + ',' + coords[coords.length - 1].split(',')[1]);
      coords.push(x.toFixed(1) + ',' + y.toFixed(1));
    });
    el('peer-line').setAttribute('points', coords.join(' '));
    text('peer-range', '(last ' + Math.round(windowMs / 1000) + ' s, max ' + max + ')');
  }

  function render() {
    if (state === null) return;
    // The rate is per flush interval; after a quiet spell no relay event comes to say 0.
    if (state.lastRelayAt && Date.now() - state.lastRelayAt > 3000) state.relayPerSecond = 0;
    text('peers', state.peers);
    text('registrations', state.registrations);
    text('reconnects', state.reconnects);
    text('leaves', state.leaves);
    text('relayed', sum(state.relayed));
    text('relay-rate', state.relayPerSecond >= 100 ? Math.round(state.relayPerSecond) : state.relayPerSecond);
    text('refusals', sum(state.refusals));
    fillTable('relayed-by-type', state.relayed);
    fillTable('refusals-by-reason', state.refusals);
    renderCluster();
    drawChart();
  }

  setInterval(render, 1000);
  connect(false);
})();
`;
