using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tandem.Edge.Serving;

namespace Tandem.Tests.Edge.Serving;

public sealed class AccessLogTests
{
    [Fact]
    public void Write_ManyRequests_EveryLineInTheFileInOrderOnceDisposed()
    {
        var dir = Directory.CreateTempSubdirectory("tandem-access-log");
        try
        {
            var path = Path.Combine(dir.FullName, "logs", "access.log");
            using (var log = new AccessLog(path))
            {
                for (var i = 0; i < 1000; i++)
                {
                    var context = new DefaultHttpContext();
                    context.Request.Method = "GET";
                    context.Request.Path = $"/page/{i}";
                    context.Response.StatusCode = 200;
                    log.Write(context, new Outcome { Cache = "Hit", Origin = "primary", Behavior = "*", Bytes = i }, TimeSpan.FromMilliseconds(1.5));
                }

                Assert.Equal(0, log.Dropped);
            }

            var lines = File.ReadAllLines(path);
            Assert.Equal(1000, lines.Length);
            for (var i = 0; i < lines.Length; i++)
            {
                using var json = JsonDocument.Parse(lines[i]);
                Assert.Equal($"/page/{i}", json.RootElement.GetProperty("path").GetString());
                Assert.Equal(i, json.RootElement.GetProperty("bytes").GetInt64());
                Assert.Equal("Hit", json.RootElement.GetProperty("cache").GetString());
                Assert.Equal(1.5, json.RootElement.GetProperty("ms").GetDouble());
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Write_NoTarget_WritesNothing()
    {
        using var log = new AccessLog(null);
        log.Write(new DefaultHttpContext(), new Outcome(), TimeSpan.Zero);
        Assert.Equal(0, log.Dropped);
    }
}
