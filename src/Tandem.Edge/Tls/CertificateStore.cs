using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Tandem.Edge.Tls;

/// <summary>
/// The edge's certificate from a PEM chain and key file, picked up again when either file
/// changes: a renewal (by an ACME client, or by hand) takes effect on the next TLS handshake
/// without a restart or a dropped connection. A change that does not load (half-written file,
/// key that does not match) keeps the current certificate serving and is reported. The chain
/// file's other certificates are sent as intermediates, so a client that trusts only the root
/// (curl --cacert) verifies the edge.
/// </summary>
public sealed class CertificateStore : IDisposable
{
    private readonly string _certificateFile;
    private readonly string _keyFile;
    private readonly TimeProvider _time;
    private readonly TimeSpan _checkEvery;
    private readonly Action<string>? _onError;
    private readonly object _gate = new();
    private X509Certificate2 _current;
    private SslStreamCertificateContext _context;
    private (DateTime Cert, DateTime Key, long CertLength, long KeyLength) _stamp;
    private long _nextCheckTicks;

    /// <summary>
    /// Loads the files; throws <see cref="CertificateException"/> naming the file when they are
    /// unusable, unless <paramref name="temporary"/> is given: then that certificate serves
    /// (reported through <paramref name="onError"/>) until the files load, as while an ACME
    /// client obtains the first certificate.
    /// </summary>
    public CertificateStore(string certificateFile, string keyFile, TimeProvider? time = null, TimeSpan? checkEvery = null, Action<string>? onError = null, Func<X509Certificate2>? temporary = null)
    {
        _certificateFile = certificateFile;
        _keyFile = keyFile;
        _time = time ?? TimeProvider.System;
        _checkEvery = checkEvery ?? TimeSpan.FromSeconds(2);
        _onError = onError;
        _stamp = Stamp();
        try
        {
            (_current, _context) = Load();
        }
        catch (CertificateException ex) when (temporary is not null)
        {
            _current = temporary();
            _context = SslStreamCertificateContext.Create(_current, additionalCertificates: null, offline: true);
            IsTemporary = true;
            onError?.Invoke(ex.Message + "; serving a temporary self-signed certificate until it loads");
        }

        _nextCheckTicks = _time.GetTimestamp() + (long)(_checkEvery.TotalSeconds * _time.TimestampFrequency);
    }

    /// <summary>True while the temporary certificate serves because the files did not load yet.</summary>
    public bool IsTemporary { get; private set; }

    /// <summary>Times a changed certificate was loaded.</summary>
    public int Reloads { get; private set; }

    /// <summary>The certificate to present; checks the files at most once per check interval.</summary>
    public X509Certificate2 Current
    {
        get
        {
            CheckIfDue();
            return Volatile.Read(ref _current);
        }
    }

    /// <summary>The certificate with its intermediates, for the TLS handshake; checks the files as <see cref="Current"/> does.</summary>
    public SslStreamCertificateContext CurrentContext
    {
        get
        {
            CheckIfDue();
            return Volatile.Read(ref _context);
        }
    }

    private void CheckIfDue()
    {
        var now = _time.GetTimestamp();
        if (now >= Volatile.Read(ref _nextCheckTicks))
        {
            CheckForChange(now);
        }
    }

    private void CheckForChange(long now)
    {
        lock (_gate)
        {
            if (now < _nextCheckTicks)
            {
                return;
            }

            _nextCheckTicks = now + (long)(_checkEvery.TotalSeconds * _time.TimestampFrequency);
            (DateTime, DateTime, long, long) stamp;
            try
            {
                stamp = Stamp();
            }
            catch (IOException ex)
            {
                _onError?.Invoke($"cannot read certificate files: {ex.Message}; keeping the current certificate");
                return;
            }

            if (stamp == _stamp)
            {
                return;
            }

            try
            {
                var (next, context) = Load();
                Volatile.Write(ref _context, context);
                var old = Interlocked.Exchange(ref _current, next);
                _stamp = stamp;
                Reloads++;
                IsTemporary = false;

                // Handshakes in flight may still hold the old one; let the GC finalise it.
                GC.KeepAlive(old);
            }
            catch (CertificateException ex)
            {
                _onError?.Invoke(ex.Message + "; keeping the current certificate");
            }
        }
    }

    private (DateTime, DateTime, long, long) Stamp()
    {
        var c = new FileInfo(_certificateFile);
        var k = new FileInfo(_keyFile);
        return (c.LastWriteTimeUtc, k.LastWriteTimeUtc, c.Exists ? c.Length : -1, k.Exists ? k.Length : -1);
    }

    private (X509Certificate2 Leaf, SslStreamCertificateContext Context) Load()
    {
        if (!File.Exists(_certificateFile))
        {
            throw new CertificateException($"certificate file '{_certificateFile}' does not exist");
        }

        if (!File.Exists(_keyFile))
        {
            throw new CertificateException($"key file '{_keyFile}' does not exist");
        }

        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(_certificateFile, _keyFile);

            // Re-import so the private key is usable by SslStream on every platform.
            var leaf = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            var chain = new X509Certificate2Collection();
            chain.ImportFromPemFile(_certificateFile);
            var intermediates = new X509Certificate2Collection();
            foreach (var certificate in chain.Skip(1).Where(c => c.Subject != c.Issuer))
            {
                intermediates.Add(certificate);
            }

            // offline: the chain is what the file holds; nothing is fetched over the network.
            return (leaf, SslStreamCertificateContext.Create(leaf, intermediates, offline: true));
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or UnauthorizedAccessException or IOException)
        {
            throw new CertificateException($"cannot load the certificate '{_certificateFile}' with key '{_keyFile}': {ex.Message}");
        }
    }

    public void Dispose() => _current.Dispose();
}

/// <summary>A certificate or key that cannot be used; the message names the file.</summary>
public sealed class CertificateException(string message) : Exception(message);

/// <summary>Makes self-signed certificates (for `tandem up` and for tests).</summary>
public static class SelfSignedCertificate
{
    /// <summary>A self-signed ECDSA certificate for <paramref name="names"/>, held in memory only, with a key SslStream can use.</summary>
    public static X509Certificate2 Create(IEnumerable<string> names, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = Build(key, names, lifetime);
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Writes a self-signed ECDSA certificate for <paramref name="names"/> as two PEM files (the key owner-only).</summary>
    public static X509Certificate2 Write(string certificateFile, string keyFile, IEnumerable<string> names, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var cert = Build(key, names, lifetime);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(certificateFile))!);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(keyFile))!);
        WriteAtomically(keyFile, key.ExportPkcs8PrivateKeyPem(), ownerOnly: true);
        WriteAtomically(certificateFile, cert.ExportCertificatePem(), ownerOnly: false);
        return cert;
    }

    private static X509Certificate2 Build(ECDsa key, IEnumerable<string> names, TimeSpan lifetime)
    {
        var list = names.ToList();
        var request = new CertificateRequest($"CN={list[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in list)
        {
            if (System.Net.IPAddress.TryParse(name, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.Add(lifetime));
    }

    private static void WriteAtomically(string path, string text, bool ownerOnly)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text + "\n");
        if (ownerOnly && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(tmp, path, overwrite: true);
    }
}
