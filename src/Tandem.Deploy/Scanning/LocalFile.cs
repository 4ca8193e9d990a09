using Tandem.Core.Releases;

namespace Tandem.Deploy.Scanning;

/// <summary>A file of the site folder: where it is on disk and what it becomes in a release.</summary>
public sealed record LocalFile(string FullPath, ReleaseFile File)
{
    public string Path => File.Path;
}
