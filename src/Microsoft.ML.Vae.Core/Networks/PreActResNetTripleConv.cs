namespace Microsoft.ML.Vae.Core.Networks;

using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;

/// <summary>
/// The pre-activation triple convolution T(f, s) of spec §4.2: BN→ReLU→conv3×3(f) → BN→ReLU→conv3×3(f)
/// → BN→ReLU→conv1×1(f, stride s). The first convolution takes the block's input channels, which may
/// differ from f. Children "first", "second", "third" (<see cref="PreActResNetConv"/>).
/// </summary>
public sealed class PreActResNetTripleConv : Layer
{
    private readonly PreActResNetConv _first;
    private readonly PreActResNetConv _second;
    private readonly PreActResNetConv _third;

    /// <summary>Creates T(<paramref name="filters"/>, <paramref name="stride"/>) for <paramref name="inChannels"/> input channels.</summary>
    public PreActResNetTripleConv(int inChannels, int filters, int stride, double batchNormEps, double batchNormMomentum)
    {
        _first = RegisterModule("first", new PreActResNetConv(inChannels, filters, 3, 1, false, batchNormEps, batchNormMomentum));
        _second = RegisterModule("second", new PreActResNetConv(filters, filters, 3, 1, false, batchNormEps, batchNormMomentum));
        _third = RegisterModule("third", new PreActResNetConv(filters, filters, 1, stride, false, batchNormEps, batchNormMomentum));
    }

    /// <summary>Input channels.</summary>
    public int InChannels => _first.InChannels;

    /// <summary>Output channels f.</summary>
    public int Filters => _third.OutChannels;

    /// <summary>Stride of the final 1×1 convolution.</summary>
    public int Stride => _third.Stride;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        using var a = _first.Forward(input);
        using var b = _second.Forward(a);
        return _third.Forward(b);
    }
}
