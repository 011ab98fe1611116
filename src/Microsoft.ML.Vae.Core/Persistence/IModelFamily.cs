using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Persistence;

/// <summary>
/// Rebuilds models of one family from their saved configuration. Register it in a
/// <see cref="ModelRegistry"/>; families of this library with a public parameterless constructor
/// are found by <see cref="ModelRegistry.Default"/> automatically.
/// </summary>
public interface IModelFamily
{
    /// <summary>The <see cref="Models.IVaeModel.Kind"/> values this family builds, e.g. "dp-vae", "dp-beta-tc".</summary>
    IReadOnlyCollection<string> Kinds { get; }

    /// <summary>
    /// Builds an untrained model with the architecture described by <paramref name="config"/>
    /// (read the options with <see cref="ModelConfig.GetOptions{T}(Func{T, string})"/>) on <paramref name="device"/>;
    /// the store then loads the weights. Invalid options raise <see cref="ArgumentException"/>.
    /// </summary>
    IPersistableModel Create(ModelConfig config, Device device);

    /// <summary>
    /// A lower bound on the number of scalars (parameters and buffers) of the model <paramref name="config"/> describes,
    /// computed from the options alone without allocating anything, or null when the family cannot tell (the default).
    /// <see cref="ModelStore"/> compares it with the weights' header before calling <see cref="Create"/>, so that an
    /// edited configuration cannot make loading allocate more than the file holds. It must never exceed the true count.
    /// Invalid options raise <see cref="ArgumentException"/>, as in <see cref="Create"/>.
    /// </summary>
    long? MinimumWeightCount(ModelConfig config) => null;
}
