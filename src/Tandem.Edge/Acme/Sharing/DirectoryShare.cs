namespace Tandem.Edge.Acme.Sharing;

/// <summary>
/// A share in a folder every sharing edge mounts. Texts are written to a temporary file and
/// renamed into place; a lease is created with a no-clobber rename, so of two edges creating it
/// at once exactly one succeeds.
/// </summary>
public sealed class DirectoryShare(string directory) : CertificateShare
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public override string Description => $"folder {directory}";

    protected override async Task<string?> ReadAsync(string name, CancellationToken ct)
    {
        try
        {
            return await File.ReadAllTextAsync(PathOf(name), ct);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    protected override Task WriteAsync(string name, string text, CancellationToken ct)
    {
        CertificateFiles.WriteAtomically(PathOf(name), text, OwnerOnly);
        return Task.CompletedTask;
    }

    protected override Task<bool> CreateAsync(string name, string text, CancellationToken ct)
    {
        var path = PathOf(name);
        var temp = $"{path}.{Guid.NewGuid():N}.new";
        CertificateFiles.WriteAtomically(temp, text, OwnerOnly);
        try
        {
            // Without overwrite the move fails when the name exists, and never replaces it.
            File.Move(temp, path, overwrite: false);
            return Task.FromResult(true);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp);
            return Task.FromResult(false);
        }
    }

    protected override Task DeleteAsync(string name, CancellationToken ct)
    {
        File.Delete(PathOf(name));
        return Task.CompletedTask;
    }

    private string PathOf(string name) => Path.Combine(directory, name);
}
