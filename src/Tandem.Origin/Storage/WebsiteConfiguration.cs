namespace Tandem.Origin.Storage;

/// <summary>A bucket's website hosting configuration, as S3's PutBucketWebsite takes it.</summary>
public sealed record WebsiteConfiguration
{
    /// <summary>IndexDocument/Suffix, such as "index.html". Null only with <see cref="RedirectAllRequestsTo"/>.</summary>
    public string? IndexDocumentSuffix { get; init; }

    /// <summary>ErrorDocument/Key, such as "404.html".</summary>
    public string? ErrorDocumentKey { get; init; }

    /// <summary>When set, every request is redirected and nothing else applies.</summary>
    public RedirectAllRequestsTo? RedirectAllRequestsTo { get; init; }

    public IReadOnlyList<RoutingRule> RoutingRules { get; init; } = [];
}

public sealed record RedirectAllRequestsTo(string HostName, string? Protocol);

public sealed record RoutingRule(RoutingRuleCondition? Condition, RoutingRuleRedirect Redirect);

public sealed record RoutingRuleCondition(string? KeyPrefixEquals, int? HttpErrorCodeReturnedEquals);

public sealed record RoutingRuleRedirect(string? HostName, string? Protocol, string? ReplaceKeyPrefixWith, string? ReplaceKeyWith, int? HttpRedirectCode);
