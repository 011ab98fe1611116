using System.Buffers.Binary;
using Microsoft.ML.Vae.Core.Engine;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Imaging;

/// <summary>
/// Image decoding (PNG, JPEG, BMP, GIF, WebP, ...) and lossless PNG encoding through SkiaSharp. Pixels are
/// 8-bit, interleaved height × width × channels, not premultiplied by alpha, with no color management (the
/// stored values, as the previous stb-based decoder gave them).
/// </summary>
/// <remarks>
/// Channel conversions follow stb_image: gray from color is the integer luminance
/// <c>(77·R + 150·G + 29·B) &gt;&gt; 8</c>; color from gray repeats the value; a missing alpha is 255; dropping
/// alpha discards it without blending. The number of channels "as stored" is 1 (gray), 2 (gray + alpha), 3
/// (RGB) or 4 (RGBA) for PNG (a palette counts as RGB, or RGBA with a transparency chunk); 1 or 3 for JPEG;
/// 3 or 4 for the other formats (4 where the image can be transparent: GIF always is). JPEG files decode
/// with libjpeg-turbo instead of stb's decoder, so their values can differ from the previous version's by a
/// few levels; lossless formats give identical values.
/// </remarks>
public static unsafe class ImageCodec
{
    /// <summary>
    /// Default limit on the pixels of one decoded image: 50 megapixels (200 MB as RGBA). The size is read from the
    /// file's header before anything is decoded, so a small decompression bomb declaring 100,000 × 100,000 pixels
    /// costs nothing. Pass a larger <c>maxPixels</c> to <see cref="ReadImage"/> (or set
    /// <see cref="Data.ImageFolderOptions.MaxPixels"/>) for bigger trusted images.
    /// </summary>
    public const long DefaultMaxPixels = 50_000_000;

