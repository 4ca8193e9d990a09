namespace Tandem.Monitor.Dashboard;

internal static partial class DashboardAssets
{
    /// <summary>
    /// Polls <c>api/state</c> and <c>api/series</c> every two seconds and redraws. Builds every
    /// element with createElement (no innerHTML), so names and reasons from the nodes are text,
    /// never markup; sets no inline styles, so the page's CSP needs no 'unsafe-inline'.
    /// </summary>
    public const string Script = """
        'use strict';
        (() => {
          const POLL_MS = 2000;
          const SVG_NS = 'http://www.w3.org/2000/svg';
          const CHARTS = [
            { id: 'requests', lines: [{ metric: 'Requests', label: 'requests', unit: ' req/s' }] },
            { id: 'errors', minMax: 1, lines: [
              { metric: 'TotalErrorRate', label: 'total', unit: '%' },
              { metric: '4xxErrorRate', label: '4xx', unit: '%' },
              { metric: '5xxErrorRate', label: '5xx', unit: '%' }] },
            { id: 'cache', fixedMax: 100, lines: [{ metric: 'CacheHitRate', label: 'hit rate', unit: '%' }] },
            { id: 'latency', lines: [
              { metric: 'OriginLatencyP50', label: 'p50', unit: ' ms' },
              { metric: 'OriginLatencyP90', label: 'p90', unit: ' ms' },
              { metric: 'OriginLatencyP99', label: 'p99', unit: ' ms' }] },
          ];
          const FAILOVERS = 'Failovers';
          const METRICS = [...new Set(CHARTS.flatMap(c => c.lines.map(l => l.metric)).concat([FAILOVERS]))];

          let scope = '';
          let windowMinutes = 15;
          let timer = 0;
          let polling = false;
          let pollAgain = false;
          let lastUpdate = null;

          // ---- DOM helpers ------------------------------------------------------------------
          function make(ns, tag, attrs, children) {
            const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
            for (const [key, value] of Object.entries(attrs || {})) {
              if (value !== null && value !== undefined && value !== false) node.setAttribute(key, String(value));
            }
            for (const child of children.flat()) {
              if (child === null || child === undefined || child === false) continue;
              node.append(child instanceof Node ? child : document.createTextNode(String(child)));
            }
            return node;
          }
          const h = (tag, attrs, ...children) => make(null, tag, attrs, children);
          const s = (tag, attrs, ...children) => make(SVG_NS, tag, attrs, children);
          const byId = id => document.getElementById(id);
          const replace = (target, ...children) => target.replaceChildren(...children.flat().filter(c => c));

          // ---- formatting -------------------------------------------------------------------
          const pad = n => String(n).padStart(2, '0');
          const timeOf = value => {
            const d = new Date(value);
            return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
          };
          const shortTimeOf = value => timeOf(value).slice(0, 5);
          const dateTimeOf = value => new Date(value).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
          function ago(ms) {
            const secs = Math.max(0, Math.round(ms / 1000));
            if (secs < 90) return `${secs} s ago`;
            if (secs < 5400) return `${Math.round(secs / 60)} min ago`;
            if (secs < 172800) return `${Math.round(secs / 3600)} h ago`;
            return `${Math.round(secs / 86400)} days ago`;
          }
          function number(v) {
            if (v === null || v === undefined || !Number.isFinite(v)) return '—';
            const a = Math.abs(v);
            return a >= 1000 ? v.toFixed(0) : a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
          }
          const ms = v => (v === null || v === undefined) ? '—' : `${number(v)} ms`;
          // .NET writes a TimeSpan as [d.]hh:mm:ss[.fffffff].
          function seconds(span) {
            const m = /^(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(span || '');
            return m ? (+(m[1] || 0)) * 86400 + (+m[2]) * 3600 + (+m[3]) * 60 + (+m[4]) : 0;
          }

          // ---- polling ----------------------------------------------------------------------
          async function getJson(url) {
            const response = await fetch(url, { cache: 'no-store', headers: { accept: 'application/json' } });
            if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
            return response.json();
          }

          function seriesUrl(metric) {
            let url = `api/series?metric=${encodeURIComponent(metric)}&minutes=${windowMinutes}`;
            if (scope) url += `&node=${encodeURIComponent(scope)}`;
            return url;
          }

          async function poll() {
            if (polling) { pollAgain = true; return; }
            polling = true;
            clearTimeout(timer);
            try {
              // The state is drawn as soon as it arrives: a failover should not wait for the charts.
              const state = getJson('api/state').then(renderState);
              const series = Promise.all(METRICS.map(m => getJson(seriesUrl(m)))).then(renderCharts);
              await Promise.all([state, series]);
              lastUpdate = new Date();
              document.body.setAttribute('data-updated', lastUpdate.toISOString()); // for tests: a poll has drawn
            } catch (error) {
              const f = byId('freshness');
              f.className = 'freshness lost';
              f.textContent = `cannot update, retrying every ${POLL_MS / 1000} s` +
                (lastUpdate ? ` (last update ${timeOf(lastUpdate)} UTC)` : '') + ` — ${error.message}`;
            } finally {
              polling = false;
              if (pollAgain) { pollAgain = false; poll(); } else { timer = setTimeout(poll, document.hidden ? 5 * POLL_MS : POLL_MS); }
            }
          }

          // ---- state ------------------------------------------------------------------------
          function renderState(state) {
            renderFreshness(state);
            renderScope(state);
            renderGroups(state.originGroups || []);
            renderAlarms(state.alarms || [], Date.parse(state.taken));
            renderReleases(state.liveRelease || {}, state.certificateExpiryDays || {});
            renderNodes(state.nodes || []);
            renderDrills(state.drills || []);
          }

          function renderFreshness(state) {
            const f = byId('freshness');
            const interval = seconds(state.scrapeInterval);
            const every = interval ? ` · scraping every ${number(interval).replace(/\.0+$/, '')} s` : '';
            if (!state.lastScrape) {
              f.className = 'freshness stale';
              f.textContent = 'no scrape has finished yet' + every;
              return;
            }
            const age = Date.parse(state.taken) - Date.parse(state.lastScrape);
            const stale = interval > 0 && age > 3 * interval * 1000;
            f.className = stale ? 'freshness stale' : 'freshness';
            f.textContent = `last scrape ${timeOf(state.lastScrape)} UTC (${ago(age)})${every}` +
              (stale ? ' · scrapes are late: numbers may be old' : '');
          }

          function renderScope(state) {
            const edges = [...new Set((state.nodes || []).filter(n => n.role === 'edge').map(n => n.name)
              .concat((state.originGroups || []).map(g => g.edge)))].sort();
            const select = byId('scope');
            const have = [...select.options].slice(1).map(o => o.value);
            if (have.join('\n') === edges.join('\n')) return;
            replace(select, h('option', { value: '' }, 'all edges'), edges.map(e => h('option', { value: e }, e)));
            select.value = edges.includes(scope) ? scope : '';
            scope = select.value;
          }

          // ---- origin groups ----------------------------------------------------------------
          function renderGroups(groups) {
            const target = byId('groups');
            if (!groups.length) { replace(target, h('p', { class: 'empty' }, 'no origin groups reported yet')); return; }
            replace(target, groups.map(groupView));
          }

          function groupView(group) {
            const origins = group.origins || [];
            const serving = group.servingFrom;
            const first = origins.length ? origins[0].name : null;
            const verdict = serving === null || serving === undefined
              ? 'none healthy: serving from cache'
              : serving === first ? `serving from ${serving}` : `serving from ${serving} (failed over from ${first})`;

            const boxW = 180, boxH = 62, gap = 12, edgeW = 150, width = 470, originX = width - boxW - 4;
            const height = Math.max(1, origins.length) * (boxH + gap) - gap + 8;
            const edgeY = height / 2 - boxH / 2;
            const parts = [];
            origins.forEach((origin, i) => {
              const y = 4 + i * (boxH + gap);
              const isServing = origin.name === serving;
              const x1 = 4 + edgeW, y1 = height / 2, x2 = originX - 2, y2 = y + boxH / 2;
              const angle = Math.atan2(y2 - y1, x2 - x1);
              const head = [[x2, y2], [x2 - 11 * Math.cos(angle - 0.4), y2 - 11 * Math.sin(angle - 0.4)],
                [x2 - 11 * Math.cos(angle + 0.4), y2 - 11 * Math.sin(angle + 0.4)]];
              parts.push(s('line', { class: isServing ? 'arrow serving' : 'arrow', x1, y1, x2: x2 - 6 * Math.cos(angle), y2: y2 - 6 * Math.sin(angle) }));
              parts.push(s('polygon', { class: isServing ? 'arrowhead serving' : 'arrowhead', points: head.map(p => p.map(n => n.toFixed(1)).join(',')).join(' ') }));
              parts.push(s('g', {
                  class: `box-origin ${origin.healthy ? 'healthy' : 'unhealthy'}`,
                  'data-origin': origin.name, 'data-healthy': origin.healthy, 'data-serving': isServing,
                  transform: `translate(${originX} ${y})`,
                },
                s('rect', { width: boxW, height: boxH, rx: 6 }),
                s('text', { class: 'name', x: 10, y: 20 }, origin.name),
                s('text', { class: 'sub', x: 10, y: 37 }, origin.region || 'no region'),
                s('text', { class: origin.healthy ? 'state-healthy' : 'state-unhealthy', x: 10, y: 54 }, origin.healthy ? 'healthy' : 'unhealthy'),
                isServing && s('g', { class: 'badge-serving', transform: `translate(${boxW - 70} 8)` },
                  s('rect', { width: 62, height: 20, rx: 10 }),
                  s('text', { x: 31, y: 14.5, 'text-anchor': 'middle' }, 'serving'))));
            });
            parts.unshift(s('g', { class: 'box-edge', transform: `translate(4 ${edgeY})` },
              s('rect', { width: edgeW, height: boxH, rx: 6 }),
              s('text', { class: 'name', x: 10, y: 20 }, group.edge),
              s('text', { class: 'sub', x: 10, y: 37 }, 'edge'),
              s('text', { class: 'sub', x: 10, y: 54 }, `group ${group.group}`)));
            if (serving === null || serving === undefined) {
              parts.push(s('text', { class: 'cache-note', x: 4, y: Math.min(height - 4, edgeY + boxH + 16) }, 'serving from cache'));
            }

            return h('article', { class: 'group', 'data-edge': group.edge, 'data-group': group.group, 'data-serving-from': serving || '' },
              h('h3', {}, `${group.edge} → ${group.group}`),
              s('svg', { class: 'diagram', viewBox: `0 0 ${width} ${Math.max(height, boxH + 30)}`, role: 'img', 'aria-label': `${group.edge}: ${verdict}` }, parts),
              h('p', { class: serving ? 'verdict' : 'verdict bad' }, verdict));
          }

          // ---- alarms, releases, nodes, drills ------------------------------------------------
          const STATE_ORDER = { ALARM: 0, INSUFFICIENT_DATA: 1, OK: 2 };
          function renderAlarms(alarms, now) {
            const target = byId('alarms');
            if (!alarms.length) { replace(target, h('p', { class: 'empty' }, 'no alarms configured')); return; }
            const sorted = [...alarms].sort((a, b) => ((STATE_ORDER[a.state] ?? 3) - (STATE_ORDER[b.state] ?? 3)) || a.name.localeCompare(b.name));
            const firing = alarms.filter(a => a.state === 'ALARM').length;
            replace(target,
              h('p', { class: firing ? 'warning' : 'empty' }, firing ? `${firing} in ALARM` : 'all alarms OK or waiting for data'),
              h('table', {},
                h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Alarm'), h('th', { scope: 'col' }, 'State'), h('th', { scope: 'col' }, 'Since (UTC)'), h('th', { scope: 'col' }, 'Reason'))),
                h('tbody', {}, sorted.map(a => h('tr', { class: a.state.toLowerCase(), 'data-alarm': a.name, 'data-state': a.state },
                  h('td', {}, a.name, h('div', { class: 'desc' }, a.description || a.metric)),
                  h('td', {}, h('span', { class: `pill ${a.state.toLowerCase()}` }, a.state)),
                  h('td', { class: 'time' }, timeOf(a.since), h('div', { class: 'desc' }, ago(now - Date.parse(a.since)))),
                  h('td', {}, a.reason))))));
          }

          // The default certificate-expiry alarm's threshold: fewer days left than this is a failing renewal.
          const CERTIFICATE_WARN_DAYS = 14;
          function certificateCell(days) {
            if (days === null || days === undefined) return h('td', {}, h('span', { class: 'empty' }, 'no HTTPS'));
            return h('td', { class: days < CERTIFICATE_WARN_DAYS ? 'warning' : null, 'data-days': days.toFixed(1) }, `expires in ${number(days)} days`);
          }

          function renderReleases(live, certificates) {
            const target = byId('releases');
            const edges = Object.keys(live).sort();
            if (!edges.length) { replace(target, h('p', { class: 'empty' }, 'no edges reported a release yet')); return; }
            const distinct = new Set(edges.map(e => live[e]).filter(r => r));
            replace(target,
              distinct.size > 1 && h('p', { class: 'warning' }, 'edges serve different releases'),
              h('table', {},
                h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Edge'), h('th', { scope: 'col' }, 'Release'), h('th', { scope: 'col' }, 'Certificate'))),
                h('tbody', {}, edges.map(e => h('tr', { 'data-edge': e },
                  h('td', {}, e),
                  h('td', {}, live[e] ? h('code', {}, live[e]) : h('span', { class: 'empty' }, 'none')),
                  certificateCell(certificates[e]))))));
          }

          function renderNodes(nodes) {
            const target = byId('nodes');
            if (!nodes.length) { replace(target, h('p', { class: 'empty' }, 'no nodes scraped yet')); return; }
            replace(target, h('table', {},
              h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Role'), h('th', { scope: 'col' }, 'Node'), h('th', { scope: 'col' }, 'Scrape'))),
              h('tbody', {}, nodes.map(n => h('tr', { 'data-node': n.name },
                h('td', {}, n.role),
                h('td', { title: n.url }, n.name),
                h('td', {}, h('span', { class: n.up ? 'pill up' : 'pill down' }, n.up ? 'up' : 'down'), n.error ? h('div', { class: 'desc' }, n.error) : null))))));
          }

          function renderDrills(drills) {
            const target = byId('drills');
            if (!drills.length) { replace(target, h('p', { class: 'empty' }, 'no drills yet')); return; }
            replace(target, drills.slice(0, 5).map(d => h('article', { class: 'drill', 'data-passed': d.passed },
              h('h3', {},
                h('span', { class: d.passed ? 'pill passed' : 'pill failed' }, d.passed ? 'passed' : 'failed'),
                dateTimeOf(d.started),
                h('span', { class: 'sub' }, `${number((Date.parse(d.finished) - Date.parse(d.started)) / 1000)} s against ${d.target}`)),
              (d.scenarios || []).length ? h('table', {},
                h('thead', {}, h('tr', {}, ['Scenario', 'Result', 'Failover', 'Recovery', 'Errors', 'Requests', 'Slowest', 'Notes'].map(c => h('th', { scope: 'col' }, c)))),
                h('tbody', {}, d.scenarios.map(sc => h('tr', { 'data-scenario': sc.scenario },
                  h('td', {}, sc.scenario),
                  h('td', {}, h('span', { class: sc.passed ? 'pill passed' : 'pill failed' }, sc.passed ? 'passed' : 'failed')),
                  h('td', { class: 'num' }, ms(sc.failoverMs)),
                  h('td', { class: 'num' }, ms(sc.recoveryMs)),
                  h('td', { class: 'num' }, sc.errors),
                  h('td', { class: 'num' }, sc.requests),
                  h('td', { class: 'num' }, ms(sc.slowestMs)),
                  h('td', {}, (sc.notes || []).join('; ')))))) : h('p', { class: 'empty' }, 'no scenarios'))));
          }

          // ---- charts -----------------------------------------------------------------------
          // The line of a metric for the chosen edge: the series of that node (the total, node
          // null, for all edges), or else the first the monitor returned.
          function pickSeries(response) {
            const list = (response && response.series) || [];
            const want = scope || null;
            return list.find(x => (x.node ?? null) === want) || list[0] || null;
          }

          function niceMax(value) {
            if (!(value > 0)) return 1;
            const power = Math.pow(10, Math.floor(Math.log10(value)));
            for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
            return 10 * power;
          }

          function renderCharts(responses) {
            const byMetric = Object.fromEntries(METRICS.map((m, i) => [m, responses[i]]));
            const any = responses[0];
            const from = Date.parse(any.from), to = Date.parse(any.to);
            const failovers = [];
            for (const line of (byMetric[FAILOVERS].series || [])) {
              if (scope && line.node !== scope) continue;
              for (const p of line.points) if (p.value > 0) failovers.push(Date.parse(p.at));
            }
            for (const chart of CHARTS) {
              const figure = document.querySelector(`.chart[data-chart="${chart.id}"]`);
              const lines = chart.lines.map((def, i) => {
                const series = pickSeries(byMetric[def.metric]);
                const points = series ? series.points.map(p => [Date.parse(p.at), p.value]) : [];
                const last = [...points].reverse().find(p => p[1] !== null && Number.isFinite(p[1]));
                return { def, i, points, last: last ? last[1] : null };
              });
              drawChart(figure, chart, lines, from, to, [...new Set(failovers)].filter(t => t >= from && t <= to));
            }
          }

          function drawChart(figure, chart, lines, from, to, failovers) {
            const W = 560, H = 190, L = 48, R = 12, T = 10, B = 26;
            const values = lines.flatMap(l => l.points.map(p => p[1]).filter(v => v !== null && Number.isFinite(v)));
            const empty = values.length === 0;
            figure.setAttribute('data-empty', empty);
            replace(figure.querySelector('.legend'), lines.map(l => h('span', { class: 'key', 'data-metric': l.def.metric },
              h('span', { class: `swatch s${l.i}` }), `${l.def.label} `, h('span', { class: 'last' }, l.last === null ? '—' : number(l.last) + l.def.unit))));

            const top = chart.fixedMax || niceMax(Math.max(chart.minMax || 0, ...values) * 1.05);
            const span = Math.max(1, to - from);
            const x = t => L + (t - from) / span * (W - L - R);
            const y = v => T + (1 - Math.min(v, top) / top) * (H - T - B);
            const parts = [];
            for (const f of [0, 0.5, 1]) {
              const v = top * f;
              parts.push(s('line', { class: f === 0 ? 'axis' : 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) }));
              parts.push(s('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }, number(v).replace(/\.0+$/, '')));
            }
            parts.push(s('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }));
            const label = windowMinutes <= 5 ? timeOf : shortTimeOf;
            parts.push(s('text', { x: L, y: H - 8, 'text-anchor': 'start' }, label(from)));
            parts.push(s('text', { x: (L + W - R) / 2, y: H - 8, 'text-anchor': 'middle' }, label((from + to) / 2)));
            parts.push(s('text', { x: W - R, y: H - 8, 'text-anchor': 'end' }, `${label(to)} UTC`));
            for (const t of failovers) {
              parts.push(s('line', { class: 'failover', x1: x(t), x2: x(t), y1: T, y2: H - B }, s('title', {}, `failover at ${timeOf(t)} UTC`)));
            }
            if (empty) {
              parts.push(s('text', { class: 'waiting', x: (L + W - R) / 2, y: (T + H - B) / 2, 'text-anchor': 'middle' }, 'waiting for data'));
            }
            for (const l of lines) {
              let d = '', count = 0, pen = false;
              for (const [t, v] of l.points) {
                if (v === null || !Number.isFinite(v)) { pen = false; continue; }
                d += `${pen ? 'L' : 'M'}${x(t).toFixed(1)} ${y(v).toFixed(1)} `;
                pen = true;
                count++;
              }
              if (count === 1) d += `h0.1`;
              if (count) parts.push(s('path', { class: `line s${l.i}`, d: d.trim(), 'data-metric': l.def.metric, 'data-points': count }));
            }
            const summary = lines.map(l => `${l.def.label} ${l.last === null ? 'no data' : number(l.last) + l.def.unit}`).join(', ');
            replace(figure.querySelector('.plot'), s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': empty ? 'waiting for data' : `latest: ${summary}` }, parts));
          }

          // ---- start ------------------------------------------------------------------------
          function start() {
            byId('controls').addEventListener('submit', e => e.preventDefault());
            byId('scope').addEventListener('change', e => { scope = e.target.value; poll(); });
            byId('window').addEventListener('change', e => { windowMinutes = +e.target.value || 15; poll(); });
            document.addEventListener('visibilitychange', () => { if (!document.hidden) poll(); });
            poll();
          }
          if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
        })();
        """;
}
