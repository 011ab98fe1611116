using Microsoft.ML.Vae.Torch.Native;

namespace Microsoft.ML.Vae.Torch;

// Reductions. An empty dims list reduces over every dimension.
public sealed partial class Tensor
{
    private unsafe Tensor Reduce(ReduceOp op, ReadOnlySpan<long> dims, bool keepDim)
    {
        fixed (long* d = dims) return Wrap(NativeMethods.vt_reduce((int)op, H, d, dims.Length, keepDim ? 1 : 0));
    }

    public Tensor Sum() => Reduce(ReduceOp.Sum, default, false);
    public Tensor Sum(long dim, bool keepDim = false) => Reduce(ReduceOp.Sum, [dim], keepDim);
    public Tensor Sum(ReadOnlySpan<long> dims, bool keepDim = false) => Reduce(ReduceOp.Sum, dims, keepDim);
    public Tensor Mean() => Reduce(ReduceOp.Mean, default, false);
    public Tensor Mean(long dim, bool keepDim = false) => Reduce(ReduceOp.Mean, [dim], keepDim);
    public Tensor Mean(ReadOnlySpan<long> dims, bool keepDim = false) => Reduce(ReduceOp.Mean, dims, keepDim);
    public Tensor LogSumExp(long dim, bool keepDim = false) => Reduce(ReduceOp.LogSumExp, [dim], keepDim);
    public Tensor LogSumExp(ReadOnlySpan<long> dims, bool keepDim = false) => Reduce(ReduceOp.LogSumExp, dims, keepDim);
    public Tensor AMax(long dim, bool keepDim = false) => Reduce(ReduceOp.AMax, [dim], keepDim);
    public Tensor AMin(long dim, bool keepDim = false) => Reduce(ReduceOp.AMin, [dim], keepDim);
    public Tensor Max() => Reduce(ReduceOp.AMax, default, false);
    public Tensor Min() => Reduce(ReduceOp.AMin, default, false);
    public Tensor All() => Reduce(ReduceOp.All, default, false);
    public Tensor Any() => Reduce(ReduceOp.Any, default, false);

    public unsafe Tensor Var(ReadOnlySpan<long> dims, bool unbiased = true, bool keepDim = false)
    {
        fixed (long* d = dims) return Wrap(NativeMethods.vt_var(H, d, dims.Length, unbiased ? 1 : 0, keepDim ? 1 : 0));
    }
    public Tensor Var(bool unbiased = true) => Var(ReadOnlySpan<long>.Empty, unbiased);
    public Tensor Var(long dim, bool unbiased = true, bool keepDim = false) => Var([dim], unbiased, keepDim);

    public unsafe Tensor Std(ReadOnlySpan<long> dims, bool unbiased = true, bool keepDim = false)
    {
        fixed (long* d = dims) return Wrap(NativeMethods.vt_std(H, d, dims.Length, unbiased ? 1 : 0, keepDim ? 1 : 0));
    }
    public Tensor Std(bool unbiased = true) => Std(ReadOnlySpan<long>.Empty, unbiased);
    public Tensor Std(long dim, bool unbiased = true, bool keepDim = false) => Std([dim], unbiased, keepDim);

    /// <summary>p-norm over the given dims (all when empty).</summary>
    public unsafe Tensor Norm(double p = 2, ReadOnlySpan<long> dims = default, bool keepDim = false)
    {
        fixed (long* d = dims) return Wrap(NativeMethods.vt_norm(H, p, d, dims.Length, keepDim ? 1 : 0));
    }

    /// <summary>Maximum values and their indices along a dimension.</summary>
    public (Tensor Values, Tensor Indices) Max(long dim, bool keepDim = false)
    {
        NativeMethods.Check(NativeMethods.vt_max_dim(H, dim, keepDim ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    /// <summary>Minimum values and their indices along a dimension.</summary>
    public (Tensor Values, Tensor Indices) Min(long dim, bool keepDim = false)
    {
        NativeMethods.Check(NativeMethods.vt_min_dim(H, dim, keepDim ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    public Tensor ArgMax(long dim, bool keepDim = false) => Wrap(NativeMethods.vt_argmax(H, dim, keepDim ? 1 : 0));
    public Tensor ArgMin(long dim, bool keepDim = false) => Wrap(NativeMethods.vt_argmin(H, dim, keepDim ? 1 : 0));

    /// <summary>The k largest (or smallest) values along a dimension and their indices.</summary>
    public (Tensor Values, Tensor Indices) TopK(long k, long dim = -1, bool largest = true, bool sorted = true)
    {
        NativeMethods.Check(NativeMethods.vt_topk(H, k, dim, largest ? 1 : 0, sorted ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }

    /// <summary>Sorted values along a dimension and the permutation indices.</summary>
    public (Tensor Values, Tensor Indices) Sort(long dim = -1, bool descending = false)
    {
        NativeMethods.Check(NativeMethods.vt_sort(H, dim, descending ? 1 : 0, out var v, out var i));
        return (new Tensor(v), new Tensor(i));
    }
}
