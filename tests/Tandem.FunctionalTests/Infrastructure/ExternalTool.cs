using System.Diagnostics;
using System.Text;

namespace Tandem.FunctionalTests.Infrastructure;

/// <summary>Runs a real client program (aws, rclone, s3cmd, curl) and captures what it printed.</summary>
public static class ExternalTool
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public Result EnsureSuccess(string what)
        {
            if (ExitCode != 0)
            {
                throw new InvalidOperationException($"{what} exited with {ExitCode}.\nstdout:\n{StdOut}\nstderr:\n{StdErr}");
            }

            return this;
        }
    }

    /// <summary>
    /// Finds a program, preferring Debian's /usr/bin copy (a user-level shim such as pyenv's
    /// AWS CLI v1 may shadow it on PATH).
    /// </summary>
    public static string Find(string name)
    {
        foreach (var dir in new[] { "/usr/bin", "/usr/local/bin", "/bin" }.Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"'{name}' is not installed; ./test.sh installs the Debian packages the tests use.");
    }

    public static async Task<Result> RunAsync(string program, IEnumerable<string> args, IDictionary<string, string?>? env = null, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(Find(program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        if (env is not null)
        {
            foreach (var (k, v) in env)
            {
                // null removes a variable the test machine may set (AWS_CA_BUNDLE breaks rclone over http).
                if (v is null)
                {
                    psi.Environment.Remove(k);
                }
                else
                {
                    psi.Environment[k] = v;
                }
            }
        }

        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', psi.ArgumentList)} did not finish in time.\n{await stdout}\n{await stderr}");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>A temporary folder removed at the end of a test.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "tandem-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Makes test sites: trees of files with awkward names and mixed sizes.</summary>
public static class SiteMaker
{
    /// <summary>Every file under <paramref name="root"/> as key (with '/') to bytes.</summary>
    public static SortedDictionary<string, byte[]> ReadTree(string root)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var f in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            files[System.IO.Path.GetRelativePath(root, f).Replace('\\', '/')] = File.ReadAllBytes(f);
        }

        return files;
    }

    /// <summary>Writes a small site with nested folders, tricky names and some binary files.</summary>
    public static void Write(string root, int seed = 1)
    {
        var rng = new Random(seed);
        void Put(string rel, byte[] bytes)
        {
            var full = System.IO.Path.Combine(root, rel);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, bytes);
        }

        byte[] Html(string title) => Encoding.UTF8.GetBytes($"<!doctype html><title>{title}</title><h1>{title}</h1>\n");
        byte[] Random(int n)
        {
            var b = new byte[n];
            rng.NextBytes(b);
            return b;
        }

        Put("index.html", Html("home"));
        Put("404.html", Html("not found"));
        Put("events/index.html", Html("events"));
        Put("events/2026/index.html", Html("2026"));
        Put("css/site.css", Encoding.UTF8.GetBytes("body { color: #222; }\n"));
        Put("js/app.js", Encoding.UTF8.GetBytes("console.log('hi');\n"));
        Put("img/photo.bin", Random(200_000));
        Put("files/with space.txt", Encoding.UTF8.GetBytes("space"));
        Put("files/plus+and&amp.txt", Encoding.UTF8.GetBytes("plus and amp"));
        Put("files/café-é.txt", Encoding.UTF8.GetBytes("accent"));
        Put("files/quote'single.txt", Encoding.UTF8.GetBytes("quote"));
        Put("dir/a.txt", Encoding.UTF8.GetBytes("dir"));
        Put("dir-2/a.txt", Encoding.UTF8.GetBytes("dir-2"));
        Put("deep/a/b/c/d/e/f.txt", Encoding.UTF8.GetBytes("deep"));
        Put("empty.txt", []);
        for (var i = 0; i < 20; i++)
        {
            Put($"many/file-{i:D3}.dat", Random(rng.Next(1, 5000)));
        }
    }
}
