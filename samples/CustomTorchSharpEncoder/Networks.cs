using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CustomTorchSharpEncoder;

/// <summary>
/// A hand-written encoder for 2-D points: a linear stem, residual blocks (LayerNorm → Linear → SiLU →
/// Linear, added back), and a head with 2·d outputs — the posterior mean in the first d columns, the
/// log-variance in the last d, the layout <c>DpVae</c> expects from a custom encoder.
/// </summary>
/// <remarks>
/// The submodules are registered explicitly with <c>register_module</c>, in a fixed order and under fixed
/// names: those names become the weight names in model.zip ("encoder.body.stem.weight", ...), so a freshly
/// built encoder of the same shape can load the file again.
/// </remarks>
public sealed class ResidualMlpEncoder : nn.Module<Tensor, Tensor>
{
    private readonly Linear _stem;
    private readonly ModuleList<ResidualBlock> _blocks;
    private readonly LayerNorm _norm;
    private readonly Linear _head;

    /// <summary>Builds the encoder for <paramref name="inputs"/>-dimensional data and a <paramref name="latentDim"/>-dimensional latent space.</summary>
    public ResidualMlpEncoder(int inputs, int latentDim, int width = 128, int blocks = 3) : base(nameof(ResidualMlpEncoder))
    {
        _stem = nn.Linear(inputs, width);
        _blocks = nn.ModuleList(Enumerable.Range(0, blocks).Select(_ => new ResidualBlock(width)).ToArray());
        _norm = nn.LayerNorm(width);
        _head = nn.Linear(width, 2 * latentDim);
        register_module("stem", _stem);
        register_module("blocks", _blocks);
        register_module("norm", _norm);
        register_module("head", _head);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = _stem.forward(x);
        foreach (var block in _blocks) h = block.forward(h);
        return _head.forward(F.silu(_norm.forward(h))).MoveToOuterDisposeScope();
    }

    /// <summary>Fields are registered by hand above; TorchSharp's reflection-based registration is not used.</summary>
    protected override void RegisterComponents()
    {
    }
}

/// <summary>h + W₂·SiLU(W₁·LayerNorm(h)): one pre-norm residual block of <see cref="ResidualMlpEncoder"/>.</summary>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm _norm;
    private readonly Linear _in;
    private readonly Linear _out;

    /// <summary>Builds a block of the given width.</summary>
    public ResidualBlock(int width) : base(nameof(ResidualBlock))
    {
        _norm = nn.LayerNorm(width);
        _in = nn.Linear(width, width);
        _out = nn.Linear(width, width);
        register_module("norm", _norm);
        register_module("in", _in);
        register_module("out", _out);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor h)
    {
        using var scope = torch.NewDisposeScope();
        return h.add(_out.forward(F.silu(_in.forward(_norm.forward(h))))).MoveToOuterDisposeScope();
    }

    /// <summary>Fields are registered by hand above.</summary>
    protected override void RegisterComponents()
    {
    }
}

/// <summary>The decoder: a plain TorchSharp <see cref="Sequential"/> from the latent space back to 2-D points (linear output).</summary>
public static class Decoder
{
    /// <summary>latentDim → width → width → outputs, SiLU between; children are named "0", "1", ... as in PyTorch.</summary>
    public static Sequential Create(int latentDim, int outputs, int width = 128) => nn.Sequential(
        nn.Linear(latentDim, width), nn.SiLU(),
        nn.Linear(width, width), nn.SiLU(),
        nn.Linear(width, outputs));
}
