using Tandem.Core.Configuration;

namespace Tandem.Tests.Core.Configuration;

public sealed class AcmeConfigValidationTests
{
    private static string Config(string acme, string listeners = "\"httpListen\": \"127.0.0.1:8080\", \"httpsListen\": \"127.0.0.1:8443\",") => $$"""
        {
          "origins": { "primary": { "websiteEndpoint": "http://127.0.0.1:9001" } },
          "edges": { "edge-1": { {{listeners}} "adminListen": "127.0.0.1:8081", "adminToken": { "env": "TANDEM_ADMIN_TOKEN" }, "acme": {{acme}} } }
        }
        """;

    private static IReadOnlyList<ConfigError> Errors(string json, string path = "/t/tandem.json") =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse(json, path)).Errors;

    [Theory]
    [InlineData("letsencrypt", "https://acme-v02.api.letsencrypt.org/directory")]
    [InlineData("letsencrypt-staging", "https://acme-staging-v02.api.letsencrypt.org/directory")]
    [InlineData("https://ca.internal:14000/dir", "https://ca.internal:14000/dir")]
    public void Parse_Directory_NamesMapToLetsEncrypt(string directory, string expected)
    {
        var loaded = ConfigLoader.Parse(Config($$"""{ "directory": "{{directory}}", "names": ["www.example.com", "192.0.2.1"], "contact": "mailto:ops@example.org" }"""), "/t/tandem.json");

        var acme = loaded.Config.Edges["edge-1"].Acme!;
        Assert.Equal(new Uri(expected), acme.DirectoryUrl);
        Assert.Equal(0.3333, acme.RenewBeforeFraction);
    }

    [Theory]
    [InlineData("""{ "directory": "not a url", "names": ["a.example"] }""", "$.edges.edge-1.acme.directory", "letsencrypt-staging")]
    [InlineData("""{ "directory": "ftp://ca.example/dir", "names": ["a.example"] }""", "$.edges.edge-1.acme.directory", "https URL")]
    [InlineData("""{ "directory": "letsencrypt", "names": [] }""", "$.edges.edge-1.acme.names", "list the names")]
    [InlineData("""{ "directory": "letsencrypt", "names": ["bad name!"] }""", "$.edges.edge-1.acme.names[0]", "not a DNS name")]
    [InlineData("""{ "directory": "letsencrypt", "names": ["a.example"], "contact": "ops@example.org" }""", "$.edges.edge-1.acme.contact", "mailto:")]
    [InlineData("""{ "directory": "letsencrypt", "names": ["a.example"], "renewBeforeFraction": 1.5 }""", "$.edges.edge-1.acme.renewBeforeFraction", "between 0 and 1")]
    [InlineData("""{ "directory": "letsencrypt", "names": ["a.example"], "dataDir": "" }""", "$.edges.edge-1.acme.dataDir", "name a folder")]
    [InlineData("""{ "directory": "letsencrypt", "names": ["a.example"], "caRoot": "no-such-root.pem" }""", "$.edges.edge-1.acme.caRoot", "readable PEM file")]
    [InlineData("""{ "directory": "letsencrypt", "names": ["a.example"], "share": {} }""", "$.edges.edge-1.acme.share", "exactly one of directory")]
    [InlineData("""{ "directory": "letsencrypt", "names": ["a.example"], "share": { "directory": "/srv/acme", "origin": "primary" } }""", "$.edges.edge-1.acme.share", "exactly one of directory")]
    [InlineData("""{ "directory": "letsencrypt", "names": ["a.example"], "share": { "directory": "" } }""", "$.edges.edge-1.acme.share.directory", "every sharing edge can write")]
    [InlineData("""{ "directory": "letsencrypt", "names": ["a.example"], "share": { "origin": "nope" } }""", "$.edges.edge-1.acme.share.origin", "no origin named 'nope'; the file has: primary")]
    [InlineData("""{ "directory": "letsencrypt", "names": ["a.example"], "share": { "origin": "primary" } }""", "$.edges.edge-1.acme.share.origin", "has no s3Endpoint")]
    public void Parse_BadAcme_NamesTheSettingAndTheFix(string acme, string path, string fix)
    {
        var e = Assert.Single(Errors(Config(acme), Path.Combine(Path.GetTempPath(), "tandem.json")));

        Assert.Equal(path, e.Path);
        Assert.Contains(fix, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("site", "is the site's bucket on origin 'primary'")]
    [InlineData("Bad_Bucket", "is not a valid bucket name")]
    public void Parse_ShareBucket_PrivateAndValid(string bucket, string problem)
    {
        var json = Config($$"""{ "directory": "letsencrypt", "names": ["a.example"], "share": { "origin": "primary", "bucket": "{{bucket}}" } }""")
            .Replace("\"websiteEndpoint\"", "\"s3Endpoint\": \"http://127.0.0.1:9000\", \"websiteEndpoint\"", StringComparison.Ordinal);

        var e = Assert.Single(Errors(json));

        Assert.Equal("$.edges.edge-1.acme.share.bucket", e.Path);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ShareOnAnOrigin_DefaultsToAPrivateBucket()
    {
        var json = Config("""{ "directory": "letsencrypt", "names": ["a.example"], "share": { "origin": "primary" } }""")
            .Replace("\"websiteEndpoint\"", "\"s3Endpoint\": \"http://127.0.0.1:9000\", \"websiteEndpoint\"", StringComparison.Ordinal);

        var share = ConfigLoader.Parse(json, "/t/tandem.json").Config.Edges["edge-1"].Acme!.Share!;

        Assert.Equal("primary", share.Origin);
        Assert.Null(share.Bucket);
        Assert.Equal("tandem-acme", AcmeShareConfig.DefaultBucket);
    }

    [Fact]
    public void Parse_CaRootWithoutCertificate_SaysSo()
    {
        var dir = Directory.CreateTempSubdirectory("tandem-acme-config");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "root.pem"), "not a certificate");
            var e = Assert.Single(Errors(Config("""{ "directory": "letsencrypt", "names": ["a.example"], "caRoot": "root.pem" }"""), Path.Combine(dir.FullName, "tandem.json")));

            Assert.Equal("$.edges.edge-1.acme.caRoot", e.Path);
            Assert.Contains("holds no PEM certificate", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Parse_AcmeWithoutHttpsListenOrWithTls_Refused()
    {
        var noHttps = Errors(Config("""{ "directory": "letsencrypt", "names": ["a.example"] }""", "\"httpListen\": \"127.0.0.1:8080\","));
        var withTls = Errors(Config("""{ "directory": "letsencrypt", "names": ["a.example"] }""", "\"httpListen\": \"127.0.0.1:8080\", \"httpsListen\": \"127.0.0.1:8443\", \"tls\": { \"certificateFile\": \"a.pem\", \"keyFile\": \"b.pem\" },"));
        var noHttp = Errors(Config("""{ "directory": "letsencrypt", "names": ["a.example"] }""", "\"httpListen\": null, \"httpsListen\": \"127.0.0.1:8443\","));

        Assert.Contains(noHttps, e => e.Path == "$.edges.edge-1.httpsListen" && e.Message.Contains("add httpsListen", StringComparison.Ordinal));
        Assert.Contains(withTls, e => e.Path == "$.edges.edge-1.tls" && e.Message.Contains("remove tls", StringComparison.Ordinal));
        Assert.Contains(noHttp, e => e.Path == "$.edges.edge-1.httpListen" && e.Message.Contains("HTTP-01", StringComparison.Ordinal));
    }
}