    /// <summary>Largest image file read: 1 GiB (the whole file is held in memory while it is decoded).</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>Decodes an image file into a CPU uint8 tensor [H, W, C].</summary>
    /// <param name="path">The image file.</param>
    /// <param name="channels">Channels to convert to: 1 (gray), 2 (gray + alpha), 3 (RGB), 4 (RGBA), or 0 to keep the stored count.</param>
    /// <param name="maxPixels">Largest width × height decoded (default <see cref="DefaultMaxPixels"/>); checked from the header before decoding.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channels"/> is not 0 to 4, or <paramref name="maxPixels"/> is not positive.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a regular file, not an image SkiaSharp can decode, damaged, truncated, or larger than <paramref name="maxPixels"/>.</exception>
    public static Tensor ReadImage(string path, int channels = 0, long maxPixels = DefaultMaxPixels)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (channels is < 0 or > 4)
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channels must be 0 (as stored), 1, 2, 3 or 4.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPixels);
        // The decoder's own answer for a missing file is vague; say which file. A FIFO named a.png would block the read forever.
        if (!File.Exists(path)) throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        Persistence.RegularFile.Ensure(path, "Image file");
        long length = new FileInfo(path).Length;
        if (length > MaxFileBytes)
            throw new InvalidDataException($"cannot decode image '{path}': the file has {length:N0} bytes, more than the limit of {MaxFileBytes:N0}.");
        byte[] file;
        try { file = File.ReadAllBytes(path); }
        catch (IOException ex) { throw new InvalidDataException($"cannot decode image '{path}': the file cannot be read ({ex.Message})", ex); }

        // The codec takes ownership of the stream and releases it with itself.
        var stream = new SKMemoryStream(file);
        using var codec = SKCodec.Create(stream, out var created);
        if (codec is null)
        {
            stream.Dispose();
            throw new InvalidDataException($"cannot decode image '{path}': {Describe(created, file.Length)}");
        }
        // SKCodec.Create read only the header: check the size before any pixel buffer exists.
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0)
            throw new InvalidDataException($"cannot decode image '{path}': it has no pixels ({info.Width}×{info.Height}).");
        if ((long)info.Width * info.Height > maxPixels)
            throw new InvalidDataException(
                $"cannot decode image '{path}': its header declares {info.Width}×{info.Height} = {(long)info.Width * info.Height:N0} pixels, more than the limit of {maxPixels:N0} (raise it with maxPixels / ImageFolderOptions.MaxPixels for trusted images).");
        int stored = StoredChannels(codec, file);
        int outc = channels == 0 ? stored : channels;

        // Decode to unpremultiplied RGBA without color conversion (no color space on the target), then convert.
        var rgbaInfo = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        long pixels = (long)info.Width * info.Height;
        if (pixels * 4 > Array.MaxLength)
            throw new InvalidDataException($"cannot decode image '{path}': {info.Width}×{info.Height} pixels are too many.");
        var rgba = new byte[pixels * 4];
        SKCodecResult decoded;
        fixed (byte* p = rgba) decoded = codec.GetPixels(rgbaInfo, (IntPtr)p);
        if (decoded != SKCodecResult.Success)
            throw new InvalidDataException($"cannot decode image '{path}': {Describe(decoded, file.Length)}");

        var output = Convert(rgba, outc);
        var tensor = TensorData.FromBytes(output, [info.Height, info.Width, outc], ScalarType.Byte);
        return tensor;
    }

    /// <summary>Writes interleaved 8-bit pixels (row-major, height × width × channels) as a PNG file, losslessly.</summary>
    /// <param name="path">The file to create or overwrite (atomically; its folder must exist).</param>
    /// <param name="hwcPixels">Exactly <c>width · height · channels</c> bytes.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    /// <param name="channels">1 (written as an 8-bit gray PNG), 3 (RGB) or 4 (RGBA, not premultiplied).</param>
    /// <exception cref="ArgumentOutOfRangeException">The size or channel count is invalid.</exception>
    /// <exception cref="ArgumentException">The pixel count does not match the size.</exception>
    /// <exception cref="IOException">The file cannot be written; any previous file is unchanged.</exception>
    public static void WritePng(string path, ReadOnlySpan<byte> hwcPixels, int width, int height, int channels) =>
        WriteImage(path, hwcPixels, width, height, channels, ImageFileFormat.Png);

    /// <summary>Writes a uint8 tensor [H, W, C] (C = 1, 3 or 4) or [H, W] (gray) as a PNG file.</summary>
    /// <exception cref="ArgumentException">The tensor is not uint8 or not shaped [H, W] or [H, W, C].</exception>
    public static void WritePng(string path, Tensor hwc) => WriteImage(path, hwc, ImageFileFormat.Png);

    /// <summary>Writes a uint8 tensor [H, W, C] (C = 1, 3 or 4) or [H, W] (gray) as a <paramref name="format"/> file.</summary>
    /// <exception cref="ArgumentException">The tensor is not uint8 or not shaped [H, W] or [H, W, C].</exception>
    public static void WriteImage(string path, Tensor hwc, ImageFileFormat format)
    {
        ArgumentNullException.ThrowIfNull(hwc);
        if (hwc.dtype != ScalarType.Byte)
            throw new ArgumentException($"Image pixels must be a uint8 tensor, not {hwc.dtype}.", nameof(hwc));
        var shape = hwc.shape;
        if (shape.Length is not (2 or 3))
            throw new ArgumentException($"Image pixels must be shaped [H, W] or [H, W, C], not [{string.Join(", ", shape)}].", nameof(hwc));
        int channels = shape.Length == 2 ? 1 : checked((int)shape[2]);
        // ToBytes copies row-major from any layout or device.
        WriteImage(path, TensorData.ToBytes(hwc), checked((int)shape[1]), checked((int)shape[0]), channels, format);
    }

    /// <summary>
    /// Writes interleaved 8-bit pixels as a PNG (lossless) or JPEG (quality 95; gray stays gray, an alpha
    /// channel is dropped) file, atomically: a failed write leaves any previous file unchanged.
    /// </summary>
    /// <param name="path">The file to create or overwrite; its folder must exist.</param>
    /// <param name="hwcPixels">Exactly <c>width · height · channels</c> bytes.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    /// <param name="channels">1 (gray), 3 (RGB) or 4 (RGBA, not premultiplied).</param>
    /// <param name="format">The file format (see <see cref="ImageFileFormats.FromPath"/> to take it from a file name).</param>
    /// <exception cref="ArgumentOutOfRangeException">The size, channel count or format is invalid.</exception>
    /// <exception cref="ArgumentException">The pixel count does not match the size.</exception>
    /// <exception cref="IOException">The file cannot be written; any previous file is unchanged.</exception>
    public static void WriteImage(string path, ReadOnlySpan<byte> hwcPixels, int width, int height, int channels, ImageFileFormat format)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(width <= 0 ? nameof(width) : nameof(height), $"Image size {width}×{height} must be positive.");
        if (channels is not (1 or 3 or 4))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "An image needs 1, 3 or 4 channels.");
        if (format is not (ImageFileFormat.Png or ImageFileFormat.Jpeg))
            throw new ArgumentOutOfRangeException(nameof(format), format, "The format must be PNG or JPEG.");
        long expected = (long)width * height * channels;
        if (hwcPixels.Length != expected)
            throw new ArgumentException($"A {width}×{height}×{channels} image needs {expected} bytes but {hwcPixels.Length} were given.", nameof(hwcPixels));

        // Gray stays one byte per pixel; RGB is padded to RGBX and marked opaque, so the encoder writes RGB.
        SKImageInfo info;
        byte[] buffer;
        switch (channels)
        {
            case 1:
                info = new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque);
                buffer = hwcPixels.ToArray();
                break;
            case 3:
                // The JPEG encoder takes RGBA (opaque) but not RGBX.
                info = new SKImageInfo(width, height, format == ImageFileFormat.Png ? SKColorType.Rgb888x : SKColorType.Rgba8888, SKAlphaType.Opaque);
                buffer = new byte[(long)width * height * 4];
                for (long i = 0, j = 0; i < expected; i += 3, j += 4)
                {
                    buffer[j] = hwcPixels[(int)i];
                    buffer[j + 1] = hwcPixels[(int)i + 1];
                    buffer[j + 2] = hwcPixels[(int)i + 2];
                    buffer[j + 3] = 255;
                }
                break;
            default:
                info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
                buffer = hwcPixels.ToArray();
                break;
        }
        string name = format == ImageFileFormat.Png ? "PNG" : "JPEG";
        SKData? encoded;
        fixed (byte* p = buffer)
        {
            using var pixmap = new SKPixmap(info, (IntPtr)p, info.RowBytes);
            encoded = format == ImageFileFormat.Png
                ? pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, 6))
                : pixmap.Encode(new SKJpegEncoderOptions(95, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore));
        }
        if (encoded is null) throw new IOException($"cannot encode the {width}×{height}×{channels} image for '{path}' as {name}.");
        using (encoded)
        {
            // Like any other writer, a picture never creates folders on its own: a missing one is an error.
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
                throw new IOException($"cannot write {name} file '{path}': the folder '{folder}' does not exist.");
            Persistence.AtomicFile.Write(path, s => s.Write(encoded.AsSpan()));
        }
    }

    /// <summary>Converts unpremultiplied RGBA to <paramref name="channels"/> channels the way stb_image does.</summary>
    private static byte[] Convert(byte[] rgba, int channels)
    {
        if (channels == 4) return rgba;
        long pixels = rgba.Length / 4;
        var output = new byte[pixels * channels];
        for (long i = 0, s = 0, d = 0; i < pixels; i++, s += 4, d += channels)
        {
            byte r = rgba[s], g = rgba[s + 1], b = rgba[s + 2], a = rgba[s + 3];
            switch (channels)
            {
                case 1:
                    output[d] = Luminance(r, g, b);
                    break;
                case 2:
                    output[d] = Luminance(r, g, b);
                    output[d + 1] = a;
                    break;
                default:
                    output[d] = r;
                    output[d + 1] = g;
                    output[d + 2] = b;
                    break;
            }
        }
        return output;
    }

    // stb_image's stbi__compute_y; exact for gray sources (r = g = b) since the weights sum to 256.
    private static byte Luminance(byte r, byte g, byte b) => (byte)((r * 77 + g * 150 + b * 29) >> 8);

    /// <summary>The channel count the file stores, as stb_image reports it (see the class remarks).</summary>
    private static int StoredChannels(SKCodec codec, byte[] file)
    {
        if (codec.EncodedFormat == SKEncodedImageFormat.Png && PngColorType(file, out int colorType, out bool transparency))
        {
            return colorType switch
            {
                0 => transparency ? 2 : 1, // gray
                4 => 2,                     // gray + alpha
                2 => transparency ? 4 : 3,  // RGB
                3 => transparency ? 4 : 3,  // palette
                _ => 4,                     // RGBA
            };
        }
        var info = codec.Info;
        if (info.ColorType == SKColorType.Gray8) return 1;
        if (codec.EncodedFormat == SKEncodedImageFormat.Jpeg) return 3;
        return info.AlphaType == SKAlphaType.Opaque ? 3 : 4;
    }

    /// <summary>Reads the color type from a PNG's IHDR chunk and whether a tRNS chunk comes before the image data.</summary>
    private static bool PngColorType(byte[] file, out int colorType, out bool transparency)
    {
        colorType = -1;
        transparency = false;
        // Signature (8), IHDR length (4) and type (4), width (4), height (4), bit depth (1), color type (1).
        if (file.Length < 33 || file[12] != 'I' || file[13] != 'H' || file[14] != 'D' || file[15] != 'R') return false;
        colorType = file[25];
        long position = 8;
        while (position + 8 <= file.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan((int)position));
            var type = file.AsSpan((int)position + 4, 4);
            if (type.SequenceEqual("tRNS"u8)) { transparency = true; break; }
            if (type.SequenceEqual("IDAT"u8) || type.SequenceEqual("IEND"u8)) break;
            position += 12L + length;
        }
        return true;
    }

    private static string Describe(SKCodecResult result, long length) => result switch
    {
        SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput => "the file is damaged or truncated.",
        SKCodecResult.InvalidInput or SKCodecResult.Unimplemented when length == 0 => "the file is empty.",
        SKCodecResult.Unimplemented or SKCodecResult.InvalidInput =>
            "the content is not an image format SkiaSharp decodes (PNG, JPEG, BMP, GIF, WebP, ICO, WBMP).",
        SKCodecResult.InvalidConversion => "its pixels cannot be converted to 8-bit RGBA.",
        SKCodecResult.InvalidScale or SKCodecResult.InvalidParameters => "its size is not supported.",
        SKCodecResult.CouldNotRewind or SKCodecResult.InternalError => $"the decoder failed ({result}).",
        _ => $"the decoder reported {result}.",
    };
}
