using Microsoft.ML.Vae.Torch.Native;
using ModuleHandle = Microsoft.ML.Vae.Torch.Native.ModuleHandle;

namespace Microsoft.ML.Vae.Torch;

/// <summary>
/// A TorchScript module saved from Python (<c>torch.jit.script(m).save(path)</c> or
/// <c>torch.jit.trace</c>), for running exported models such as feature extractors.
/// It loads in evaluation mode. Dispose it to release the native module.
/// </summary>
public sealed class ScriptModule : IDisposable
{
    private readonly ModuleHandle _handle;

    private ScriptModule(ModuleHandle handle, Device device)
    {
        _handle = handle;
        Device = device;
    }

    /// <summary>The device the module's parameters were loaded onto.</summary>
    public Device Device { get; }

    /// <summary>True once the module has been disposed.</summary>
    public bool IsDisposed => _handle.IsClosed;

    /// <summary>Loads a TorchScript file onto <paramref name="device"/> (the CPU by default).</summary>
    /// <exception cref="ArgumentException">The path is null or empty.</exception>
    /// <exception cref="FileNotFoundException">No file exists at <paramref name="path"/>.</exception>
    /// <exception cref="TorchException">libtorch cannot read the file as a TorchScript module.</exception>
    public static ScriptModule Load(string path, Device device = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // libtorch's own message for a missing file is a generic stream error; say it plainly.
        if (!File.Exists(path))
            throw new FileNotFoundException($"TorchScript file '{path}' does not exist.", path);
        device.EnsureAvailable();
        var handle = NativeMethods.vt_jit_load(path, (int)device.Type, device.NativeIndex);
        if (handle.IsInvalid)
        {
            handle.SetHandleAsInvalid();
            var cause = TorchException.FromLastError();
            // Every native failure here means an unreadable module, whatever words libtorch used.
            throw new TorchException($"Cannot load TorchScript module '{path}': {cause.Message}", cause);
        }
        return new ScriptModule(handle, device.IsCuda ? device : Device.Cpu);
    }

    /// <summary>Runs the module's <c>forward</c> on the inputs; a tuple or list result gives its first tensor.</summary>
    /// <exception cref="ArgumentNullException">The input array or one of its tensors is null.</exception>
    public unsafe Tensor Forward(params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var handle = Handle;
        var raw = new IntPtr[inputs.Length];
        for (int i = 0; i < raw.Length; i++) raw[i] = Tensor.Arg(inputs[i], nameof(inputs)).Raw;
        TensorHandle result;
        fixed (IntPtr* p = raw) result = NativeMethods.vt_jit_forward(handle, p, raw.Length);
        GC.KeepAlive(inputs);
        if (result.IsInvalid)
        {
            result.SetHandleAsInvalid();
            throw ForwardError(NativeMethods.LastError(), NativeMethods.vt_last_error_kind());
        }
        return Tensor.Wrap(result);
    }

    private const string InterpreterHeader = "The following operation failed in the TorchScript interpreter.";

    /// <summary>
    /// The interpreter wraps an op's error in a multi-line TorchScript traceback ending with
    /// "RuntimeError: cause". The exception gets the one-line cause (and is classified by it); the
    /// full traceback stays available as the inner exception.
    /// </summary>
    private static Exception ForwardError(string message, int kind)
    {
        if (!message.StartsWith(InterpreterHeader, StringComparison.Ordinal)) return TorchException.Create(message, kind);
        var cause = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? message;
        int colon = cause.IndexOf(": ", StringComparison.Ordinal);
        if (colon > 0 && cause.AsSpan(0, colon).EndsWith("Error", StringComparison.Ordinal)) cause = cause[(colon + 2)..];
        return TorchException.Create($"{cause} (in the TorchScript module's forward; the inner exception has its traceback)", kind,
            new TorchException(message));
    }

    /// <summary>Switches training mode (dropout, batch-norm statistics) on or off.</summary>
    public void SetTraining(bool training) => NativeMethods.Check(NativeMethods.vt_jit_set_train(Handle, training ? 1 : 0));

    private ModuleHandle Handle =>
        _handle.IsClosed ? throw new ObjectDisposedException(nameof(ScriptModule), "The TorchScript module has been disposed.") : _handle;

    /// <summary>Releases the native module.</summary>
    public void Dispose() => _handle.Dispose();
}
