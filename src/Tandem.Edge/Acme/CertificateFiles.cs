namespace Tandem.Edge.Acme;

/// <summary>
/// Writes a certificate chain and its key as PEM files, each atomically (a temporary file in
/// the same folder, then a rename), the key readable by the owner only. The key is written
/// first: a reader that sees the new chain also finds its key (CertificateStore keeps the
/// current certificate through the moment in between).
/// </summary>
public static class CertificateFiles
{
    public static void Write(string chainFile, string keyFile, string chainPem, string keyPem)
    {
        WriteAtomically(keyFile, keyPem, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        WriteAtomically(chainFile, chainPem, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    /// <summary>Writes <paramref name="text"/> to a temporary file created with <paramref name="mode"/>, then renames it over <paramref name="path"/>.</summary>
    public static void WriteAtomically(string path, string text, UnixFileMode mode)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = mode;
            }

            using (var stream = new FileStream(temp, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(text);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, mode); // the umask may have narrowed the create mode
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
