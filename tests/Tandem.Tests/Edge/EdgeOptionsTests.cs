using Tandem.Core.Configuration;
using Tandem.Edge;

namespace Tandem.Tests.Edge;

public class EdgeOptionsTests
{
    private static LoadedConfig Config(string? stateDir) => new(new TandemConfig
    {
        Site = new SiteConfig { IndexDocument = "default.htm" },
        Edges = new(StringComparer.Ordinal)
        {
            // The token only has to resolve; PATH is set wherever tests run.
            ["edge-1"] = new EdgeConfig { StateDir = stateDir, AdminToken = new SecretConfig { Env = "PATH" } },
        },
    }, "/srv/tandem/tandem.json");

    [Fact]
    public void FromConfig_NoStateDir_TandemEdgesNameBesideConfig()
    {
        var options = EdgeOptions.FromConfig(Config(null), "edge-1");

        Assert.Equal(Path.GetFullPath("/srv/tandem/.tandem/edges/edge-1"), options.StateDir);
        Assert.Equal("default.htm", options.IndexDocument);
    }

    [Theory]
    [InlineData("state/e1", "/srv/tandem/state/e1")]
    [InlineData("/var/lib/tandem/e1", "/var/lib/tandem/e1")]
    public void FromConfig_StateDir_ResolvedAgainstConfigFolder(string stateDir, string expected)
    {
        Assert.Equal(Path.GetFullPath(expected), EdgeOptions.FromConfig(Config(stateDir), "edge-1").StateDir);
    }

    [Fact]
    public void FromConfig_Acme_DataDirUnderStateDir_HoldsTheCertificateFiles()
    {
        // The edge checks at start that its data folder can be written: a real folder.
        var root = Directory.CreateTempSubdirectory("tandem-edge-options");
        var loaded = new LoadedConfig(new TandemConfig
        {
            Edges = new(StringComparer.Ordinal)
            {
                ["edge-1"] = new EdgeConfig
                {
                    HttpsListen = "127.0.0.1:8443",
                    AdminToken = new SecretConfig { Env = "PATH" },
                    Acme = new AcmeConfig { Directory = "letsencrypt-staging", Names = ["www.example.com"], CaRoot = "ca/root.pem", Contact = "mailto:ops@example.org" },
                },
            },
        }, Path.Combine(root.FullName, "tandem.json"));

        var acme = EdgeOptions.FromConfig(loaded, "edge-1").Acme!;
        var options = EdgeOptions.FromConfig(loaded, "edge-1");

        Assert.Equal(new Uri(AcmeConfig.LetsEncryptStaging), acme.DirectoryUrl);
        Assert.Equal(Path.Combine(root.FullName, ".tandem", "edges", "edge-1", "acme"), acme.DataDir);
        Assert.Equal(Path.Combine(root.FullName, "ca", "root.pem"), acme.CaRootFile);
        Assert.Null(acme.Share);
        Assert.Equal(["mailto:ops@example.org"], acme.Contact);
        Assert.Equal(Path.Combine(acme.DataDir, "cert.pem"), options.CertificateFile);
        Assert.Equal(Path.Combine(acme.DataDir, "key.pem"), options.KeyFile);
        root.Delete(recursive: true);
    }
}
