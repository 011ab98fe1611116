namespace Microsoft.ML.Vae.TestSupport;

/// <summary>A stream that accepts <c>budget</c> bytes and then fails like a full disk (for the atomic-write tests).</summary>
internal sealed class FullDiskStream(Stream inner, long budget) : Stream
{
    private long _written;
    public override bool CanRead => false;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => true;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => inner.Position = value; }
    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void SetLength(long value) => inner.SetLength(value);
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_written + buffer.Length > budget)
        {
            int fits = (int)Math.Max(0, budget - _written);
            inner.Write(buffer[..fits]);
            _written += fits;
            throw new IOException("No space left on device (simulated)");
        }
        inner.Write(buffer);
        _written += buffer.Length;
    }
}
