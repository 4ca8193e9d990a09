using Microsoft.AspNetCore.Builder;

namespace Tandem.Monitor.Dashboard;

/// <summary>The dashboard's web endpoints. Placeholder until the dashboard lands.</summary>
public static class DashboardEndpoints
{
    /// <summary>Maps the dashboard page, its assets and its JSON API onto <paramref name="app"/>.</summary>
    public static WebApplication MapDashboard(this WebApplication app, IMonitorReadModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return app;
    }
}
