using Tandem.Core.Configuration;

namespace Tandem.Stack.Up;

/// <summary>
/// <c>tandem up --domain NAME --acme DIRECTORY</c>: the built-in edge gets its certificate over
/// ACME (HTTP-01 on its HTTP port) instead of the self-signed one. --domain and --acme go
/// together (--acme-contact and --acme-ca-root only with them), and never with --config, whose
/// edges have acme sections of their own.
/// </summary>
public static class UpAcme
{
    /// <summary>
    /// The edge's acme section from <paramref name="options"/>: null when no ACME option was given,
    /// or when <paramref name="errors"/> is not empty (each a line saying what is wrong and what to do).
    /// A relative --acme-ca-root is resolved against the current folder.
    /// </summary>
    public static AcmeConfig? From(UpOptions options, out IReadOnlyList<string> errors)
    {
        errors = [];
        var given = Given(options);
        if (given.Count == 0)
        {
            return null;
        }

        if (options.ConfigPath is not null)
        {
            errors = [$"{given[0]} sets up the built-in stack's edge and cannot be combined with --config; give the edge in {options.ConfigPath} an acme section instead (edges.NAME.acme)"];
            return null;
        }

        if (options.AcmeDirectory is null)
        {
            errors = [$"{given[0]} needs --acme DIRECTORY (an ACME directory URL, or letsencrypt / letsencrypt-staging); without --domain and --acme, `up` keeps its self-signed certificate for localhost"];
            return null;
        }

        if (options.Domains.Count == 0)
        {
            errors = ["--acme needs --domain NAME, a name the site is served under (repeat it for more names), such as --domain www.example.com"];
            return null;
        }

        var acme = new AcmeConfig
        {
            Directory = options.AcmeDirectory,
            Contact = options.AcmeContact,
            Names = [.. options.Domains.Distinct(StringComparer.OrdinalIgnoreCase)],
            CaRoot = options.AcmeCaRoot is { Length: > 0 } root ? Path.GetFullPath(root) : options.AcmeCaRoot,
        };

        // The config's own checks, so a value is refused with the message its setting would get.
        var problems = ConfigValidator.ValidateAcme(acme, "", Environment.CurrentDirectory);
        errors = [.. problems.Select(p => $"{OptionOf(p.Path)}: {p.Message}")];
        return errors.Count == 0 ? acme : null;
    }

    /// <summary>The ACME options given, by name, in the order --help lists them.</summary>
    private static List<string> Given(UpOptions options)
    {
        var given = new List<string>();
        if (options.Domains.Count > 0)
        {
            given.Add("--domain");
        }

        if (options.AcmeDirectory is not null)
        {
            given.Add("--acme");
        }

        if (options.AcmeContact is not null)
        {
            given.Add("--acme-contact");
        }

        if (options.AcmeCaRoot is not null)
        {
            given.Add("--acme-ca-root");
        }

        return given;
    }

    /// <summary>The option behind a setting of the acme section (".names[1]" is --domain).</summary>
    private static string OptionOf(string path) => path.TrimStart('.').Split('[', '.')[0] switch
    {
        "directory" => "--acme",
        "names" => "--domain",
        "contact" => "--acme-contact",
        "caRoot" => "--acme-ca-root",
        var other => other,
    };
}
