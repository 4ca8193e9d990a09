namespace Tandem.Monitor.Scraping;

/// <param name="Role">edge, origin, dns or monitor.</param>
/// <param name="Name">The node's name in the config.</param>
/// <param name="Url">Its Prometheus text URL.</param>
public sealed record ScrapeTarget(string Role, string Name, Uri Url);
