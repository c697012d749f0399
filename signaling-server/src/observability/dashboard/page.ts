/*
 * The /status page. Plain HTML with no inline script or style, so it runs under
 * `default-src 'self'` (the header router.ts sends); the script and style are separate files.
 * URLs are relative ("status/app.js") so the page also works behind a proxy that mounts the
 * server under a sub-path.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Ferry signaling status</title>
<link rel="stylesheet" href="status/app.css">
<script src="status/app.js" defer></script>
</head>
<body>
<header>
  <h1>Ferry signaling server</h1>
  <span id="connection" data-state="connecting">connecting…</span>
</header>
<main>
  <section class="cards" aria-label="Totals">
    <div class="card"><div class="label">Peers connected</div><div class="value" id="peers">–</div></div>
    <div class="card"><div class="label">Registrations</div><div class="value" id="registrations">–</div></div>
    <div class="card"><div class="label">Reconnects</div><div class="value" id="reconnects">–</div></div>
    <div class="card"><div class="label">Leaves</div><div class="value" id="leaves">–</div></div>
    <div class="card"><div class="label">Relayed messages</div><div class="value" id="relayed">–</div></div>
    <div class="card"><div class="label">Relay rate (msg/s)</div><div class="value" id="relay-rate">–</div></div>
    <div class="card"><div class="label">Refusals</div><div class="value" id="refusals">–</div></div>
  </section>
  <section id="cluster" hidden>
    <h2>Cluster <span id="cluster-redis" data-state="down"></span> <small id="cluster-summary"></small></h2>
    <table>
      <thead><tr><th>Node</th><th></th><th>Peers</th><th>Up for</th><th>Version</th></tr></thead>
      <tbody id="cluster-nodes"></tbody>
    </table>
  </section>
  <section>
    <h2>Peers over time <small id="peer-range"></small></h2>
    <svg id="peer-chart" viewBox="0 0 600 120" preserveAspectRatio="none" role="img" aria-label="Peers connected over time">
      <polyline id="peer-line" points=""></polyline>
    </svg>
  </section>
  <section class="tables">
    <div><h2>Relayed by type</h2><table><tbody id="relayed-by-type"></tbody></table></div>
    <div><h2>Refusals by reason</h2><table><tbody id="refusals-by-reason"></tbody></table></div>
  </section>
  <section>
    <h2>Events <small id="last-event"></small></h2>
    <ol id="log"></ol>
  </section>
</main>
<footer>
  <p id="ids-note">Peer ids are never shown.</p>
</footer>
</body>
</html>
`;
