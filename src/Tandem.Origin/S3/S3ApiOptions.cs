namespace Tandem.Origin.S3;

/// <summary>Settings of the S3 API listener.</summary>
public sealed class S3ApiOptions
{
    /// <summary>Base domain for virtual-hosted addressing ("BUCKET.BASEDOMAIN"). Default "localhost"; null turns it off.</summary>
    public string? BaseDomain { get; set; } = "localhost";

    /// <summary>The region this origin signs with and reports. Default "us-east-1", what clients assume.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>
    /// Reject signatures scoped to another region (AuthorizationHeaderMalformed with the right
    /// region, so botocore and s3cmd retry there). Default false: any region is accepted, as
    /// MinIO does, since many tools sign with whatever region their profile says.
    /// </summary>
    public bool EnforceRegion { get; set; }

    /// <summary>Largest object body in bytes. Default 5 GiB, S3's single-PUT limit.</summary>
    public long MaxObjectBytes { get; set; } = 5L * 1024 * 1024 * 1024;

    /// <summary>Largest XML or JSON request document. Default 2 MiB: DeleteObjects of 1,000 keys of 1,024 bytes fits.</summary>
    public int MaxDocumentBytes { get; set; } = 2 * 1024 * 1024;
}
