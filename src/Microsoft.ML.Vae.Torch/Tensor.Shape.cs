using Microsoft.ML.Vae.Torch.Native;

namespace Microsoft.ML.Vae.Torch;

// Views, reshapes, joins, splits and indexing.
public sealed partial class Tensor
{
    public unsafe Tensor Reshape(params ReadOnlySpan<long> shape) { fixed (long* s = shape) return Wrap(NativeMethods.vt_reshape(H, s, shape.Length)); }
    public unsafe Tensor View(params ReadOnlySpan<long> shape) { fixed (long* s = shape) return Wrap(NativeMethods.vt_view(H, s, shape.Length)); }
    public unsafe Tensor Permute(params ReadOnlySpan<long> dims) { fixed (long* s = dims) return Wrap(NativeMethods.vt_permute(H, s, dims.Length)); }
    public unsafe Tensor Expand(params ReadOnlySpan<long> shape) { fixed (long* s = shape) return Wrap(NativeMethods.vt_expand(H, s, shape.Length)); }
    public unsafe Tensor Repeat(params ReadOnlySpan<long> repeats) { fixed (long* s = repeats) return Wrap(NativeMethods.vt_repeat(H, s, repeats.Length)); }
    public unsafe Tensor Flip(params ReadOnlySpan<long> dims) { fixed (long* s = dims) return Wrap(NativeMethods.vt_flip(H, s, dims.Length)); }
    public Tensor Transpose(long dim0, long dim1) => Wrap(NativeMethods.vt_transpose(H, dim0, dim1));
    /// <summary>Transpose of a 2-D tensor.</summary>
    public Tensor T => Transpose(0, 1);
    public Tensor Flatten(long startDim = 0, long endDim = -1) => Wrap(NativeMethods.vt_flatten(H, startDim, endDim));
    public Tensor Squeeze(long dim) => Wrap(NativeMethods.vt_squeeze(H, dim));
    public Tensor Squeeze() => Wrap(NativeMethods.vt_squeeze_all(H));
    public Tensor Unsqueeze(long dim) => Wrap(NativeMethods.vt_unsqueeze(H, dim));
    public Tensor Narrow(long dim, long start, long length) => Wrap(NativeMethods.vt_narrow(H, dim, start, length));
    public Tensor Select(long dim, long index) => Wrap(NativeMethods.vt_select(H, dim, index));
    public Tensor Slice(long dim, long start, long end, long step = 1) => Wrap(NativeMethods.vt_slice(H, dim, start, end, step));
    public Tensor IndexSelect(long dim, Tensor index) => Wrap(NativeMethods.vt_index_select(H, dim, Arg(index, nameof(index)).H));
    public Tensor Gather(long dim, Tensor index) => Wrap(NativeMethods.vt_gather(H, dim, Arg(index, nameof(index)).H));
    public Tensor ScatterAdd(long dim, Tensor index, Tensor source) => Wrap(NativeMethods.vt_scatter_add(H, dim, Arg(index, nameof(index)).H, Arg(source, nameof(source)).H));
    public Tensor MaskedSelect(Tensor mask) => Wrap(NativeMethods.vt_masked_select(H, Arg(mask, nameof(mask)).H));
    public Tensor Tril(long diagonal = 0) => Wrap(NativeMethods.vt_tril(H, diagonal));
    public Tensor Diagonal(long offset = 0, long dim0 = 0, long dim1 = 1) => Wrap(NativeMethods.vt_diagonal(H, offset, dim0, dim1));
    public Tensor DiagEmbed() => Wrap(NativeMethods.vt_diag_embed(H));
    public Tensor NonZero() => Wrap(NativeMethods.vt_nonzero(H));
    public Tensor BinCount(long minLength = 0) => Wrap(NativeMethods.vt_bincount(H, minLength));
    public Tensor Histc(long bins, double min, double max) => Wrap(NativeMethods.vt_histc(H, bins, min, max));

    /// <summary>Splits into <paramref name="chunks"/> nearly equal pieces along a dimension.</summary>
    public unsafe Tensor[] Chunk(long chunks, long dim = 0)
    {
        if (chunks <= 0) throw new ArgumentOutOfRangeException(nameof(chunks), "chunks must be positive.");
        int cap = (int)Math.Min(chunks, 4096);
        var raw = new IntPtr[cap];
        fixed (IntPtr* p = raw) NativeMethods.Check(NativeMethods.vt_chunk(H, chunks, dim, p, cap, out var count));
        return Collect(raw);
    }

    /// <summary>Splits into pieces of <paramref name="size"/> (the last may be smaller) along a dimension.</summary>
    public unsafe Tensor[] Split(long size, long dim = 0)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), "split size must be positive.");
        long n = Size((int)dim);
        int cap = (int)Math.Max(1, (n + size - 1) / size);
        var raw = new IntPtr[cap];
        fixed (IntPtr* p = raw) NativeMethods.Check(NativeMethods.vt_split(H, size, dim, p, cap, out var count));
        return Collect(raw);
    }

    private static Tensor[] Collect(IntPtr[] raw)
    {
        var list = new List<Tensor>(raw.Length);
        foreach (var r in raw) if (r != IntPtr.Zero) list.Add(WrapOptional(r)!);
        return list.ToArray();
    }

    /// <summary>Concatenates tensors along an existing dimension.</summary>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: false);

    /// <summary>Stacks tensors along a new dimension.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: true);

    private static unsafe Tensor Join(IReadOnlyList<Tensor> tensors, long dim, bool stack)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException("Expected a non-empty list of tensors.", nameof(tensors));
        var raw = new IntPtr[tensors.Count];
        for (int i = 0; i < raw.Length; i++) raw[i] = Arg(tensors[i], nameof(tensors)).Raw;
        fixed (IntPtr* p = raw)
        {
            var h = stack ? NativeMethods.vt_stack(p, raw.Length, dim) : NativeMethods.vt_cat(p, raw.Length, dim);
            GC.KeepAlive(tensors);
            return Wrap(h);
        }
    }
}
