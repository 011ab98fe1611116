using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Persistence;

using Microsoft.ML.Vae.Core.Models;

/// <summary>
/// A model that <see cref="ModelStore"/> can save and load: its options rebuild the architecture
/// (through the <see cref="IModelFamily"/> registered for its <see cref="IVaeModel.Kind"/>) and its
/// state dict holds every weight. A model deriving from <c>nn.Module</c> implements <see cref="StateDict"/>
/// with <c>state_dict()</c> and <see cref="LoadStateDict"/> with
/// <see cref="SafeTensors.StateDictIO.LoadInto(nn.Module, IReadOnlyDictionary{string, Tensor}, bool)"/>, which
/// checks names, shapes and dtypes with clear messages before it copies.
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
