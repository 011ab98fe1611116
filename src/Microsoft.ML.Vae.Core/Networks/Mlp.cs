using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>
/// Fully connected network: Linear → activation for every hidden size, then a linear output
/// layer (no output activation). Inputs of rank above 2 are flattened from dimension 1, so a
/// [N, D] vector batch and a [N, C, H, W] image batch both work.
/// State-dict names: "layers.0.weight", "layers.0.bias", "layers.2.weight", ...
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Sequential _layers;

    /// <summary>Creates the network.</summary>
    /// <param name="inputSize">Features per input sample (product of the sample shape).</param>
    /// <param name="hiddenSizes">Width of each hidden layer, in order (may be empty: a single linear map).</param>
    /// <param name="outputSize">Features per output sample.</param>
    /// <param name="activation">Nonlinearity after each hidden layer.</param>
    public Mlp(int inputSize, IReadOnlyList<int> hiddenSizes, int outputSize, Activation activation = Activation.ReLU)
        : base(nameof(Mlp))
    {
        // Temporaries of the layer constructors are disposed here; the weights are claimed at the end.
        using var scope = torch.NewDisposeScope();
        ArgumentNullException.ThrowIfNull(hiddenSizes);
        if (inputSize <= 0) throw new ArgumentOutOfRangeException(nameof(inputSize), $"Input size must be positive, got {inputSize}.");
        if (outputSize <= 0) throw new ArgumentOutOfRangeException(nameof(outputSize), $"Output size must be positive, got {outputSize}.");
        if (hiddenSizes.Any(h => h <= 0))
            throw new ArgumentOutOfRangeException(nameof(hiddenSizes), $"Hidden sizes must be positive, got [{string.Join(", ", hiddenSizes)}].");
        InputSize = inputSize;
        OutputSize = outputSize;
        HiddenSizes = hiddenSizes.ToArray();
        Activation = activation;
        _layers = nn.Sequential();
        int width = inputSize;
        foreach (int h in hiddenSizes)
        {
            _layers.append(nn.Linear(width, h));
            _layers.append(Activations.Create(activation));
            width = h;
        }
        _layers.append(nn.Linear(width, outputSize));
        register_module("layers", _layers);
        ModuleOwnership.Claim(this);
    }

    /// <summary>Features per input sample.</summary>
    public int InputSize { get; }

    /// <summary>Features per output sample.</summary>
    public int OutputSize { get; }

    /// <summary>Hidden layer widths.</summary>
    public IReadOnlyList<int> HiddenSizes { get; }

    /// <summary>Hidden nonlinearity.</summary>
    public Activation Activation { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() < 2)
            throw new ArgumentException($"Mlp expects a batch [N, ...] of rank at least 2, got rank {input.dim()}.", nameof(input));
        if (input.dim() == 2)
        {
            CheckFeatures(input.size(1));
            return _layers.forward(input);
        }
        using var flat = input.flatten(1);
        CheckFeatures(flat.size(1));
        return _layers.forward(flat);
    }

    /// <summary>Registration is explicit (names are part of the file format): fields are never registered by reflection.</summary>
    protected override void RegisterComponents()
    {
    }

    private void CheckFeatures(long features)
    {
        if (features != InputSize)
            throw new ArgumentException($"Mlp expects {InputSize} features per sample, got {features}.");
    }
}
