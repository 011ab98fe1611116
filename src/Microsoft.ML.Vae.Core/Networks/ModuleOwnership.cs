using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>
/// Makes a module the owner of its tensors: its parameters and buffers never belong to a dispose scope.
/// </summary>
/// <remarks>
/// TorchSharp puts the tensors a layer creates into the caller's current dispose scope, so a network built inside
/// a scope would lose its weights when that scope ends. Its convolution constructors also leave a temporary
/// tensor of the initialization behind (one per layer with a bias). The networks are therefore built inside a
/// scope of their own, which takes those temporaries, and their parameters and buffers are taken out of every scope.
/// </remarks>
internal static class ModuleOwnership
{
    /// <summary>Runs <paramref name="build"/> in a dispose scope of its own and returns the module it builds, owning its tensors.</summary>
    public static T Build<T>(Func<T> build) where T : nn.Module
    {
        using var scope = torch.NewDisposeScope();
        var module = build();
        Claim(module);
        return module;
    }

    /// <summary>Takes every parameter and buffer of <paramref name="module"/> (recursively) out of its dispose scope.</summary>
    public static void Claim(nn.Module module)
    {
        foreach (var parameter in module.parameters()) parameter.DetachFromDisposeScope();
        foreach (var buffer in module.buffers()) buffer.DetachFromDisposeScope();
    }
}
