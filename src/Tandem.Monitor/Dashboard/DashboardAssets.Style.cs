namespace Tandem.Monitor.Dashboard;

internal static partial class DashboardAssets
{
    public const string Style = """
        :root {
          --bg: #f3f4f6; --panel: #ffffff; --text: #111827; --muted: #4b5563; --line: #d1d5db;
          --ok: #15803d; --ok-bg: #dcfce7; --bad: #b91c1c; --bad-bg: #fee2e2; --unknown: #4b5563; --unknown-bg: #e5e7eb;
          --edge: #1d4ed8; --edge-bg: #dbeafe;
          --s0: #2563eb; --s1: #b45309; --s2: #dc2626; --s3: #7c3aed;
          font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
          font-size: 15px; color: var(--text); background: var(--bg);
        }
        * { box-sizing: border-box; }
        body { margin: 0; }
        h1 { font-size: 1.35rem; margin: 0; }
        h2 { font-size: 1.05rem; margin: 0 0 .6rem; }
        h2 + div + h2 { margin-top: 1rem; }
        .top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; padding: .8rem 1.2rem;
          background: #111827; color: #f9fafb; }
        .freshness { margin: 0; color: #d1d5db; flex: 1; }
        .freshness.stale, .freshness.lost { color: #fecaca; font-weight: 600; }
        .controls { display: flex; gap: 1rem; }
        .controls label { display: flex; align-items: center; gap: .4rem; color: #e5e7eb; }
        .controls select { font: inherit; padding: .15rem .3rem; border-radius: 4px; }
        main { padding: 1rem 1.2rem 2rem; max-width: 1500px; margin: 0 auto; display: grid; gap: 1rem; }
        .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: .9rem 1rem; }
        .columns { display: grid; grid-template-columns: 3fr 2fr; gap: 1rem; }
        .empty { color: var(--muted); font-style: italic; margin: .3rem 0; }
        .hint, .unit { color: var(--muted); font-weight: normal; font-size: .85rem; margin-left: .4rem; }

        .groups { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: .8rem; }
        .group { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .6rem; }
        .group h3 { font-size: .95rem; margin: 0 0 .3rem; }
        .group .verdict { margin: .2rem 0 0; font-weight: 600; }
        .group .verdict.bad { color: var(--bad); }
        .group svg { width: 100%; height: auto; display: block; }
        .box-edge rect { fill: var(--edge-bg); stroke: var(--edge); stroke-width: 2; }
        .box-origin rect { stroke-width: 2; }
        .box-origin.healthy rect { fill: var(--ok-bg); stroke: var(--ok); }
        .box-origin.unhealthy rect { fill: var(--bad-bg); stroke: var(--bad); stroke-dasharray: 6 3; }
        .box-origin[data-serving="true"] rect { stroke-width: 4; }
        .box-origin .badge-serving rect { fill: var(--ok); stroke: none; }
        .box-origin .badge-serving text { fill: #ffffff; font-weight: 700; }
        .diagram text { fill: var(--text); font-size: 13px; }
        .diagram .name { font-weight: 700; font-size: 14px; }
        .diagram .sub { fill: var(--muted); }
        .diagram .state-healthy { fill: var(--ok); font-weight: 600; }
        .diagram .state-unhealthy { fill: var(--bad); font-weight: 600; }
        .diagram .cache-note { fill: var(--bad); font-weight: 700; }
        .arrow { stroke: var(--line); stroke-width: 2; fill: none; stroke-dasharray: 5 4; }
        .arrow.serving { stroke: var(--ok); stroke-width: 3.5; stroke-dasharray: none; }
        .arrowhead { fill: var(--line); }
        .arrowhead.serving { fill: var(--ok); }

        .charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: .8rem; }
        .chart { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: .5rem .6rem; }
        .chart figcaption { font-weight: 600; }
        .legend { display: flex; flex-wrap: wrap; gap: .2rem 1rem; min-height: 1.4rem; font-size: .85rem; margin: .2rem 0; }
        .legend .key { display: inline-flex; align-items: center; gap: .3rem; }
        .legend .swatch { display: inline-block; width: 14px; height: 3px; border-radius: 2px; }
        .legend .last { font-weight: 700; font-variant-numeric: tabular-nums; }
        .swatch.s0 { background: var(--s0); } .swatch.s1 { background: var(--s1); }
        .swatch.s2 { background: var(--s2); } .swatch.s3 { background: var(--s3); }
        .plot svg { width: 100%; height: auto; display: block; }
        .plot .grid { stroke: #e5e7eb; stroke-width: 1; }
        .plot .axis { stroke: #9ca3af; stroke-width: 1; }
        .plot text { fill: var(--muted); font-size: 11px; font-variant-numeric: tabular-nums; }
        .plot .waiting { fill: var(--muted); font-size: 15px; font-style: italic; }
        .plot .line { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
        .plot .line.s0 { stroke: var(--s0); } .plot .line.s1 { stroke: var(--s1); }
        .plot .line.s2 { stroke: var(--s2); } .plot .line.s3 { stroke: var(--s3); }
        .plot .failover { stroke: var(--bad); stroke-width: 1.5; stroke-dasharray: 4 3; }

        table { border-collapse: collapse; width: 100%; font-size: .9rem; }
        th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { color: var(--muted); font-weight: 600; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .pill { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-weight: 700; font-size: .8rem; }
        .pill.ok, .pill.passed, .pill.up { background: var(--ok-bg); color: var(--ok); }
        .pill.alarm, .pill.failed, .pill.down { background: var(--bad-bg); color: var(--bad); }
        .pill.insufficient_data { background: var(--unknown-bg); color: var(--unknown); }
        tr.alarm td:first-child { border-left: 4px solid var(--bad); }
        .desc { color: var(--muted); font-size: .8rem; }
        .drill { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .6rem; margin-bottom: .6rem; }
        .drill h3 { font-size: .95rem; margin: 0 0 .4rem; display: flex; gap: .6rem; align-items: center; flex-wrap: wrap; }
        .drill .sub { color: var(--muted); font-weight: normal; }
        .warning { color: var(--bad); font-weight: 600; }
        td.time { white-space: nowrap; }
        @media (max-width: 1000px) { .columns, .charts { grid-template-columns: 1fr; } }
        """;
}
