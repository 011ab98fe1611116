using Microsoft.ML.Vae.Torch.Native;

namespace Microsoft.ML.Vae.Torch;

/// <summary>
/// Image decoding and PNG encoding through the native shim (PNG, JPEG, BMP, GIF, TGA and PNM
/// decode; PNG encodes). Pixels are 8-bit, interleaved height × width × channels.
/// </summary>
public static unsafe class TorchImage
{
    /// <summary>
    /// Decodes an image file into a CPU uint8 tensor [H, W, C].
    /// </summary>
    /// <param name="path">The image file.</param>
    /// <param name="channels">Channels to convert to: 1 (gray), 2 (gray + alpha), 3 (RGB), 4 (RGBA), or 0 to keep the stored count.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="TorchException">The file cannot be decoded.</exception>
    public static Tensor ReadImage(string path, int channels = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (channels is < 0 or > 4)
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channels must be 0 (as stored), 1, 2, 3 or 4.");
        // The decoder's own message for a missing file is vague; say which file.
        if (!File.Exists(path)) throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        return Tensor.Wrap(NativeMethods.vt_image_read(path, channels));
    }

    /// <summary>Writes interleaved 8-bit pixels (row-major, height × width × channels) as a PNG file.</summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="hwcPixels">Exactly <c>width · height · channels</c> bytes.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    /// <param name="channels">1 (gray), 3 (RGB) or 4 (RGBA).</param>
    public static void WritePng(string path, ReadOnlySpan<byte> hwcPixels, int width, int height, int channels)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(width <= 0 ? nameof(width) : nameof(height), $"Image size {width}×{height} must be positive.");
        if (channels is not (1 or 3 or 4))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "A PNG needs 1, 3 or 4 channels.");
        long expected = (long)width * height * channels;
        if (hwcPixels.Length != expected)
            throw new ArgumentException($"A {width}×{height}×{channels} image needs {expected} bytes but {hwcPixels.Length} were given.", nameof(hwcPixels));
        fixed (byte* p = hwcPixels)
            NativeMethods.Check(NativeMethods.vt_png_write(path, p, width, height, channels));
    }

    /// <summary>Writes a uint8 tensor [H, W, C] (C = 1, 3 or 4) or [H, W] (gray) as a PNG file.</summary>
    public static void WritePng(string path, Tensor hwc)
    {
        ArgumentNullException.ThrowIfNull(hwc);
        if (hwc.DType != DType.UInt8)
            throw new ArgumentException($"PNG pixels must be a uint8 tensor, not {hwc.DType}.", nameof(hwc));
        var shape = hwc.Shape;
        if (shape.Length is not (2 or 3))
            throw new ArgumentException($"PNG pixels must be shaped [H, W] or [H, W, C], not [{string.Join(", ", shape)}].", nameof(hwc));
        int channels = shape.Length == 2 ? 1 : checked((int)shape[2]);
        // ToBytes copies row-major from any layout or device.
        WritePng(path, hwc.ToBytes(), checked((int)shape[1]), checked((int)shape[0]), channels);
    }
}
