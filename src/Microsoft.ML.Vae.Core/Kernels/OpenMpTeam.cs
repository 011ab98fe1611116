using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Vae.Core.Kernels;

/// <summary>
/// Runs the fused kernels' blocks on libtorch's own OpenMP thread team instead of the .NET thread pool.
/// </summary>
/// <remarks>
/// <para>Why: between libtorch ops the OpenMP workers spin for a while (<c>GOMP_SPINCOUNT</c>, which keeps chains
/// of small GEMMs fast). A .NET pool thread woken for a kernel right after a libtorch op competes with that
/// spinning worker for the same core, so a 2-thread kernel ran only about 1.3× faster than on one thread
/// (1.10 against 0.89 ms for the Monte-Carlo mixture pass with the spin switched off). Handing the blocks to the
/// spinning workers themselves removes the contention and the wake-up.</para>
/// <para>How: <c>GOMP_parallel</c>, the entry point compiled OpenMP code calls, found in the OpenMP runtime
/// libtorch has already loaded (GNU libgomp on Linux; LLVM's and Intel's runtimes export it too where built
/// with GNU compatibility). Each team member takes blocks from a shared counter and runs them through a
/// managed callback. Nothing is compiled. Where no such runtime is loaded, the caller falls back to the .NET
/// thread pool.</para>
/// </remarks>
internal static unsafe class OpenMpTeam
{
    private static readonly Lazy<nint> ParallelEntry = new(Resolve, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Whether kernels may use the OpenMP team (tests and benchmarks switch it off to compare).</summary>
    public static bool Enabled { get; set; } = true;

    /// <summary>True when the loaded OpenMP runtime exports <c>GOMP_parallel</c>.</summary>
    public static bool Available => ParallelEntry.Value != 0;

    /// <summary>
    /// Runs <paramref name="body"/> for every block in [0, <paramref name="blocks"/>) on <paramref name="threads"/>
    /// members of the OpenMP team (the calling thread among them); false, having run nothing, when the team is not
    /// available or is switched off. An exception from a block stops the hand-out and is rethrown here.
    /// </summary>
    public static bool TryForEachBlock(long blocks, int threads, Action<long> body)
    {
        if (!Enabled || blocks <= 0) return false;
        nint entry = ParallelEntry.Value;
        if (entry == 0) return false;
        var work = new Work(body, blocks);
        var handle = GCHandle.Alloc(work);
        try
        {
            var parallel = (delegate* unmanaged<delegate* unmanaged<void*, void>, void*, uint, uint, void>)entry;
            parallel(&Member, (void*)GCHandle.ToIntPtr(handle), (uint)threads, 0u);
        }
        finally
        {
            handle.Free();
        }
        if (work.Error is not null) ExceptionDispatchInfo.Throw(work.Error);
        return true;
    }

    /// <summary>One team member: takes blocks until none are left (or one failed).</summary>
    [UnmanagedCallersOnly]
    private static void Member(void* data)
    {
        var work = (Work)GCHandle.FromIntPtr((nint)data).Target!;
        try
        {
            long block;
            while (work.Error is null && (block = Interlocked.Increment(ref work.Next) - 1) < work.Blocks)
                work.Body(block);
        }
        catch (Exception e)
        {
            // An exception must not unwind through the OpenMP runtime's frames.
            Interlocked.CompareExchange(ref work.Error, e, null);
        }
    }

    private static nint Resolve()
    {
        try
        {
            foreach (ProcessModule module in Process.GetCurrentProcess().Modules)
            {
                string name = Path.GetFileName(module.FileName ?? "");
                bool openMp = name.StartsWith("libgomp", StringComparison.Ordinal)
                              || name.StartsWith("libiomp5", StringComparison.Ordinal)
                              || name.StartsWith("libomp", StringComparison.Ordinal);
                if (!openMp || module.FileName is null) continue;
                if (NativeLibrary.TryLoad(module.FileName, out var library) && NativeLibrary.TryGetExport(library, "GOMP_parallel", out var entry))
                    return entry;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException or PlatformNotSupportedException)
        {
            // Module enumeration not allowed here: the thread-pool path serves.
        }
        return 0;
    }

    private sealed class Work(Action<long> body, long blocks)
    {
        public readonly Action<long> Body = body;
        public readonly long Blocks = blocks;
        public long Next;
        public Exception? Error;
    }
}
