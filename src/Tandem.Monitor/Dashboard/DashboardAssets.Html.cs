namespace Tandem.Monitor.Dashboard;

/// <summary>
/// The dashboard's page, script, style and icon, as text compiled into the assembly. The
/// <c>{{…}}</c> placeholders are replaced with versioned asset URLs by <see cref="DashboardEndpoints"/>.
/// </summary>
internal static partial class DashboardAssets
{
    public const string Html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Tandem monitor</title>
        <link rel="icon" href="{{icon}}" type="image/svg+xml">
        <link rel="stylesheet" href="{{style}}">
        <script src="{{script}}" defer></script>
        </head>
        <body>
        <header class="top">
          <h1>Tandem monitor</h1>
          <p id="freshness" class="freshness">connecting…</p>
          <form class="controls" id="controls">
            <label>Edge
              <select id="scope" name="scope"><option value="">all edges</option></select>
            </label>
            <label>Window
              <select id="window" name="window">
                <option value="5">5 min</option>
                <option value="15" selected>15 min</option>
                <option value="60">1 hour</option>
                <option value="360">6 hours</option>
              </select>
            </label>
          </form>
        </header>
        <main>
          <section aria-labelledby="groups-heading" class="panel">
            <h2 id="groups-heading">Origin groups</h2>
            <div id="groups" class="groups"><p class="empty">waiting for data</p></div>
          </section>

          <section aria-labelledby="charts-heading" class="panel">
            <h2 id="charts-heading">Traffic <span class="hint">dashed lines: failovers</span></h2>
            <div class="charts">
              <figure class="chart" data-chart="requests" aria-labelledby="chart-requests-title">
                <figcaption id="chart-requests-title">Request rate <span class="unit">req/s</span></figcaption>
                <div class="legend"></div><div class="plot"></div>
              </figure>
              <figure class="chart" data-chart="errors" aria-labelledby="chart-errors-title">
                <figcaption id="chart-errors-title">Error rate <span class="unit">% of requests</span></figcaption>
                <div class="legend"></div><div class="plot"></div>
              </figure>
              <figure class="chart" data-chart="cache" aria-labelledby="chart-cache-title">
                <figcaption id="chart-cache-title">Cache hit rate <span class="unit">%</span></figcaption>
                <div class="legend"></div><div class="plot"></div>
              </figure>
              <figure class="chart" data-chart="latency" aria-labelledby="chart-latency-title">
                <figcaption id="chart-latency-title">Origin latency <span class="unit">ms</span></figcaption>
                <div class="legend"></div><div class="plot"></div>
              </figure>
            </div>
          </section>

          <div class="columns">
            <section aria-labelledby="alarms-heading" class="panel">
              <h2 id="alarms-heading">Alarms</h2>
              <div id="alarms"><p class="empty">waiting for data</p></div>
            </section>
            <section aria-labelledby="releases-heading" class="panel">
              <h2 id="releases-heading">Live release and certificate</h2>
              <div id="releases"><p class="empty">waiting for data</p></div>
              <h2 id="nodes-heading">Nodes</h2>
              <div id="nodes"><p class="empty">waiting for data</p></div>
            </section>
          </div>

          <section aria-labelledby="drills-heading" class="panel">
            <h2 id="drills-heading">Recent drills</h2>
            <div id="drills"><p class="empty">waiting for data</p></div>
          </section>
        </main>
        </body>
        </html>
        """;

    /// <summary>Two boxes and an arrow: an edge and its origins.</summary>
    public const string Icon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="2" y="11" width="10" height="10" rx="2" fill="#2563eb"/><rect x="20" y="3" width="10" height="10" rx="2" fill="#16a34a"/><rect x="20" y="19" width="10" height="10" rx="2" fill="#94a3b8"/><path d="M12 16 L20 8" stroke="#16a34a" stroke-width="3"/></svg>
        """;
}
