using Tandem.Core.Http;

namespace Tandem.Edge.Caching;

/// <summary>Told when a stored entry grows (a compressed variant was made), so its cache can account for it.</summary>
internal interface ICacheEntryOwner
{
    /// <summary>The owner took the entry, which is <paramref name="size"/> bytes now.</summary>
    void Claimed(long size);

    /// <summary>The entry grew by <paramref name="bytes"/> after it was claimed.</summary>
    void Grew(long bytes);
}

/// <summary>
/// One stored response: status, header fields (without hop-by-hop fields, Age and
/// Content-Length), the whole body, and the freshness decided when it arrived. Immutable, except
/// that gzip and Brotli variants of a compressible body are made on first use and kept.
/// </summary>
public sealed class CacheEntry
{
    // Objects, strings, dictionary slot and queue links around every entry, roughly.
    private const long FixedOverhead = 256;

    private static readonly byte[] NotSmaller = [];

    // Heads a response from this entry has had on the connection fast path, per variant.
    private const int MaxHeads = 16;

    private readonly Lock _sync = new();
    private RenderedHead[] _heads = [];
    private Lazy<byte[]>? _gzip;
    private Lazy<byte[]>? _brotli;
    private long _variantBytes;
    private ICacheEntryOwner? _owner;

    private CacheEntry(
        int status,
        ResponseHeaders headers,
        ReadOnlyMemory<byte> body,
        CacheDecision decision,
        string origin,
        DateTimeOffset requestTime,
        DateTimeOffset responseTime)
    {
        Status = status;
        Headers = headers;
        Body = body;
        Decision = decision;
        Origin = origin;
        RequestTime = requestTime;
        ResponseTime = responseTime;
        ETag = headers.Get("ETag");
        LastModified = HttpDate.TryParse(headers.Get("Last-Modified"), out var lastModified) ? lastModified : null;
        ContentType = headers.Get("Content-Type");
        ContentEncoding = headers.Get("Content-Encoding");
        Compressible = Compression.ShouldCompress(status, ContentType, ContentEncoding, body.Length, CacheControl.Parse(headers).NoTransform);
        BaseSize = FixedOverhead + body.Length + StoredFields.EstimateBytes(headers);
    }

    public int Status { get; }

    /// <summary>Stored header fields in the order received.</summary>
    public ResponseHeaders Headers { get; }

    /// <summary>The whole body, as the origin sent it (identity unless the origin encoded it).</summary>
    public ReadOnlyMemory<byte> Body { get; }

    public CacheDecision Decision { get; }

    /// <summary>Name of the origin that sent the response.</summary>
    public string Origin { get; }

    /// <summary>When the request that fetched (or last revalidated) the response was sent.</summary>
    public DateTimeOffset RequestTime { get; }

    /// <summary>When the response (or the 304 that last revalidated it) arrived.</summary>
    public DateTimeOffset ResponseTime { get; }

    /// <summary>The ETag field as sent, or null.</summary>
    public string? ETag { get; }

    /// <summary>Last-Modified, or null when absent or not a date.</summary>
    public DateTimeOffset? LastModified { get; }

    public string? ContentType { get; }

    /// <summary>Content-Encoding from the origin; such a body is never compressed again.</summary>
    public string? ContentEncoding { get; }

    /// <summary>True when gzip and Brotli variants may be made (see <see cref="Compression.ShouldCompress"/>).</summary>
    public bool Compressible { get; }

    /// <summary>Bytes this entry holds in memory, estimated: body, header text, overhead and the variants made so far.</summary>
    public long Size => BaseSize + Volatile.Read(ref _variantBytes);

    internal long BaseSize { get; }

    /// <summary>
    /// Makes an entry of a response that <paramref name="decision"/> says may be stored. The
    /// entry keeps <paramref name="body"/> as given: do not reuse its buffer.
    /// </summary>
    public static CacheEntry Create(
        int status,
        IEnumerable<KeyValuePair<string, string>> headers,
        ReadOnlyMemory<byte> body,
        CacheDecision decision,
        string origin,
        DateTimeOffset requestTime,
        DateTimeOffset responseTime)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(origin);
        if (!decision.Storable)
        {
            throw new ArgumentException($"The decision does not allow storing: {decision.Reason}.", nameof(decision));
        }

