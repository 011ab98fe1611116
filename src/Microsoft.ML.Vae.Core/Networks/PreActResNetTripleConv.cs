using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>
/// The pre-activation triple convolution T(f, s) of spec §4.2: BN→ReLU→conv3×3(f) → BN→ReLU→conv3×3(f)
/// → BN→ReLU→conv1×1(f, stride s). The first convolution takes the block's input channels, which may
/// differ from f. Children "first", "second", "third" (<see cref="PreActResNetConv"/>).
/// </summary>
public sealed class PreActResNetTripleConv : nn.Module<Tensor, Tensor>
{
    private readonly PreActResNetConv _first;
    private readonly PreActResNetConv _second;
    private readonly PreActResNetConv _third;

    /// <summary>Creates T(<paramref name="filters"/>, <paramref name="stride"/>) for <paramref name="inChannels"/> input channels.</summary>
    public PreActResNetTripleConv(int inChannels, int filters, int stride, double batchNormEps, double batchNormMomentum)
        : base(nameof(PreActResNetTripleConv))
    {
        _first = new PreActResNetConv(inChannels, filters, 3, 1, false, batchNormEps, batchNormMomentum);
        register_module("first", _first);
        _second = new PreActResNetConv(filters, filters, 3, 1, false, batchNormEps, batchNormMomentum);
        register_module("second", _second);
        _third = new PreActResNetConv(filters, filters, 1, stride, false, batchNormEps, batchNormMomentum);
        register_module("third", _third);
    }

    /// <summary>Input channels.</summary>
    public int InChannels => _first.InChannels;

    /// <summary>Output channels f.</summary>
    public int Filters => _third.OutChannels;

    /// <summary>Stride of the final 1×1 convolution.</summary>
    public int Stride => _third.Stride;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var a = _first.forward(input);
        using var b = _second.forward(a);
        return _third.forward(b);
    }

    /// <summary>Registration is explicit (names are part of the file format): fields are never registered by reflection.</summary>
    protected override void RegisterComponents()
    {
    }
}
