using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Training;

/// <summary>
/// The NaN/Inf guard's memory. Every step copies the total and every term (detached) into one row of
/// a small buffer on the training device — two kernels, no host synchronization — and the trainer
/// reads the whole window back at log, evaluation and checkpoint points (one synchronization). So
/// every step's values are checked, the exact first bad step and term are known, and CUDA training
/// never waits on the host per step. Reading a CPU buffer costs the same as per-step item() calls.
/// </summary>
internal sealed class StepWindow : IDisposable
{
    private readonly int _capacity;
    private readonly List<WindowRow> _pending = new();
    private Tensor? _buffer;
    private string[] _names = [];
    private int _count;
    private long _firstStep;

    public StepWindow(int capacity)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity));
        _capacity = capacity;
    }

    /// <summary>True when the buffer is full and must be read before the next step.</summary>
    public bool IsFull => _count == _capacity;

    /// <summary>Steps recorded and not read yet.</summary>
    public int Count => _count + _pending.Count;

    /// <summary>Copies the values of <paramref name="step"/> into the buffer.</summary>
    public void Record(long step, LossTerms terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        using var scope = torch.NewDisposeScope();
        var values = new Tensor[terms.Terms.Count + 1];
        values[0] = Scalar("loss", terms.Total);
        for (int i = 0; i < terms.Terms.Count; i++) values[i + 1] = Scalar(terms.Terms[i].Name, terms.Terms[i].Value);

        if (!SameNames(terms))
        {
            // A program changed its set of terms (e.g. after a warm-up): keep what was recorded, restart the layout.
            ReadBufferIntoPending();
            _names = new string[values.Length];
            _names[0] = "loss";
            for (int i = 0; i < terms.Terms.Count; i++) _names[i + 1] = terms.Terms[i].Name;
            _buffer?.Dispose();
            _buffer = null;
        }
        if (_buffer is null || !Devices.Same(_buffer.device, terms.Total.device))
        {
            ReadBufferIntoPending();
            _buffer?.Dispose();
            _buffer = torch.zeros(new long[] { _capacity, values.Length }, ScalarType.Float64, terms.Total.device).DetachFromDisposeScope();
        }
        if (_count == _capacity) ReadBufferIntoPending();
        if (_count == 0) _firstStep = step;
        else if (step != _firstStep + _count)
            throw new InvalidOperationException($"Step {step} does not follow step {_firstStep + _count - 1} in the guard window.");
        var row = torch.cat(values);
        _buffer.select(0, _count).copy_(row);
        _count++;
    }

    /// <summary>Reads every recorded step back to the host and empties the window.</summary>
    public IReadOnlyList<WindowRow> Drain()
    {
        ReadBufferIntoPending();
        var rows = _pending.ToList();
        _pending.Clear();
        return rows;
    }

    /// <summary>Forgets everything recorded (after a rollback).</summary>
    public void Reset()
    {
        _pending.Clear();
        _count = 0;
    }

    /// <summary>The first non-finite value among <paramref name="rows"/>: a named term before the total it feeds.</summary>
    public static (long Step, string Term, double Value)? FirstDivergence(IReadOnlyList<WindowRow> rows)
    {
        foreach (var r in rows)
        {
            for (int i = 1; i < r.Values.Length; i++)
                if (!double.IsFinite(r.Values[i])) return (r.Step, r.Names[i], r.Values[i]);
            if (!double.IsFinite(r.Values[0])) return (r.Step, r.Names[0], r.Values[0]);
        }
        return null;
    }

    private void ReadBufferIntoPending()
    {
        if (_count == 0 || _buffer is null) { _count = 0; return; }
        double[] flat;
        using (var used = _buffer.narrow(0, 0, _count))
        using (var host = used.cpu())
            flat = host.data<double>().ToArray();
        int k = _names.Length;
        for (int i = 0; i < _count; i++) _pending.Add(new WindowRow(_firstStep + i, _names, flat.AsSpan(i * k, k).ToArray()));
        _count = 0;
    }

    private bool SameNames(LossTerms terms)
    {
        if (_names.Length != terms.Terms.Count + 1) return false;
        for (int i = 0; i < terms.Terms.Count; i++)
            if (!string.Equals(_names[i + 1], terms.Terms[i].Name, StringComparison.Ordinal)) return false;
        return true;
    }

    private static Tensor Scalar(string name, Tensor t)
    {
        if (t.numel() != 1)
            throw new ArgumentException($"Loss term '{name}' has {t.numel()} elements; loss terms must be scalars.");
        using var d = t.detach();
        return d.reshape(1);
    }

    public void Dispose()
    {
        _buffer?.Dispose();
        _buffer = null;
    }
}

/// <summary>The host copy of one step's values: names[0] is "loss", the total.</summary>
internal sealed record WindowRow(long Step, string[] Names, double[] Values)
{
    public IReadOnlyDictionary<string, double> ToDictionary()
    {
        var d = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int i = 0; i < Names.Length; i++) d[Names[i]] = Values[i];
        return d;
    }
}