        return new CacheEntry(status, ResponseHeaders.Wrap(StoredFields.Filter(headers)), body, decision, origin, requestTime, responseTime);
    }

    /// <summary>The age to report at <paramref name="now"/> (RFC 9111 4.2.3 current_age).</summary>
    public TimeSpan CurrentAge(DateTimeOffset now)
    {
        var resident = now - ResponseTime;
        return Decision.InitialAge + (resident > TimeSpan.Zero ? resident : TimeSpan.Zero);
    }

    /// <summary>
    /// The body in <paramref name="coding"/>: <see cref="Body"/> for identity; for gzip or Brotli
    /// a compressed copy, made on first call (once, however many threads ask) and kept. False when
    /// the entry is not <see cref="Compressible"/> or compressing did not make it smaller; send
    /// the identity body then.
    /// </summary>
    public bool TryGetVariant(ContentCoding coding, out ReadOnlyMemory<byte> body)
    {
        var bytes = coding switch
        {
            ContentCoding.Identity => null,
            ContentCoding.Gzip => Variant(ref _gzip, coding),
            ContentCoding.Brotli => Variant(ref _brotli, coding),
            _ => NotSmaller,
        };
        if (bytes is null)
        {
            body = Body;
            return true;
        }

        body = bytes;
        return bytes.Length > 0;
    }

    /// <summary>The head rendered earlier for <paramref name="variant"/>, or null (see <see cref="AddHead"/>).</summary>
    internal RenderedHead? FindHead(HeadVariant variant)
    {
        foreach (var head in Volatile.Read(ref _heads))
        {
            if (head.Variant == variant)
            {
                return head;
            }
        }

        return null;
    }

    /// <summary>
    /// Keeps a response head rendered from this entry (its bytes count in <see cref="Size"/>, like
    /// a compressed variant); false when the entry already keeps <see cref="MaxHeads"/> of them,
    /// in which case the caller answers the slow way.
    /// </summary>
    internal bool AddHead(RenderedHead head)
    {
        ICacheEntryOwner? owner;
        lock (_sync)
        {
            if (FindHead(head.Variant) is not null)
            {
                return true;
            }

            if (_heads.Length >= MaxHeads)
            {
                return false;
            }

            Volatile.Write(ref _heads, [.. _heads, head]);
            _variantBytes += head.Bytes.Length;
            owner = _owner;
        }

        owner?.Grew(head.Bytes.Length);
        return true;
    }

    /// <summary>
    /// The same body with the header fields and freshness of a revalidation, named after the
    /// origin that vouched for it; variants made so far carry over.
    /// </summary>
    internal CacheEntry Refreshed(ResponseHeaders headers, CacheDecision decision, DateTimeOffset requestTime, DateTimeOffset responseTime, string origin)
    {
        var entry = new CacheEntry(Status, headers, Body, decision, origin, requestTime, responseTime);
        if (entry.Compressible)
        {
            entry.CopyVariantsFrom(this);
        }

        return entry;
    }

    /// <summary>A copy owned by no cache, with the variants made so far.</summary>
    internal CacheEntry Copy()
    {
        var entry = new CacheEntry(Status, Headers, Body, Decision, Origin, RequestTime, ResponseTime);
        entry.CopyVariantsFrom(this);
        return entry;
    }

    /// <summary>Makes <paramref name="owner"/> the one told about growth; false when another owner holds the entry.</summary>
    internal bool TryClaim(ICacheEntryOwner owner)
    {
        lock (_sync)
        {
            if (_owner is not null)
            {
                return false;
            }

            _owner = owner;
            owner.Claimed(Size);
            return true;
        }
    }

    internal void Release(ICacheEntryOwner owner)
    {
        lock (_sync)
        {
            if (ReferenceEquals(_owner, owner))
            {
                _owner = null;
            }
        }
    }

    private byte[] Variant(ref Lazy<byte[]>? slot, ContentCoding coding)
    {
        if (!Compressible)
        {
            return NotSmaller;
        }

        var lazy = Volatile.Read(ref slot);
        if (lazy is null)
        {
            var created = NewVariant(coding);
            lazy = Interlocked.CompareExchange(ref slot, created, null) ?? created;
        }

        return lazy.Value;
    }

    // One Lazy wins the slot; its factory runs once even when many requests ask at the same
    // moment. A method of its own, so the hit path does not allocate the lambda's closure.
    private Lazy<byte[]> NewVariant(ContentCoding coding) =>
        new(() => Compress(coding), LazyThreadSafetyMode.ExecutionAndPublication);

    private byte[] Compress(ContentCoding coding)
    {
        var bytes = Compression.Compress(Body.Span, coding) ?? NotSmaller;
        ICacheEntryOwner? owner;
        lock (_sync)
        {
            _variantBytes += bytes.Length;
            owner = _owner;
        }

        // Outside the lock: the owner may take its own lock and release other entries.
        owner?.Grew(bytes.Length);
        return bytes;
    }

    private void CopyVariantsFrom(CacheEntry source)
    {
        _gzip = Completed(source._gzip, ref _variantBytes);
        _brotli = Completed(source._brotli, ref _variantBytes);

        static Lazy<byte[]>? Completed(Lazy<byte[]>? lazy, ref long bytes)
        {
            if (lazy is not { IsValueCreated: true })
            {
                return null;
            }

            bytes += lazy.Value.Length;
            return new Lazy<byte[]>(lazy.Value);
        }
    }
}

/// <summary>What a rendered response head depends on besides the entry itself.</summary>
internal readonly record struct HeadVariant(bool Https, ContentCoding Coding, string? Release, bool PinCookie, bool NotModified);

/// <summary>
/// The bytes of a 200 (or 304) response's status line and header fields (without Age, which changes per
/// response, and without the blank line), and the body they go with. Date is among them when
/// the stored response has one (as the origin dated it); otherwise <see cref="NeedsDate"/>.
/// </summary>
internal sealed record RenderedHead(HeadVariant Variant, byte[] Bytes, ReadOnlyMemory<byte> Body, bool NeedsDate);
