using Microsoft.ML.Vae.Torch.Native;

namespace Microsoft.ML.Vae.Torch;

/// <summary>
/// Sets autograd recording on or off for the current thread and restores the previous state on
/// Dispose. Obtain one with <see cref="Torch.NoGrad"/> or <see cref="Torch.EnableGrad"/>.
/// </summary>
public readonly struct GradMode : IDisposable
{
    private readonly bool _previous;
    private readonly bool _active;

    internal GradMode(bool enabled)
    {
        _previous = NativeMethods.vt_is_grad_enabled() == 1;
        _active = true;
        NativeMethods.vt_set_grad_enabled(enabled ? 1 : 0);
    }

    /// <summary>True when autograd records operations on this thread.</summary>
    public static bool IsEnabled => NativeMethods.vt_is_grad_enabled() == 1;

    /// <summary>Restores the previous grad mode.</summary>
    public void Dispose()
    {
        if (_active) NativeMethods.vt_set_grad_enabled(_previous ? 1 : 0);
    }
}
