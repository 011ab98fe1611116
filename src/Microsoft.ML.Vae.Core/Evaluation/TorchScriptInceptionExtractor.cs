using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Microsoft.ML.Vae.Core.Evaluation;

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
    private const string InterpreterHeader = "The following operation failed in the TorchScript interpreter.";

    private readonly jit.ScriptModule _module;
    private readonly InceptionExtractorOptions _options;

    /// <summary>Loads the TorchScript file at <paramref name="path"/> onto <paramref name="device"/> (the CPU when null).</summary>
    /// <exception cref="ArgumentException">The path is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a TorchScript module libtorch can read.</exception>
    public TorchScriptInceptionExtractor(string path, Device? device = null, InceptionExtractorOptions? options = null)
    {
        _options = options ?? new InceptionExtractorOptions();
        _options.Validate();
        ArgumentException.ThrowIfNullOrEmpty(path);
        // libtorch's own message for a missing file is a generic stream error; say it plainly.
        if (!File.Exists(path))
            throw new FileNotFoundException($"TorchScript file '{path}' does not exist.", path);
        Persistence.RegularFile.Ensure(path, "TorchScript file"); // libtorch would block forever on a FIFO
        Device = device ?? torch.CPU;
        Devices.EnsureAvailable(Device);
        _module = Load(path, Device);
        _module.train(_options.TrainingMode);
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
        long channels = images.size(1);
        if (channels is not (1 or 3))
            throw new ArgumentException(
                $"Inception features need 1-channel (repeated to 3) or 3-channel images, not {FeatureExtraction.Describe(images.shape[1..])}.", nameof(images));
        return FeatureExtraction.InBatches(images, _options.BatchSize, Forward);
    }

    /// <summary>The exact tensor the module receives for a batch (for inspection and tests).</summary>
    public Tensor Prepare(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = torch.NewDisposeScope();
        // Always a copy (as the old binding's conversion was): the module never sees the caller's tensor.
        var x = batch.to(ScalarType.Float32, Device, copy: true);
        if (x.size(1) == 1) x = x.expand(x.size(0), 3, x.size(2), x.size(3));
        int side = _options.InputSize;
        if (x.size(2) != side || x.size(3) != side)
            x = F.interpolate(x.contiguous(), [side, side], mode: InterpolationMode.Bilinear, align_corners: false);
        if (_options.InputRange == InceptionInputRange.MinusOneToOne) x = x * 2.0 - 1.0;
        return x.contiguous().MoveToOuterDisposeScope();
    }

    private Tensor Forward(Tensor batch)
    {
        var output = RunModule(Prepare(batch));
        if (output.dim() == 4 && (output.size(2) != 1 || output.size(3) != 1))
            output = F.adaptive_avg_pool2d(output, [1, 1]);
        if (output.dim() < 2 || output.size(0) != batch.size(0))
            throw new InvalidOperationException(
                $"The TorchScript module returned {EvaluationData.Describe(output)} for a batch of {batch.size(0)} images; expected [N, {Dimension}] or [N, {Dimension}, 1, 1].");
        var flat = output.reshape(output.size(0), -1);
        if (flat.size(1) != Dimension)
            throw new InvalidOperationException(
                $"The TorchScript module returned {flat.size(1)} features per image but {Dimension} were expected; set InceptionExtractorOptions.FeatureDimension.");
        return flat;
    }

    /// <summary>Releases the module.</summary>
    public void Dispose() => _module.Dispose();

    /// <summary>Loads the module, turning libtorch's multi-line failure into one clear message.</summary>
    private static jit.ScriptModule Load(string path, Device device)
    {
        try
        {
            return jit.load(path, device);
        }
        catch (ExternalException e)
        {
            // Every native failure here means an unreadable module, whatever words libtorch used.
            throw new InvalidDataException($"Cannot load TorchScript module '{path}': {FirstLine(e.Message)}", e);
        }
    }

    /// <summary>
    /// Runs the module's <c>forward</c>; a tuple or list result gives its first tensor (the rest are
    /// released). An error inside the module surfaces as an <see cref="InvalidOperationException"/>
    /// with the one-line cause; the full TorchScript traceback stays available as the inner exception.
    /// </summary>
    private Tensor RunModule(Tensor input)
    {
        object result;
        try
        {
            result = _module.forward(input);
        }
        catch (ExternalException e)
        {
            throw new InvalidOperationException(
                $"{Cause(e.Message)} (in the TorchScript module's forward; the inner exception has its traceback)", e);
        }
        switch (result)
        {
            case Tensor tensor:
                return tensor;
            case Tensor[] list when list.Length > 0:
                foreach (var other in list.Skip(1)) other.Dispose();
                return list[0];
            case ITuple tuple when tuple.Length > 0 && tuple[0] is Tensor first:
                for (int i = 1; i < tuple.Length; i++) (tuple[i] as IDisposable)?.Dispose();
                return first;
            default:
                (result as IDisposable)?.Dispose();
                throw new InvalidOperationException(
                    $"The TorchScript module returned {result?.GetType().Name ?? "nothing"}; a feature network must return a tensor (or a tuple or list whose first item is one).");
        }
    }

    /// <summary>
    /// The interpreter wraps an op's error in a multi-line TorchScript traceback ending with
    /// "RuntimeError: cause"; this is that one-line cause (or the first line of any other message).
    /// </summary>
    private static string Cause(string message)
    {
        if (!message.StartsWith(InterpreterHeader, StringComparison.Ordinal)) return FirstLine(message);
        var cause = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? message;
        int colon = cause.IndexOf(": ", StringComparison.Ordinal);
        if (colon > 0 && cause.AsSpan(0, colon).EndsWith("Error", StringComparison.Ordinal)) cause = cause[(colon + 2)..];
        return cause;
    }

    // libtorch appends "Exception raised from … (most recent call first): <C++ stack>" to its messages.
    private static string FirstLine(string message)
    {
        int end = message.IndexOf("Exception raised from", StringComparison.Ordinal);
        var text = (end >= 0 ? message[..end] : message).Trim();
        int newline = text.IndexOf('\n');
        return newline >= 0 ? text[..newline].Trim() : text;
    }
}
