namespace Microsoft.ML.Vae.Core.Persistence;

using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Torch;

/// <summary>
/// A model that <see cref="ModelStore"/> can save and load: its options rebuild the architecture
/// (through the <see cref="IModelFamily"/> registered for its <see cref="IVaeModel.Kind"/>) and its
/// state dict holds every weight. A model deriving from <c>Module</c> gets <see cref="StateDict"/> and
/// <see cref="LoadStateDict"/> from the base class.
/// </summary>
public interface IPersistableModel : IVaeModel
{
    /// <summary>
    /// The options the model was built from; serialized with <see cref="ModelStore.JsonOptions"/>
    /// (camelCase names, enums as strings) into config.json.
    /// </summary>
    object Options { get; }

    /// <summary>Every parameter and buffer by dotted name (the live tensors; they are only read).</summary>
    IReadOnlyDictionary<string, Tensor> StateDict();

    /// <summary>Copies values into the model's tensors; names and shapes must match.</summary>
    void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true);
}
