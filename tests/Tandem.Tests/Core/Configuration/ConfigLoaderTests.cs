using Tandem.Core.Configuration;

namespace Tandem.Tests.Core.Configuration;

public sealed class ConfigLoaderTests
{
    private const string Valid = """
        {
          // comments are allowed
          "site": { "name": "club", "root": "site" },
          "origins": {
            "primary": {
              "region": "us-east",
              "bucket": "site",
              "credentials": { "file": "creds", "profile": "primary" },
              "server": { "dataDir": "data/primary", "s3Listen": "127.0.0.1:9000", "websiteListen": "127.0.0.1:9001" }
            },
            "standby": {
              "region": "us-west",
              "bucket": "site",
              "credentials": { "accessKeyIdEnv": "STANDBY_KEY", "secretAccessKeyEnv": "STANDBY_SECRET" },
              "server": { "dataDir": "data/standby", "s3Listen": "127.0.0.1:9010", "websiteListen": "127.0.0.1:9011" }
            },
          }
        }
        """;

    [Fact]
    public void Parse_ValidFile_ReturnsEveryOrigin()
    {
        var loaded = ConfigLoader.Parse(Valid, "/etc/tandem/tandem.json");

        Assert.Equal(["primary", "standby"], loaded.Config.Origins.Keys);
        Assert.Equal("us-west", loaded.Config.Origins["standby"].Region);
        Assert.Equal("/etc/tandem/data/primary", loaded.ResolvePath(loaded.Config.Origins["primary"].Server!.DataDir));
    }

    [Fact]
    public void Parse_SeveralMistakes_ReportsEveryOneWithItsPath()
    {
        var json = """
            {
              "site": { "indexDocument": "a/index.html" },
              "origins": {
                "Primary": {
                  "bucket": "No_Such",
                  "s3Endpoint": "ftp://x",
                  "credentials": { "file": "c", "accessKeyIdEnv": "A" },
                  "server": { "dataDir": "d", "s3Listen": "127.0.0.1:99999", "websiteListen": "127.0.0.1:9001" }
                },
                "standby": {
                  "server": { "dataDir": "d", "s3Listen": "127.0.0.1:9010", "websiteListen": "127.0.0.1:9001" }
                }
              }
            }
            """;

        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(json, "/t/tandem.json"));

        var paths = ex.Errors.Select(e => e.Path).ToList();
        Assert.Contains("$.site.indexDocument", paths);
        Assert.Contains("$.origins.Primary", paths);
        Assert.Contains("$.origins.Primary.bucket", paths);
        Assert.Contains("$.origins.Primary.s3Endpoint", paths);
        Assert.Contains("$.origins.Primary.credentials", paths);
        Assert.Contains("$.origins.Primary.server.s3Listen", paths);
        Assert.Contains("$.origins.standby.server.dataDir", paths);
        Assert.Contains("$.origins.standby.server.websiteListen", paths);
        Assert.Contains(ex.Errors, e => e.Path == "$.origins.standby.server.websiteListen" && e.Message.Contains("also used by", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_MisspeltSettings_SuggestsTheRightNames()
    {
        var json = """{ "origins": { "primary": { "buckt": "site", "server": { "dataDirectory": "x" } } }, "origin": {} }""";

        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(json, "/t/tandem.json"));

        Assert.Contains(ex.Errors, e => e.Path == "$.origins.primary.buckt" && e.Message.Contains("did you mean 'bucket'", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Path == "$.origins.primary.server.dataDirectory" && e.Message.Contains("'dataDir'", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Path == "$.origin" && e.Message.Contains("'origins'", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_WrongValueTypes_NamesTheSettingAndWhatWasFound()
    {
        var json = """{ "origins": { "primary": { "bucket": 12, "server": { "fsync": "yes", "maxObjectBytes": "big" } } } }""";

        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(json, "/t/tandem.json"));

        Assert.Contains(ex.Errors, e => e.Path == "$.origins.primary.bucket" && e.Message.Contains("expected a string", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Path == "$.origins.primary.server.fsync" && e.Message.Contains("true or false", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Path == "$.origins.primary.server.maxObjectBytes" && e.Message.Contains("expected a number", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_BrokenJson_ReportsTheLine()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("{\n  \"origins\": {\n    \"a\": { \"bucket\": \"x\" \n  }\n", "/t/tandem.json"));

        Assert.Single(ex.Errors);
        Assert.Contains("line", ex.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_SaysWhichFile()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load("/nonexistent/tandem.json"));

        Assert.Contains("/nonexistent/tandem.json", ex.Errors[0].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:9000", true)]
    [InlineData("[::1]:9000", true)]
    [InlineData("localhost:0", true)]
    [InlineData("*:8080", true)]
    [InlineData(":8080", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.0.0.1:70000", false)]
    [InlineData("example.com:80", false)]
    [InlineData("", false)]
    public void ListenAddress_TryParse_AcceptsHostPortOnly(string value, bool ok)
    {
        Assert.Equal(ok, ListenAddress.TryParse(value, out _, out var problem));
        Assert.Equal(ok, problem.Length == 0);
    }

    [Theory]
    [InlineData("site", true)]
    [InlineData("www.example.com", true)]
    [InlineData("a-b-c", true)]
    [InlineData("ab", false)]
    [InlineData("Site", false)]
    [InlineData("-site", false)]
    [InlineData("a..b", false)]
    [InlineData("192.168.0.1", false)]
    [InlineData("under_score", false)]
    public void BucketNames_Check_FollowsS3Rules(string name, bool ok) =>
        Assert.Equal(ok, BucketNames.Check(name) is null);
}
