using Microsoft.ML.Vae.Torch.Native;

namespace Microsoft.ML.Vae.Torch;

/// <summary>Gradients of outputs with respect to chosen inputs (PyTorch's <c>torch.autograd.grad</c>).</summary>
public static unsafe class Autograd
{
    /// <summary>
    /// Computes d(outputs)/d(inputs). Entries are null for inputs the outputs do not depend on
    /// (when <paramref name="allowUnused"/>). Nothing is accumulated into <c>.Grad</c>.
    /// </summary>
    public static Tensor?[] Grad(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> inputs,
        IReadOnlyList<Tensor>? gradOutputs = null, bool retainGraph = false, bool createGraph = false, bool allowUnused = false)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(inputs);
        if (gradOutputs is not null && gradOutputs.Count != outputs.Count)
            throw new ArgumentException($"Expected {outputs.Count} grad outputs, got {gradOutputs.Count}.", nameof(gradOutputs));
        var outs = outputs.Select(t => Tensor.Arg(t, nameof(outputs)).Raw).ToArray();
        var ins = inputs.Select(t => Tensor.Arg(t, nameof(inputs)).Raw).ToArray();
        var gouts = gradOutputs?.Select(t => t is null ? IntPtr.Zero : t.Raw).ToArray();
        var results = new IntPtr[ins.Length];
        fixed (IntPtr* o = outs)
        fixed (IntPtr* i = ins)
        fixed (IntPtr* g = gouts)
        fixed (IntPtr* r = results)
        {
            NativeMethods.Check(NativeMethods.vt_autograd_grad(o, outs.Length, i, ins.Length, gouts is null ? null : g,
                retainGraph ? 1 : 0, createGraph ? 1 : 0, allowUnused ? 1 : 0, r));
        }
        GC.KeepAlive(outputs);
        GC.KeepAlive(inputs);
        GC.KeepAlive(gradOutputs);
        return results.Select(Tensor.WrapOptional).ToArray();
    }

    /// <summary>Gradient of one scalar output with respect to one input.</summary>
    public static Tensor Grad(Tensor output, Tensor input, bool retainGraph = false, bool createGraph = false) =>
        Grad([output], [input], null, retainGraph, createGraph)[0]
        ?? throw new ArgumentException("The output does not depend on the input.");
}
