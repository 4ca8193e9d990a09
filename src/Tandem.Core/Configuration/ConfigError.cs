namespace Tandem.Core.Configuration;

/// <summary>One problem found in a config file: where it is, what is wrong, and how to fix it.</summary>
/// <param name="Path">JSON path of the setting, such as <c>$.origins.primary.bucket</c>.</param>
/// <param name="Message">What is wrong and what would fix it.</param>
public sealed record ConfigError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>Thrown when a config cannot be used; carries every error found.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string source, IReadOnlyList<ConfigError> errors)
        : base($"{source}: {errors.Count} error(s) in the configuration:{Environment.NewLine}" +
               string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
    {
        Source = source;
        Errors = errors;
    }

    public new string Source { get; }

    public IReadOnlyList<ConfigError> Errors { get; }
}
