using Tandem.Core.Configuration;
using Tandem.Stack.Up;

namespace Tandem.Tests.Stack;

/// <summary>`tandem up --domain … --acme …`: the template's acme section, and the option errors (exit 2, one line each).</summary>
public sealed class UpAcmeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tandem-up-acme").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string RootFile()
    {
        var path = Path.Combine(_dir, "root.pem");
        using var certificate = LocalCertificate.Create(DateTimeOffset.UtcNow);
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    private static AcmeConfig Acme(UpOptions options)
    {
        var acme = UpAcme.From(options, out var errors);
        Assert.Empty(errors);
        return acme!;
    }

    private static string Error(UpOptions options)
    {
        Assert.Null(UpAcme.From(options, out var errors));
        return Assert.Single(errors);
    }

    [Fact]
    public void NoAcmeOption_NoAcmeSection_AndTheTemplateKeepsTheSelfSignedFiles()
    {
        Assert.Null(UpAcme.From(new UpOptions(), out var errors));
        Assert.Empty(errors);

        var edge = ConfigLoader.Parse(UpTemplate.Render("/srv/site", 0), Path.Combine(_dir, "tandem.json")).Config.Edges["edge-1"];
        Assert.Null(edge.Acme);
        Assert.Equal("tls/edge.crt", edge.Tls!.CertificateFile);
    }

    [Fact]
    public void DomainsAndDirectory_TheTemplatesEdgeHasAcmeInsteadOfTls_WithAnAbsoluteCaRoot()
    {
        var root = RootFile();
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, root);
        var acme = Acme(new UpOptions
        {
            Domains = ["www.example.com", "example.com", "WWW.example.com"],
            AcmeDirectory = "https://ca.example.net:14000/dir",
            AcmeContact = "mailto:ops@example.org",
            AcmeCaRoot = relative,
        });

        var loaded = ConfigLoader.Parse(UpTemplate.Render("/srv/site", 100, acme), Path.Combine(_dir, "state", "tandem.json"));
        var edge = loaded.Config.Edges["edge-1"];

        Assert.Null(edge.Tls);
        Assert.Equal(["www.example.com", "example.com"], edge.Acme!.Names);
        Assert.Equal(new Uri("https://ca.example.net:14000/dir"), edge.Acme.DirectoryUrl);
        Assert.Equal("mailto:ops@example.org", edge.Acme.Contact);
        Assert.Equal(root, edge.Acme.CaRoot);
        Assert.Null(edge.Acme.DataDir);
        Assert.Equal("127.0.0.1:8180", edge.HttpListen);
        Assert.Equal("127.0.0.1:8543", edge.HttpsListen);
    }

    [Fact]
    public void LetsEncrypt_WithoutContactOrCaRoot_IsWrittenAsGiven()
    {
        var acme = Acme(new UpOptions { Domains = ["www.example.com"], AcmeDirectory = "letsencrypt" });

        var edge = ConfigLoader.Parse(UpTemplate.Render("/srv/site", 0, acme), Path.Combine(_dir, "tandem.json")).Config.Edges["edge-1"];

        Assert.Equal("letsencrypt", edge.Acme!.Directory);
        Assert.Equal(new Uri(AcmeConfig.LetsEncrypt), edge.Acme.DirectoryUrl);
        Assert.Null(edge.Acme.Contact);
        Assert.Null(edge.Acme.CaRoot);
    }

    [Fact]
    public void AcmeWithoutDomain_SaysToAddOne()
    {
        Assert.Equal(
            "--acme needs --domain NAME, a name the site is served under (repeat it for more names), such as --domain www.example.com",
            Error(new UpOptions { AcmeDirectory = "letsencrypt" }));
    }

    [Theory]
    [InlineData("--domain", true, null, null)]
    [InlineData("--acme-contact", false, "mailto:ops@example.org", null)]
    [InlineData("--acme-ca-root", false, null, "root.pem")]
    public void WithoutAcme_TheOtherOptions_SayToAddIt(string first, bool domain, string? contact, string? caRoot)
    {
        var error = Error(new UpOptions { Domains = domain ? ["www.example.com"] : [], AcmeContact = contact, AcmeCaRoot = caRoot });

        Assert.Equal($"{first} needs --acme DIRECTORY (an ACME directory URL, or letsencrypt / letsencrypt-staging); without --domain and --acme, `up` keeps its self-signed certificate for localhost", error);
    }

    [Fact]
    public void WithConfig_IsRefused_PointingAtTheEdgesAcmeSection()
    {
        var error = Error(new UpOptions { ConfigPath = "prod.json", Domains = ["www.example.com"], AcmeDirectory = "letsencrypt" });

        Assert.Equal("--domain sets up the built-in stack's edge and cannot be combined with --config; give the edge in prod.json an acme section instead (edges.NAME.acme)", error);
    }

    [Theory]
    [InlineData("not a url", "www.example.com", null, "--acme: 'not a url' is not an ACME directory; give its https URL such as \"https://acme-v02.api.letsencrypt.org/directory\", or \"letsencrypt\" / \"letsencrypt-staging\"")]
    [InlineData("ftp://ca.example.net/dir", "www.example.com", null, "--acme: 'ftp://ca.example.net/dir' is not an ACME directory; give its https URL such as \"https://acme-v02.api.letsencrypt.org/directory\", or \"letsencrypt\" / \"letsencrypt-staging\"")]
    [InlineData("letsencrypt", "bad_name!", null, "--domain: 'bad_name!' is not a DNS name such as \"www.example.com\" or an IP address")]
    [InlineData("letsencrypt", "www.example.com.", null, "--domain: 'www.example.com.' is not a DNS name such as \"www.example.com\" or an IP address")]
    [InlineData("letsencrypt", "www.example.com", "ops@example.org", "--acme-contact: 'ops@example.org' must be a mailto: URL such as \"mailto:ops@example.org\"")]
    public void InvalidValues_GetTheConfigValidatorsMessage_NamingTheOption(string directory, string domain, string? contact, string expected)
    {
        Assert.Equal(expected, Error(new UpOptions { Domains = [domain], AcmeDirectory = directory, AcmeContact = contact }));
    }

    [Fact]
    public void CaRootThatIsNoPem_OrMissing_NamesTheOption()
    {
        var notPem = Path.Combine(_dir, "not.pem");
        File.WriteAllText(notPem, "hello");
        var missing = Path.Combine(_dir, "missing.pem");

        Assert.StartsWith($"--acme-ca-root: '{notPem}' holds no PEM certificate;", Error(new UpOptions { Domains = ["localhost"], AcmeDirectory = "letsencrypt", AcmeCaRoot = notPem }), StringComparison.Ordinal);
        Assert.StartsWith($"--acme-ca-root: cannot read '{missing}':", Error(new UpOptions { Domains = ["localhost"], AcmeDirectory = "letsencrypt", AcmeCaRoot = missing }), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryInvalidValue_IsItsOwnLine()
    {
        Assert.Null(UpAcme.From(new UpOptions { Domains = ["a b", "ok.example.com", "c!d"], AcmeDirectory = "nope", AcmeContact = "me" }, out var errors));

        Assert.Equal(["--acme", "--domain", "--domain", "--acme-contact"], errors.Select(e => e[..e.IndexOf(':', StringComparison.Ordinal)]));
    }

    [Fact]
    public async Task Runner_WithAnOptionError_ExitsTwo_WithOneLine_BeforeWritingAnything()
    {
        var state = Path.Combine(_dir, "state");
        var options = new UpOptions { StateDir = state, AcmeDirectory = "letsencrypt" };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var runner = new UpRunner(options, new ChildLauncher("false", []),
            () => throw new InvalidOperationException("no key expected"),
            _ => throw new InvalidOperationException("no deploy expected"),
            output, error, TimeProvider.System);

        Assert.Equal(2, await runner.RunAsync(CancellationToken.None));
        Assert.Equal("tandem up: --acme needs --domain NAME, a name the site is served under (repeat it for more names), such as --domain www.example.com", error.ToString().TrimEnd());
        Assert.Equal("", output.ToString());
        Assert.False(Directory.Exists(state));
    }
}
