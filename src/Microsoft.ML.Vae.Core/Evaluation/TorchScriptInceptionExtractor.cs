using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>
/// Inception-v3 pool3 features from a TorchScript file the user supplies (the library ships no
/// Inception weights; docs/metrics-fid.md shows how to export pytorch-fid's network).
/// </summary>
/// <remarks>
/// Each batch is prepared the way pytorch-fid and the prior-learning code prepare theirs:
/// 1-channel images are repeated to 3 channels, the batch is resized bilinearly
/// (align_corners = false) to <see cref="InceptionExtractorOptions.InputSize"/>², and values are
/// fed in [0, 1] (the exported <c>InceptionV3</c> maps them to [−1, 1] itself) or in [−1, 1] when
/// <see cref="InceptionExtractorOptions.InputRange"/> says the module does not. A module output
/// [N, k, h, w] is averaged over h, w (as pytorch-fid does when the map is not 1×1), so both a
/// wrapped pool3 vector [N, 2048] and the raw block output [N, 2048, 1, 1] work.
/// </remarks>
public sealed class TorchScriptInceptionExtractor : IFeatureExtractor
{
    private readonly ScriptModule _module;
    private readonly InceptionExtractorOptions _options;

    /// <summary>Loads the TorchScript file at <paramref name="path"/> onto <paramref name="device"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="TorchException">The file is not a TorchScript module.</exception>
    public TorchScriptInceptionExtractor(string path, Device device = default, InceptionExtractorOptions? options = null)
    {
        _options = options ?? new InceptionExtractorOptions();
        _options.Validate();
        _module = ScriptModule.Load(path, device);
        Device = _module.Device;
        _module.SetTraining(_options.TrainingMode);
    }

    /// <inheritdoc />
    public string Name => _options.Name;

    /// <inheritdoc />
    public int Dimension => _options.FeatureDimension;

    /// <summary>The device the network runs on.</summary>
    public Device Device { get; }

    /// <inheritdoc />
    public Tensor Extract(Tensor images)
    {
        FeatureExtraction.ValidateImages(images);
        long channels = images.Size(1);
        if (channels is not (1 or 3))
            throw new ArgumentException(
                $"Inception features need 1-channel (repeated to 3) or 3-channel images, not {FeatureExtraction.Describe(images.Shape[1..])}.", nameof(images));
        return FeatureExtraction.InBatches(images, _options.BatchSize, Forward);
    }

    /// <summary>The exact tensor the module receives for a batch (for inspection and tests).</summary>
    public Tensor Prepare(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = Torch.NewDisposeScope();
        var x = batch.To(DType.Float32, Device);
        if (x.Size(1) == 1) x = x.Expand(x.Size(0), 3, x.Size(2), x.Size(3));
        int side = _options.InputSize;
        if (x.Size(2) != side || x.Size(3) != side)
            x = Functional.UpsampleBilinear(x.Contiguous(), side, side, alignCorners: false);
        if (_options.InputRange == InceptionInputRange.MinusOneToOne) x = x * 2.0 - 1.0;
        return x.Contiguous().MoveToOuterScope();
    }

    private Tensor Forward(Tensor batch)
    {
        var output = _module.Forward(Prepare(batch));
        if (output.Dim == 4 && (output.Size(2) != 1 || output.Size(3) != 1))
            output = Functional.AdaptiveAvgPool2d(output, 1, 1);
        if (output.Dim < 2 || output.Size(0) != batch.Size(0))
            throw new InvalidOperationException(
                $"The TorchScript module returned {output} for a batch of {batch.Size(0)} images; expected [N, {Dimension}] or [N, {Dimension}, 1, 1].");
        var flat = output.Reshape(output.Size(0), -1);
        if (flat.Size(1) != Dimension)
            throw new InvalidOperationException(
                $"The TorchScript module returned {flat.Size(1)} features per image but {Dimension} were expected; set InceptionExtractorOptions.FeatureDimension.");
        return flat;
    }

    /// <summary>Releases the module.</summary>
    public void Dispose() => _module.Dispose();
}
