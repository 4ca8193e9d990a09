namespace Tandem.Edge.Caching;

/// <summary>
/// The response directives of Cache-Control (RFC 9111 section 5.2.2, plus RFC 5861's
/// stale-while-revalidate and stale-if-error and RFC 8246's immutable), read tolerantly: names
/// in any case, values quoted or not, members separated by commas across any number of lines.
/// </summary>
/// <remarks>
/// Duplicates and bad values (RFC 9111 4.2.1 leaves the choice open): max-age or s-maxage given
/// twice with different values, or with a value that is not delta-seconds, count as 0, so the
/// response is stale at once (RFC 9111 4.2.1 encourages treating invalid freshness as stale).
/// stale-while-revalidate and stale-if-error take the smallest valid value, and ignore a bad one
/// (they only ever widen what a cache may do). Flags are set by any occurrence. Field-named
/// forms (no-cache="Set-Cookie", private="X") count as the plain directive: stricter than the
/// RFC, which lets a shared cache store the rest of such a response.
/// </remarks>
public readonly record struct CacheControl
{
    // delta-seconds past what 31 bits hold saturate here (RFC 9111 1.2.2).
    internal const long MaxDeltaSeconds = 2147483648;

    /// <summary>True when the response had Cache-Control (or Pragma: no-cache standing in for it).</summary>
    public bool Present { get; init; }

    public TimeSpan? MaxAge { get; init; }

    public TimeSpan? SharedMaxAge { get; init; }

    public TimeSpan? StaleWhileRevalidate { get; init; }

    public TimeSpan? StaleIfError { get; init; }

    public bool NoStore { get; init; }

    public bool NoCache { get; init; }

    public bool Private { get; init; }

    public bool Public { get; init; }

    public bool MustRevalidate { get; init; }

    public bool ProxyRevalidate { get; init; }

    public bool Immutable { get; init; }

    public bool NoTransform { get; init; }

    /// <summary>
    /// Reads every Cache-Control line of <paramref name="headers"/>. Without any, a Pragma holding
    /// no-cache counts as Cache-Control: no-cache (RFC 9111 5.4 keeps Pragma for HTTP/1.0 caches).
    /// </summary>
    public static CacheControl Parse(ResponseHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var parser = new Parser();
        foreach (var line in headers.GetAll("Cache-Control"))
        {
            parser.Read(line);
        }

        if (!parser.Result.Present)
        {
            foreach (var line in headers.GetAll("Pragma"))
            {
                parser.ReadPragma(line);
            }
        }

        return parser.Result;
    }

    /// <summary>Reads one Cache-Control value, and Pragma when <paramref name="cacheControl"/> is null.</summary>
    public static CacheControl Parse(string? cacheControl, string? pragma = null)
    {
        var parser = new Parser();
        if (cacheControl is not null)
        {
            parser.Read(cacheControl);
        }
        else if (pragma is not null)
        {
            parser.ReadPragma(pragma);
        }

        return parser.Result;
    }

    private struct Parser
    {
        private bool _maxAgeSeen;
        private bool _sharedMaxAgeSeen;

        public CacheControl Result;

        public void Read(string line)
        {
            Result = Result with { Present = true };
            var rest = line.AsSpan();
            while (!rest.IsEmpty)
            {
                var member = NextMember(ref rest).Trim(" \t");
                if (member.IsEmpty)
                {
                    continue;
                }

                var equals = member.IndexOf('=');
                var name = (equals < 0 ? member : member[..equals]).TrimEnd(" \t");
                var value = equals < 0 ? default : Unquote(member[(equals + 1)..].Trim(" \t"));
                Apply(name, value, equals >= 0);
            }
        }

        public void ReadPragma(string line)
        {
            var rest = line.AsSpan();
            while (!rest.IsEmpty)
            {
                if (NextMember(ref rest).Trim(" \t").Equals("no-cache", StringComparison.OrdinalIgnoreCase))
                {
                    Result = Result with { Present = true, NoCache = true };
                }
            }
        }

        private void Apply(ReadOnlySpan<char> name, ReadOnlySpan<char> value, bool hasValue)
        {
            // Every directive name we know is shorter; longer names are extensions we ignore.
            Span<char> buffer = stackalloc char[24];
            if (name.Length > buffer.Length)
            {
                return;
            }

            Result = buffer[..name.ToLowerInvariant(buffer)] switch
            {
                "max-age" => Result with { MaxAge = Single(ref _maxAgeSeen, Result.MaxAge, value, hasValue) },
                "s-maxage" => Result with { SharedMaxAge = Single(ref _sharedMaxAgeSeen, Result.SharedMaxAge, value, hasValue) },
                "stale-while-revalidate" => Result with { StaleWhileRevalidate = Smallest(Result.StaleWhileRevalidate, value, hasValue) },
                "stale-if-error" => Result with { StaleIfError = Smallest(Result.StaleIfError, value, hasValue) },
                "no-store" => Result with { NoStore = true },
                "no-cache" => Result with { NoCache = true },
                "private" => Result with { Private = true },
                "public" => Result with { Public = true },
                "must-revalidate" => Result with { MustRevalidate = true },
                "proxy-revalidate" => Result with { ProxyRevalidate = true },
                "immutable" => Result with { Immutable = true },
                "no-transform" => Result with { NoTransform = true },
                _ => Result,
            };
        }

        // max-age and s-maxage: a second, different value makes the directive invalid (0).
        private static TimeSpan? Single(ref bool seen, TimeSpan? current, ReadOnlySpan<char> value, bool hasValue)
        {
            var parsed = hasValue && TryParseDeltaSeconds(value, out var seconds) ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero;
            if (seen)
            {
                return current == parsed ? current : TimeSpan.Zero;
            }

            seen = true;
            return parsed;
        }

        private static TimeSpan? Smallest(TimeSpan? current, ReadOnlySpan<char> value, bool hasValue)
        {
            if (!hasValue || !TryParseDeltaSeconds(value, out var seconds))
            {
                return current;
            }

            var parsed = TimeSpan.FromSeconds(seconds);
            return current is { } existing && existing < parsed ? existing : parsed;
        }
    }

    /// <summary>Parses delta-seconds (RFC 9111 1.2.2): digits only, saturating at 2^31.</summary>
    internal static bool TryParseDeltaSeconds(ReadOnlySpan<char> value, out long seconds)
    {
        seconds = 0;
        if (value.IsEmpty || value.ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }

        // Digits only, so parsing fails only on overflow: that saturates too.
        seconds = long.TryParse(value, out var parsed) ? Math.Min(parsed, MaxDeltaSeconds) : MaxDeltaSeconds;
        return true;
    }

    // The next comma-separated member; commas inside a quoted string do not split.
    private static ReadOnlySpan<char> NextMember(ref ReadOnlySpan<char> rest)
    {
        var quoted = false;
        for (var i = 0; i < rest.Length; i++)
        {
            var c = rest[i];
            if (quoted && c == '\\')
            {
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                var member = rest[..i];
                rest = rest[(i + 1)..];
                return member;
            }
        }

        var last = rest;
        rest = default;
        return last;
    }

    // Values only matter for the delta-seconds directives, whose quoted form has no escapes.
    private static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1].Trim(" \t") : value;
}
