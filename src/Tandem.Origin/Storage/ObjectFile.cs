using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Tandem.Origin.Storage;

/// <summary>
/// The layout of an object (or part) file: [body][metadata JSON][metadata length: 8 bytes LE]
/// [magic: 8 bytes]. Metadata last means one file and one rename replace body and metadata
/// together, and a reader finds the metadata from the end of whatever version it opened.
/// </summary>
internal static class ObjectFile
{
    public const int FooterLength = 16;

    /// <summary>Metadata is small (S3 caps user metadata at 2 KB); anything larger is not ours.</summary>
    public const int MaxMetadataLength = 1 << 20;

    // One read of the tail normally gets footer and metadata together.
    private const int TailRead = 4096;

    private static readonly ulong Magic = BinaryPrimitives.ReadUInt64LittleEndian("TNDMOBJ1"u8);

    /// <summary>The metadata and footer to append after a body.</summary>
    public static byte[] EncodeTrailer(StoredObject metadata)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(metadata, StorageJson.Default.StoredObject);
        if (json.Length > MaxMetadataLength)
        {
            throw new S3Exception("MetadataTooLarge", 400, $"The object's metadata is {json.Length} bytes, more than the {MaxMetadataLength} this store keeps.");
        }

        var trailer = new byte[json.Length + FooterLength];
        json.CopyTo(trailer, 0);
        BinaryPrimitives.WriteInt64LittleEndian(trailer.AsSpan(json.Length), json.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(trailer.AsSpan(json.Length + 8), Magic);
        return trailer;
    }

    /// <summary>
    /// Reads the metadata at the end of an open file. Returns null, with the reason, when the
    /// file is not a whole object file (a file is only renamed into place whole, so this means
    /// something else wrote it).
    /// </summary>
    public static StoredObject? TryRead(SafeFileHandle file, out string? problem)
    {
        var length = RandomAccess.GetLength(file);
        if (length < FooterLength)
        {
            problem = $"it is {length} bytes, shorter than the footer";
            return null;
        }

        var tailLength = (int)Math.Min(length, TailRead);
        var tail = ArrayPool<byte>.Shared.Rent(tailLength);
        try
        {
            ReadExactly(file, tail.AsSpan(0, tailLength), length - tailLength);
            var footer = tail.AsSpan(tailLength - FooterLength, FooterLength);
            var metadataLength = BinaryPrimitives.ReadInt64LittleEndian(footer);
            if (BinaryPrimitives.ReadUInt64LittleEndian(footer[8..]) != Magic)
            {
                problem = "its footer has no object-file magic";
                return null;
            }

            if (metadataLength <= 0 || metadataLength > MaxMetadataLength || metadataLength > length - FooterLength)
            {
                problem = $"its footer gives an impossible metadata length {metadataLength}";
                return null;
            }

            var metadata = metadataLength <= tailLength - FooterLength
                ? Parse(tail.AsSpan(tailLength - FooterLength - (int)metadataLength, (int)metadataLength), out problem)
                : ReadAndParse(file, length - FooterLength - metadataLength, (int)metadataLength, out problem);
            if (metadata is not null && metadata.Size != length - FooterLength - metadataLength)
            {
                problem = $"its metadata gives size {metadata.Size} but the body is {length - FooterLength - metadataLength} bytes";
                return null;
            }

            return metadata;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(tail);
        }
    }

    /// <summary>Reads <paramref name="path"/>'s metadata, or null with the reason.</summary>
    public static StoredObject? TryRead(string path, out string? problem)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        return TryRead(file, out problem);
    }

    private static StoredObject? ReadAndParse(SafeFileHandle file, long offset, int length, out string? problem)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            ReadExactly(file, buffer.AsSpan(0, length), offset);
            return Parse(buffer.AsSpan(0, length), out problem);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static StoredObject? Parse(ReadOnlySpan<byte> json, out string? problem)
    {
        try
        {
            var metadata = JsonSerializer.Deserialize(json, StorageJson.Default.StoredObject);
            problem = metadata is null ? "its metadata is JSON null" : null;
            return metadata;
        }
        catch (JsonException e)
        {
            problem = "its metadata is not valid JSON: " + e.Message;
            return null;
        }
    }

    private static void ReadExactly(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        while (!buffer.IsEmpty)
        {
            var read = RandomAccess.Read(file, buffer, offset);
            if (read == 0)
            {
                throw new EndOfStreamException("The object file ended early.");
            }

            buffer = buffer[read..];
            offset += read;
        }
    }
}
