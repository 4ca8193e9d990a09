using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tandem.Origin.Storage;

namespace Tandem.Origin.Website;

public static class WebsiteEndpointExtensions
{
    /// <summary>
    /// Answers every request that reaches this point of the pipeline as S3's website endpoint
    /// (terminal, like <c>app.Run</c>): give it its own listener, for example
    /// <c>app.MapWebsiteEndpoint(store, new WebsiteOptions { FallbackBucket = "site" })</c>.
    /// </summary>
    public static IApplicationBuilder MapWebsiteEndpoint(this IApplicationBuilder app, IObjectStore store, WebsiteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        var logger = app.ApplicationServices.GetService<ILoggerFactory>()?.CreateLogger<WebsiteEndpoint>() ?? NullLogger<WebsiteEndpoint>.Instance;
        var endpoint = new WebsiteEndpoint(store, options ?? new WebsiteOptions(), logger);
        app.Run(endpoint.HandleAsync);
        return app;
    }
}
