using Microsoft.ML.Vae.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Mapping;

/// <summary>
/// Runs a VAE on one row at a time for the custom mappings. Thread-safe: ML.NET may call it from several
/// cursors at once; each call works in its own dispose scope under no-grad, and the model is only read
/// (it is put in evaluation mode once, here).
/// </summary>
internal sealed class RowInference
{
    private readonly IVaeModel _model;
    private readonly long[] _rowShape;
    private readonly long _sampleSize;
    private readonly float _inputScale;
    private readonly Device _device;

    /// <summary>Prepares inference for <paramref name="model"/>; input values are multiplied by <paramref name="inputScale"/>.</summary>
    public RowInference(IVaeModel model, float inputScale)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        if (!float.IsFinite(inputScale) || inputScale == 0)
            throw new ArgumentOutOfRangeException(nameof(inputScale), inputScale, "The input scale must be finite and non-zero.");
        _inputScale = inputScale;
        _rowShape = [1, .. model.SampleShape];
        _sampleSize = model.SampleShape.Aggregate(1L, (a, b) => checked(a * b));
        // Read once: the model's device does not change, and asking for it walks every parameter.
        _device = model.Device;
        model.SetTraining(false);
    }

    /// <summary>The model.</summary>
    public IVaeModel Model => _model;

    /// <summary>The input scale.</summary>
    public float InputScale => _inputScale;

    /// <summary>Posterior mean and log-variance of one sample.</summary>
    public (float[] Mean, float[] LogVariance) Encode(float[]? input)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (mean, logVar) = _model.Encode(ToTensor(input));
        return (ToArray(mean), ToArray(logVar));
    }

    /// <summary>
    /// The deterministic reconstruction ToData(Decode(μ(x))) of one sample, scaled by
    /// <paramref name="outputScale"/>, with a single gray plane repeated into three when asked.
    /// </summary>
    public float[] Reconstruct(float[]? input, float outputScale, bool expandGrayscaleToRgb)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (mean, _) = _model.Encode(ToTensor(input));
        var data = _model.Observation.ToData(_model.Decode(mean));
        return ToArray(OutputImages.ToOutput(data, outputScale, expandGrayscaleToRgb));
    }

    private Tensor ToTensor(float[]? input)
    {
        if (input is null || input.LongLength != _sampleSize)
            throw new InvalidOperationException(
                $"A row holds {input?.Length ?? 0} values, but the '{_model.Kind}' model expects samples of [{string.Join(", ", _model.SampleShape)}] = {_sampleSize} values.");
        var x = torch.tensor(input, _rowShape);
        if (_inputScale != 1) x = x * _inputScale;
        return _device.type == DeviceType.CPU ? x : x.to(_device);
    }

    private static float[] ToArray(Tensor t)
    {
        if (t.device.type != DeviceType.CPU) t = t.cpu();
        if (t.dtype != ScalarType.Float32) t = t.to(ScalarType.Float32);
        return t.contiguous().data<float>().ToArray();
    }
}
