/** /status/app.css: a separate file because the page's CSP allows no inline style. */
export const DASHBOARD_CSS = `:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0 auto; max-width: 60rem; padding: 1rem; }
header { display: flex; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
h1 { font-size: 1.4rem; margin: 0; }
h2 { font-size: 1.05rem; margin: 1.2rem 0 0.4rem; }
small { font-weight: normal; opacity: 0.7; }
#connection { padding: 0.1rem 0.6rem; border-radius: 1rem; font-size: 0.9rem; }
#connection[data-state="live"] { background: #1a7f37; color: #fff; }
#connection[data-state="connecting"], #connection[data-state="reconnecting"] { background: #bf8700; color: #fff; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); gap: 0.6rem; margin-top: 1rem; }
.card { border: 1px solid #8884; border-radius: 0.4rem; padding: 0.5rem 0.7rem; }
.label { font-size: 0.8rem; opacity: 0.75; }
.value { font-size: 1.5rem; font-variant-numeric: tabular-nums; }
#peer-chart { width: 100%; height: 8rem; border: 1px solid #8884; border-radius: 0.4rem; }
#peer-line { fill: none; stroke: #0969da; stroke-width: 2; vector-effect: non-scaling-stroke; }
.tables { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
#cluster-redis { padding: 0.05rem 0.5rem; border-radius: 1rem; font-size: 0.8rem; font-weight: normal; color: #fff; }
#cluster-redis[data-state="up"] { background: #1a7f37; }
#cluster-redis[data-state="down"] { background: #cf222e; }
th { text-align: left; font-size: 0.8rem; font-weight: normal; opacity: 0.75; padding-right: 0.8rem; }
.this-node { font-size: 0.8rem; opacity: 0.75; }
td { padding: 0.1rem 0.8rem 0.1rem 0; font-variant-numeric: tabular-nums; }
#log { list-style: none; padding: 0; margin: 0; max-height: 24rem; overflow-y: auto; font: 0.85rem ui-monospace, monospace; }
#log li { padding: 0.1rem 0; border-bottom: 1px solid #8882; }
footer { margin-top: 1.5rem; font-size: 0.8rem; opacity: 0.7; }
`;
